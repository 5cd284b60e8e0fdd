// `kubestrap reset`: remove nodes (--host) or the whole cluster, leaving each host clean. The command
// checks the input, says what will go and asks for the cluster name on a terminal, then runs the reset
// steps (source/steps/reset/) and reports per host. Local state lives in .kubestrap/<name>/ as for install.
import { connect } from '../remote/connection.js';
import { createRedactor } from '../remote/redact.js';
import type { Remote } from '../remote/remote.js';
import { clearJournal, forgetHosts } from '../steps/journal-forget.js';
import { openJournal } from '../steps/journal.js';
import { acquireLock, LockedError, type Lock } from '../steps/lock.js';
import { RESET_STEPS } from '../steps/reset/list.js';
import { pathsToRemove } from '../steps/reset/residue.js';
import { newScope, RESET, type ResetScope } from '../steps/reset/scope.js';
import { quorumNote, selectHosts } from '../steps/reset/selection.js';
import { runSteps } from '../steps/runner.js';
import { stateDir } from '../steps/state-dir.js';
import type { RunContext, StepEvent } from '../steps/types.js';
import type { Cluster } from '../spec/types.js';
import { parseDuration } from './duration.js';
import { EXIT, type Io } from './io.js';
import { lineReporter } from './progress-lines.js';
import { openRunLog } from './run-log.js';
import { printProblems, specFromOptions, type SpecOptions } from './spec-input.js';
import { connectOptions } from './ssh-connect.js';

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

