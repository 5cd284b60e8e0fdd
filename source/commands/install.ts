// `kubestrap install` and `kubestrap plan`: from a valid spec, connect to every host and run the
// install steps (plan: the same steps as a dry run that prints, per host, what install would do).
// Local state (journal, lock, logs) lives in .kubestrap/<name>/; a re-run resumes.
import { join } from 'node:path';
import type { Outcome } from '../session/session.js';
import { stateDir } from '../session/state-dir.js';
import { writeFileAtomic } from '../session/write-file.js';
import { formatDuration, parseDuration } from '../spec/durations.js';
import { mergeLayers } from '../spec/merge.js';
import type { Cluster } from '../spec/types.js';
import { KUBECONFIG_PATH } from '../steps/list/fetch-kubeconfig.js';
import { CniRefused } from '../steps/cni/check.js';
import { INSTALL_STEPS } from '../steps/list/index.js';
import { READINESS, WAIT_READY } from '../steps/list/wait-ready.js';
import { AWS_FACTS, NETWORK_CHECK } from '../steps/list/network-check.js';
import { leaseRefusal } from '../steps/list/lease.js';
import { failureLine, withoutHost } from '../steps/runner.js';
import type { ReadinessResult } from '../steps/readiness.js';
import type { StepEvent } from '../steps/types.js';
import { EXIT } from './exit.js';
import { askSudoPassword, flagProblem, sshIdentity, wholeFlag, type Io } from './io.js';
import { jsonError } from './json-error.js';
import { awsPort, sessionHosts, openOrReport } from './session-io.js';
import { planLines } from '../ui/plan-lines.js';
import { runView, type RunView } from '../ui/run-view.js';
import { quote } from '../remote/quote.js';
import { flagGroups } from '../ui/equivalent-command.js';
import { printProblems, specFromOptions, treesFromOptions, type SpecOptions } from './spec-input.js';

export interface InstallOptions extends SpecOptions {
	yes?: boolean;
	/** leave out the network check after readiness */
	skipCheck?: boolean;
	dryRun?: boolean;
	verbose?: boolean;
	concurrency?: string;
	connectTimeout?: string;
	output?: string;
	askSudoPassword?: boolean;
	timeout?: string;
	awsFixSourceDestCheck?: boolean;
	awsFixSecurityGroups?: boolean;
}

/**
 * The command to run after a failure, printed in full (never a placeholder): for plan and --dry-run the
 * command as typed, which changes nothing; for a real install the install that resumes, with --yes.
 */
export function rerunCommand(cluster: Cluster, options: InstallOptions, io: Io, dryRun: boolean): string {
	const typed = io.argv ? [...io.argv] : undefined;
	if (dryRun) {
		if (typed !== undefined) return ['kubestrap', ...typed].map(quote).join(' ');
		const source = options.config !== undefined ? ['--config', options.config] : flagGroups(cluster).flat();
		return ['kubestrap', 'plan', ...source].map(quote).join(' ');
	}
	if (typed !== undefined && typed[0] === 'install' && (typed.includes('--yes') || typed.includes('-y'))) return ['kubestrap', ...typed].map(quote).join(' ');
	const source = options.config !== undefined ? ['--config', options.config] : flagGroups(cluster).flat();
	return ['kubestrap', 'install', ...source, '--yes'].map(quote).join(' ');
}

function printPlan(cluster: Cluster, events: StepEvent[], io: Io): void {
	const lines = planLines(cluster, events, { header: `Plan for cluster ${cluster.metadata.name}: what install would do, per host. Nothing was changed.`, stepWidth: 20, skipped: 'already done', idle: 'say' });
	io.stdout(`${lines.join('\n')}\n`);
}

function planJson(cluster: Cluster, events: StepEvent[]): string {
	const hosts = cluster.spec.hosts.map((host) => ({
		address: host.address,
		role: host.role,
		actions: events.filter((e): e is Extract<StepEvent, { kind: 'plan' }> => e.kind === 'plan' && e.host === host.address).map((e) => ({ step: e.step, action: e.action })),
		skipped: events.filter((e): e is Extract<StepEvent, { kind: 'host' }> => e.kind === 'host' && e.host === host.address && e.state === 'skipped').map((e) => ({ step: e.step, reason: e.detail ?? '' })),
	}));
	return `${JSON.stringify({ cluster: cluster.metadata.name, hosts }, null, 2)}\n`;
}

