// `kubestrap reset`: remove nodes (--host) or the whole cluster, leaving each host clean. The command
// checks the input, says what will go (on a terminal: the exact commands, from a dry run) and asks for
// the cluster name, then runs the reset steps (source/steps/reset/) in a session and reports per host.
import type { Session } from '../session/session.js';
import { clearJournal, forgetHosts } from '../steps/journal-forget.js';
import { RESET_STEPS } from '../steps/reset/list.js';
import { failureLine } from '../steps/runner.js';
import { leaseRefusal } from '../steps/list/lease.js';
import { pathsToRemove } from '../steps/reset/residue.js';
import { newScope, RESET, type ResetScope } from '../steps/reset/scope.js';
import { quorumNote, selectHosts } from '../steps/reset/selection.js';
import type { StepEvent } from '../steps/types.js';
import type { Cluster } from '../spec/types.js';
import { parseDuration } from '../spec/durations.js';
import { askSudoPassword, EXIT, flagProblem, sshIdentity, wholeFlag, type Io } from './io.js';
import { planLines } from '../ui/plan-lines.js';
import { runView, type RunView } from '../ui/run-view.js';
import { sessionHosts, openOrReport } from './session-io.js';
import { printProblems, specFromOptions, type SpecOptions } from './spec-input.js';

export interface ResetOptions extends SpecOptions {
	host?: string[];
	yes?: boolean;
	dryRun?: boolean;
	removePackages?: boolean;
	drainTimeout?: string;
	concurrency?: string;
	connectTimeout?: string;
	verbose?: boolean;
	askSudoPassword?: boolean;
}

function resumeCommand(options: ResetOptions): string {
	const hosts = (options.host ?? []).map((h) => ` --host ${h}`).join('');
	return `kubestrap reset ${options.config ? `--config ${options.config}` : '<the same flags>'}${hosts}${options.removePackages ? ' --remove-packages' : ''} --yes`;
}

/** What the user confirms: the hosts, what happens to each, what goes from every host. */
function summary(cluster: Cluster, scope: ResetScope, removePackages: boolean): string[] {
	const lines = [scope.whole
		? `Reset the WHOLE cluster ${cluster.metadata.name}: every host below is cleaned; the cluster and its data (etcd) are gone afterwards.`
		: `Remove ${scope.targets.size} node${scope.targets.size === 1 ? '' : 's'} from cluster ${cluster.metadata.name} (drain, leave etcd, delete the Node) and clean ${scope.targets.size === 1 ? 'it' : 'them'}:`];
	for (const host of cluster.spec.hosts.filter((h) => scope.targets.has(h.address))) lines.push(`  ${host.address}${host.name ? ` (${host.name})` : ''}  ${host.role}`);
	lines.push('From each host: kubeadm reset; the CNI\'s links, its and kube-proxy\'s iptables/nftables chains and rules (the host\'s own stay), Cilium\'s BPF pins;');
	lines.push(`  ${pathsToRemove(removePackages).join(' ')}`);
	lines.push(removePackages ? '  and the packages kubeadm, kubelet, kubectl, containerd.' : '  Packages stay (add --remove-packages to remove them).');
	return lines;
}

function printPlan(cluster: Cluster, events: StepEvent[], write: (text: string) => void): void {
	const lines = planLines(cluster, events, { header: `Reset plan for cluster ${cluster.metadata.name}: every command per host. Nothing was changed.`, stepWidth: 12, skipped: 'nothing to do', idle: 'omit' });
	write(`${lines.join('\n')}\n`);
}