function whole(n: number): (value: string | undefined, fallback: number, flag: string) => number | string {
	return (value, fallback, flag) => {
		if (value === undefined) return fallback;
		return /^\d{1,4}$/.test(value) && Number(value) > 0 && Number(value) <= n ? Number(value) : `${flag} ${JSON.stringify(value)} must be a whole number from 1 to ${n}`;
	};
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

function printPlan(cluster: Cluster, events: StepEvent[], io: Io): void {
	io.stdout(`Reset plan for cluster ${cluster.metadata.name}: every command per host. Nothing was changed.\n`);
	for (const host of cluster.spec.hosts) {
		const actions = events.filter((e): e is Extract<StepEvent, { kind: 'plan' }> => e.kind === 'plan' && e.host === host.address);
		const skipped = events.filter((e): e is Extract<StepEvent, { kind: 'host' }> => e.kind === 'host' && e.host === host.address && e.state === 'skipped' && e.step !== 'connect');
		if (actions.length === 0 && skipped.length === 0) continue;
		io.stdout(`\n${host.address} (${host.role})\n`);
		for (const action of actions) io.stdout(`  ${action.step.padEnd(12)} ${action.action}\n`);
		for (const skip of skipped) io.stdout(`  ${skip.step.padEnd(12)} (skip: ${skip.detail ?? 'nothing to do'})\n`);
	}
}

export async function resetCommand(options: ResetOptions, io: Io): Promise<number> {
	const result = await specFromOptions(options, io);
	if (!result.ok) {
		printProblems(result, io);
		return EXIT.invalid;
	}
	let cluster = result.cluster;
	const concurrency = whole(100)(options.concurrency, 10, '--concurrency');
	const connectTimeout = whole(3600)(options.connectTimeout, 30, '--connect-timeout');
	const drainTimeout = parseDuration(options.drainTimeout ?? '5m', '--drain-timeout');
	for (const value of [concurrency, connectTimeout, drainTimeout]) {
		if (typeof value === 'string') {
			io.stderr(`${value}\n`);
			return EXIT.invalid;
		}
	}
	const dryRun = options.dryRun === true;
	if (cluster.spec.target === 'aws') {
		const { prepareAws } = await import('./aws.js');
		const prepared = await prepareAws(cluster, {}, io, true);
		if (typeof prepared === 'number') return prepared;
		cluster = prepared.cluster;
	}
	const selection = selectHosts(cluster, options.host ?? []);
	if (typeof selection === 'string') {
		io.stderr(`${selection}\n`);
		return EXIT.invalid;
	}
	const scope = newScope(selection.targets.map((h) => h.address), selection.whole, options.removePackages === true, Math.round((drainTimeout as number) / 1000));
	const quorum = selection.whole ? undefined : quorumNote(cluster, selection.targets);
	if (!dryRun && options.yes !== true) {
		if (!io.askLine || !io.isTTY) {
			io.stderr('reset: no terminal to confirm on; add --yes to reset without asking (or --dry-run to see the commands)\n');
			return EXIT.invalid;
		}
		for (const line of summary(cluster, scope, options.removePackages === true)) io.stderr(`${line}\n`);
		if (quorum) io.stderr(`${quorum}\n`);
		const answer = await io.askLine(`Type the cluster name (${cluster.metadata.name}) to confirm: `);
		if (answer.trim() !== cluster.metadata.name) {
			io.stderr('not confirmed: nothing was changed\n');
			return EXIT.invalid;
		}
	}
	let sudoPassword: string | undefined;
	if (options.askSudoPassword === true) {
		if (!io.askSecret) {
			io.stderr('--ask-sudo-password needs a terminal to read the password from\n');
			return EXIT.invalid;
		}
		sudoPassword = await io.askSecret('sudo password (asked once, used for every host): ');
	}

	const dir = await stateDir(io.cwd, cluster.metadata.name);
	let lock: Lock | undefined;
	if (!dryRun) {
		try {
			lock = await acquireLock(dir);
		} catch (error) {
			if (error instanceof LockedError) {
				io.stderr(`${error.message}\n`);
				return EXIT.failed;
			}
			throw error;
		}
	}
	const redactor = createRedactor();
	const log = openRunLog(dir, dryRun ? 'reset-dry-run' : 'reset', new Date(), redactor);
	const say = (line: string): void => {
		log.write(line);
		io.stderr(`${redactor.redact(line)}\n`);
	};
	const lines = lineReporter(say, options.verbose === true);
	const events: StepEvent[] = [];
	const remotes: Remote[] = [];
	const abort = new AbortController();
	const onAbort = (): void => abort.abort();
	io.signal?.addEventListener('abort', onAbort, { once: true });
	const shared = new Map<string, unknown>([[RESET, scope]]);
	const ctx: RunContext = {
		cluster,
		hosts: cluster.spec.hosts.map((host) => ({ host, id: host.address })),
		dryRun,
		...(dryRun ? {} : { journal: await openJournal(dir, cluster.metadata.name) }),
		concurrency: concurrency as number,
		signal: abort.signal,
		shared,
		now: () => Date.now(),
		secret: (value) => redactor.add(value),
		emit(event) {
			events.push(event);
			if (event.kind === 'log') log.write(`[${event.host}] ${event.step}: ${event.line}`);
			else if (event.kind === 'plan') log.write(`[${event.host}] ${event.step}: would run: ${event.action}`);
			lines.event(event);
		},
		async connect(host) {
			const remote = await connect(connectOptions(cluster, host.host.address, io, {
				deadlineMs: (connectTimeout as number) * 1000,
				redactor,
				signal: abort.signal,
				...(sudoPassword !== undefined ? { sudoPassword } : {}),
			}));
			remotes.push(remote);
			return remote;
		},
	};
	say(`kubestrap reset${dryRun ? ' --dry-run' : ''} for cluster ${cluster.metadata.name}: ${selection.whole ? 'the whole cluster' : `removing ${[...scope.targets].join(', ')}`}; log: ${log.path}`);
	if (quorum) say(quorum);
	let code: number = EXIT.ok;
	try {
		const outcome = await runSteps(ctx, RESET_STEPS);
		for (const [host, why] of scope.unreachable) {
			say(`${host}: unreachable (${why}); it was skipped${scope.targets.has(host) ? ` — ${selection.whole ? 'clean it when it answers again' : 'its Node and etcd member were removed from the cluster; clean the host when it answers again'} with: ${resumeCommand(options)}` : ''}`);
		}
		if (outcome.interrupted) {
			say(`interrupted: running commands were stopped; what finished is kept. Resume with: ${resumeCommand(options)}`);
			code = EXIT.interrupted;
		} else if (outcome.failures.length > 0) {
			for (const failure of outcome.failures) say(`error: ${failure.error.message}`);
			say(`${outcome.failures.length} host${outcome.failures.length === 1 ? '' : 's'} failed; fix the cause, then run again (it resumes): ${resumeCommand(options)}`);
			say(`log: ${log.path}`);
			code = EXIT.failed;
		} else if (dryRun) {
			printPlan(cluster, events, io);
		} else if ([...scope.targets].some((host) => scope.unreachable.has(host))) {
			code = EXIT.failed;
		} else {
			if (selection.whole) {
				await clearJournal(dir);
				say(`reset done: ${scope.targets.size} host${scope.targets.size === 1 ? '' : 's'} clean, verified; the local journal of ${cluster.metadata.name} was cleared. Install again with: kubestrap install ${options.config ? `--config ${options.config} ` : ''}--yes`);
			} else {
				await forgetHosts(dir, [...scope.targets]);
				say(`removed: ${[...scope.targets].map((host) => `${host}${scope.nodeNames.has(host) ? ` (node ${scope.nodeNames.get(host)})` : ''}`).join(', ')}; Nodes deleted, etcd checked, hosts clean and verified`);
			}
		}
	} finally {
		await Promise.allSettled(remotes.map((remote) => remote.close()));
		io.signal?.removeEventListener('abort', onAbort);
		log.close();
		await lock?.release();
	}
	return code;
}