/** The closing lines once the cluster is ready, or why it is not. */
function readinessReport(result: ReadinessResult | undefined, f: { say(line: string): void; options: InstallOptions; kubeconfigPath: string; timeoutMs: number; logPath: string; first: string }): Promise<number> | number {
	const status = f.options.config ? `kubestrap status --config ${f.options.config}` : `kubectl --kubeconfig ${f.kubeconfigPath} get pods -A`;
	if (result?.outcome === 'ready') {
		const { podsReady, nodesReady } = result.verdict.summary;
		f.say(`ready: ${nodesReady} node${nodesReady === 1 ? '' : 's'} Ready, ${podsReady} pods ready, API answers through ${f.kubeconfigPath} (${formatDuration(result.elapsedMs)})`);
		f.say(`next: kubectl --kubeconfig ${f.kubeconfigPath} get nodes   ·   ${status}`);
		return EXIT.ok;
	}
	if (result === undefined || result.outcome === 'aborted') {
		f.say(`interrupted while waiting for readiness; the cluster is installed. Check it with: ${status}`);
		return EXIT.interrupted;
	}
	return (async () => {
		const { formatTimeoutReport } = await import('../cluster/health/index.js');
		if (result.verdict) {
			for (const line of formatTimeoutReport(result.verdict, result.events, { timeoutMs: f.timeoutMs, lookFurther: status })) f.say(line);
		} else {
			f.say(`not ready after ${formatDuration(f.timeoutMs)}: the API never answered kubectl on ${f.first}${result.lastError ? `: ${result.lastError}` : ''}`);
		}
		if (result.lastError) f.say(`last error: ${result.lastError}`);
		f.say(`log: ${f.logPath}`);
		return EXIT.failed;
	})();
}

/**
 * install on a terminal without --yes: the wizard asks what the file and flags left open and ends on
 * its review, from where the user installs or saves. Without a terminal nothing waits for input.
 */
async function interactive(options: InstallOptions, io: Io): Promise<number> {
	if (!io.tty) {
		const result = await specFromOptions(options, io);
		if (!result.ok) {
			printProblems(result, io);
			return EXIT.invalid;
		}
		io.stderr('install: no terminal to confirm on; add --yes to install without asking\n');
		return EXIT.invalid;
	}
	const { trees, problems } = await treesFromOptions(options, io);
	if (problems.length > 0) {
		printProblems({ problems }, io);
		return EXIT.invalid;
	}
	const { runWizard, blockingProblems } = await import('./wizard.js');
	const merged = mergeLayers(trees);
	const blocking = blockingProblems(merged.cluster, merged.provided);
	if (blocking.length > 0) {
		printProblems({ problems: blocking }, io);
		return EXIT.invalid;
	}
	const outcome = await runWizard({
		initialTrees: trees,
		io,
		terminal: io.tty,
		onInstall: () => undefined,
		sudoPasswordLater: options.askSudoPassword === true,
		awsFixes: { awsFixSourceDestCheck: options.awsFixSourceDestCheck === true, awsFixSecurityGroups: options.awsFixSecurityGroups === true },
	});
	if (outcome === 'aborted') return EXIT.interrupted;
	if (!outcome.install) return EXIT.ok;
	// "Install now" without saving: the spec is kept in the cluster's state directory, so the resume
	// command printed after a failure works.
	let config = outcome.savedPath;
	if (config === undefined) {
		const { clusterYaml } = await import('../spec/cluster-yaml.js');
		config = join(await stateDir(io.cwd, outcome.cluster.metadata.name), 'cluster.yaml');
		const { schemaLocation, writeSchemaBeside } = await import('./package-files.js');
		await writeFileAtomic(config, clusterYaml(outcome.cluster, schemaLocation()), 0o600);
		await writeSchemaBeside(config);
	}
	return runInstall(outcome.cluster, { ...options, config }, io, 'install');
}

export async function installCommand(options: InstallOptions, io: Io, mode: 'install' | 'plan'): Promise<number> {
	if (mode === 'install' && options.yes !== true && options.dryRun !== true) return interactive(options, io);
	const result = await specFromOptions(options, io);
	if (!result.ok) {
		printProblems(result, io);
		return EXIT.invalid;
	}
	return runInstall(result.cluster, options, io, mode);
}