export async function resetCommand(options: ResetOptions, io: Io): Promise<number> {
	const result = await specFromOptions(options, io);
	if (!result.ok) {
		printProblems(result, io);
		return EXIT.invalid;
	}
	let cluster = result.cluster;
	const concurrency = wholeFlag(options.concurrency, 10, '--concurrency', 100);
	const connectTimeout = wholeFlag(options.connectTimeout, 30, '--connect-timeout', 3600);
	const drainTimeout = parseDuration(options.drainTimeout ?? '5m', '--drain-timeout');
	if (flagProblem(io, [concurrency, connectTimeout, drainTimeout])) return EXIT.invalid;
	const dryRun = options.dryRun === true;
	// target aws: the instances found through EC2 as install found them, with the host keys their console output vouches for.
	const hosts = await sessionHosts(cluster, io, 'day2');
	if (typeof hosts === 'number') return hosts;
	cluster = hosts.cluster;
	const selection = selectHosts(cluster, options.host ?? []);
	if (typeof selection === 'string') {
		io.stderr(`${selection}\n`);
		return EXIT.invalid;
	}
	const scope = newScope(selection.targets.map((h) => h.address), selection.whole, options.removePackages === true, Math.round((drainTimeout as number) / 1000));
	const quorum = selection.whole ? undefined : quorumNote(cluster, selection.targets);
	if (!dryRun && options.yes !== true && (!io.askLine || !io.isTTY)) {
		io.stderr('reset: no terminal to confirm on; add --yes to reset without asking (or --dry-run to see the commands)\n');
		return EXIT.invalid;
	}
	const sudo = await askSudoPassword(options.askSudoPassword === true, io);
	if (!sudo.ok) return EXIT.invalid;
	const sudoPassword = sudo.password;

	const base = {
		...sshIdentity(io),
		cwd: io.cwd,
		...(io.argv ? { commandLine: ['kubestrap', ...io.argv].join(' ') } : {}),
		concurrency: concurrency as number,
		connectTimeoutMs: (connectTimeout as number) * 1000,
		...(sudoPassword !== undefined ? { sudoPassword } : {}),
		...hosts,
		...(io.signal ? { signal: io.signal } : {}),
	};
	const open = async (dry: boolean, events: StepEvent[], view: () => RunView | undefined): Promise<Session | number> => {
		const session = await openOrReport({ ...base, command: dry ? 'reset-dry-run' : 'reset', dryRun: dry, onEvent(event) { events.push(event); view()?.event(event); } }, io);
		if (typeof session !== 'number') session.ctx.shared.set(RESET, newScope(scope.targets, scope.whole, scope.removePackages, scope.drainTimeoutSeconds));
		return session;
	};

	// On a terminal without --yes: the exact commands first (a dry run reads every host), then the typed name.
	if (!dryRun && options.yes !== true) {
		const planEvents: StepEvent[] = [];
		const preview = await open(true, planEvents, () => undefined);
		if (typeof preview === 'number') return preview;
		try {
			const outcome = await preview.run(RESET_STEPS);
			if (outcome.interrupted) return EXIT.interrupted;
		} finally {
			await preview.close();
		}
		for (const line of summary(cluster, scope, options.removePackages === true)) io.stderr(`${line}\n`);
		printPlan(cluster, planEvents, (text) => io.stderr(text));
		if (quorum) io.stderr(`${quorum}\n`);
		const answer = await (io.askLine as NonNullable<Io['askLine']>)(`Type the cluster name (${cluster.metadata.name}) to confirm: `);
		if (answer.trim() !== cluster.metadata.name) {
			io.stderr('not confirmed: nothing was changed\n');
			return EXIT.invalid;
		}
	}

	const events: StepEvent[] = [];
	let view: RunView | undefined;
	const session = await open(dryRun, events, () => view);
	if (typeof session === 'number') return session;
	const run = session.ctx.shared.get(RESET) as ResetScope;
	// show: to the user only (the session logs step notes itself); say: to the log and the user.
	const show = (line: string): void => void io.stderr(`${session.redact(line)}\n`);
	const say = (line: string): void => {
		session.log.write(line);
		show(line);
	};
	let code: number = EXIT.ok;
	try {
		say(`kubestrap reset${dryRun ? ' --dry-run' : ''} for cluster ${cluster.metadata.name}: ${selection.whole ? 'the whole cluster' : `removing ${[...scope.targets].join(', ')}`}; log: ${session.log.path}`);
		if (quorum) say(quorum);
		view = await runView({ say, show, verbose: options.verbose === true, ...(io.terminal && !dryRun ? { terminal: io.terminal } : {}), color: io.color === true, title: `cluster ${cluster.metadata.name}`, watchSteps: [] });
		let outcome;
		try {
			outcome = await session.run(RESET_STEPS);
		} finally {
			await view.finish();
		}
		for (const [host, why] of run.unreachable) {
			say(`${host}: unreachable (${why}); it was skipped${run.targets.has(host) ? ` — ${selection.whole ? 'clean it when it answers again' : 'its Node and etcd member were removed from the cluster; clean the host when it answers again'} with: ${resumeCommand(options)}` : ''}`);
		}
		const refused = leaseRefusal(outcome.failures);
		if (refused !== undefined) {
			say(`error: ${refused}`);
			code = EXIT.failed;
		} else if (outcome.interrupted) {
			say(`interrupted: running commands were stopped; what finished is kept. Resume with: ${resumeCommand(options)}`);
			code = EXIT.interrupted;
		} else if (outcome.failures.length > 0) {
			for (const failure of outcome.failures) say(`error: ${failureLine(failure)}`);
			say(`${outcome.failures.length} host${outcome.failures.length === 1 ? '' : 's'} failed; fix the cause, then run again (it resumes): ${resumeCommand(options)}`);
			say(`log: ${session.log.path}`);
			code = EXIT.failed;
		} else if (dryRun) {
			printPlan(cluster, events, io.stdout);
		} else if ([...run.targets].some((host) => run.unreachable.has(host))) {
			code = EXIT.failed;
		} else if (selection.whole) {
			if (session.dir !== undefined) await clearJournal(session.dir);
			say(`reset done: ${run.targets.size} host${run.targets.size === 1 ? '' : 's'} clean, verified; the local journal of ${cluster.metadata.name} was cleared. Install again with: kubestrap install ${options.config ? `--config ${options.config} ` : ''}--yes`);
		} else {
			if (session.dir !== undefined) await forgetHosts(session.dir, [...run.targets]);
			say(`removed: ${[...run.targets].map((host) => `${host}${run.nodeNames.has(host) ? ` (node ${run.nodeNames.get(host)})` : ''}`).join(', ')}; Nodes deleted, etcd checked, hosts clean and verified`);
		}
	} finally {
		await session.close();
	}
	return code;
}