async function runInstall(cluster: Cluster, options: InstallOptions, io: Io, mode: 'install' | 'plan'): Promise<number> {
	const concurrency = wholeFlag(options.concurrency, 10, '--concurrency');
	const connectTimeout = wholeFlag(options.connectTimeout, 120, '--connect-timeout');
	const timeout = parseDuration(options.timeout ?? '10m', '--timeout');
	if (flagProblem(io, [concurrency, connectTimeout, timeout])) return EXIT.invalid;
	const dryRun = mode === 'plan' || options.dryRun === true;
	// target aws: the instances found through EC2 as install found them, with the host keys their console output vouches for.
	const hosts = await sessionHosts(cluster, io, dryRun ? 'plan' : 'install', options);
	if (typeof hosts === 'number') return hosts;
	cluster = hosts.cluster;
	const sudo = await askSudoPassword(options.askSudoPassword === true, io);
	if (!sudo.ok) return EXIT.invalid;
	const sudoPassword = sudo.password;
	const json = mode === 'plan' && options.output === 'json';
	const events: StepEvent[] = [];
	let view: RunView | undefined;
	const session = await openOrReport({
		...sshIdentity(io),
		command: mode,
		cwd: io.cwd,
		dryRun,
		concurrency: concurrency as number,
		connectTimeoutMs: (connectTimeout as number) * 1000,
		readyTimeoutMs: timeout as number,
		...(io.argv ? { commandLine: ['kubestrap', ...io.argv].join(' ') } : {}),
		...(sudoPassword !== undefined ? { sudoPassword } : {}),
		...hosts,
		...(io.signal ? { signal: io.signal } : {}),
		onEvent(event) {
			events.push(event);
			view?.event(event);
		},
	}, io);
	if (typeof session === 'number') return session;
	// show: to the user only (the session logs step notes itself); say: to the log and the user.
	const show = (line: string): void => {
		if (!json) io.stderr(`${session.redact(line)}\n`);
	};
	const say = (line: string): void => {
		session.log.write(line);
		show(line);
	};
	let code: number = EXIT.ok;
	try {
		say(`kubestrap ${mode} for cluster ${cluster.metadata.name} (${cluster.spec.hosts.length} host${cluster.spec.hosts.length === 1 ? '' : 's'}); log: ${session.log.path}`);
		// A live view on a terminal (mounted once the header line is out); plain lines everywhere else
		// (CI, pipes, --verbose, -o json).
		view = await runView({ say, show, verbose: options.verbose === true, ...(io.terminal && !json ? { terminal: io.terminal } : {}), color: io.color === true, title: `cluster ${cluster.metadata.name}`, watchSteps: [WAIT_READY] });
		let outcome: Outcome;
		if (cluster.spec.target === 'aws' && !dryRun) {
			const aws = (await import('../session/aws-network.js')).awsFactsReader(cluster, awsPort(io));
			if (aws) session.ctx.shared.set(AWS_FACTS, aws);
		}
		try {
			// The network check is the last step; --skip-check leaves it out (install then reports readiness only).
			outcome = await session.run(options.skipCheck === true ? INSTALL_STEPS.filter((step) => step.id !== NETWORK_CHECK) : INSTALL_STEPS);
		} finally {
			await view.finish();
		}
		const readiness = session.ctx.shared.get(READINESS) as ReadinessResult | undefined;
		const waited = outcome.failures.some((failure) => failure.step === WAIT_READY) || (outcome.interrupted && readiness !== undefined);
		const refused = leaseRefusal(outcome.failures);
		if (refused !== undefined) {
			say(`error: ${refused}`);
			code = EXIT.failed;
		} else if (waited) {
			const kubeconfigPath = session.ctx.shared.get(KUBECONFIG_PATH);
			code = await readinessReport(readiness, { say, options, kubeconfigPath: typeof kubeconfigPath === 'string' ? kubeconfigPath : `${cluster.metadata.name}.kubeconfig`, timeoutMs: timeout as number, logPath: session.log.path, first: outcome.failures[0]?.host ?? '' });
		} else if (outcome.interrupted) {
			say(dryRun
				? `interrupted; nothing was changed. Run it again with: ${rerunCommand(cluster, options, io, true)}`
				: `interrupted: running commands were stopped and the journal saved; resume with: ${rerunCommand(cluster, options, io, false)}`);
			code = EXIT.interrupted;
		} else if (outcome.failures.length > 0 && outcome.failures.every((failure) => failure.error instanceof CniRefused)) {
			// An option the running cluster cannot take live: refused before any host was touched.
			for (const failure of outcome.failures) for (const line of (failure.error as CniRefused).lines) say(`refused: ${line}`);
			say('nothing was changed');
			code = EXIT.invalid;
		} else if (outcome.failures.length > 0) {
			for (const failure of outcome.failures) say(`error: ${failureLine(failure)}`);
			const hosts = `${outcome.failures.length} host${outcome.failures.length === 1 ? '' : 's'} failed`;
			say(dryRun
				? `${hosts}; nothing was changed. Fix the cause, then run it again: ${rerunCommand(cluster, options, io, true)}`
				: `${hosts}; what finished is kept. Fix the cause, then resume with: ${rerunCommand(cluster, options, io, false)}`);
			say(`log: ${session.log.path}`);
			code = EXIT.failed;
			if (json) {
				const hostLines = outcome.failures.map((f) => ({ host: f.host, step: f.step, message: session.redact(withoutHost(f.error.message, f.host)) }));
				const summary = `${hosts}; nothing was changed. Fix the cause, then run it again: ${rerunCommand(cluster, options, io, true)}`;
				io.stdout(jsonError(code, [...hostLines.map((h) => `${h.host}: ${h.step}: ${h.message}`), summary], [], hostLines));
			}
		} else if (dryRun) {
			if (json) io.stdout(planJson(cluster, events));
			else printPlan(cluster, events, io);
		} else {
			const kubeconfigPath = session.ctx.shared.get(KUBECONFIG_PATH);
			code = await readinessReport(readiness, { say, options, kubeconfigPath: typeof kubeconfigPath === 'string' ? kubeconfigPath : '', timeoutMs: timeout as number, logPath: session.log.path, first: '' });
		}
	} finally {
		await session.close();
	}
	return code;
}
