// `kubestrap install` and `kubestrap plan`: from a valid spec, connect to every host and run the
// install steps (plan: the same steps as a dry run that prints, per host, what install would do).
// Local state (journal, lock, logs) lives in .kubestrap/<name>/; a re-run resumes.
import { chmod } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { connect } from '../remote/connection.js';
import { createRedactor } from '../remote/redact.js';
import type { Remote } from '../remote/remote.js';
import type { TrustedHostKeys } from '../remote/host-key-check.js';
import type { Cluster } from '../spec/types.js';
import { INSTALL_STEPS } from '../steps/list/index.js';
import { KUBECONFIG } from '../steps/list/fetch-kubeconfig.js';
import { openJournal } from '../steps/journal.js';
import { acquireLock, LockedError, type Lock } from '../steps/lock.js';
import { runSteps, type RunOutcome } from '../steps/runner.js';
import { stateDir } from '../steps/state-dir.js';
import type { RunContext, StepEvent, StepHost } from '../steps/types.js';
import { EXIT } from './exit.js';
import { writeFileAtomic, type Io } from './io.js';
import { describeWriteFailure } from '../files/safe-write.js';
import { lineReporter } from './progress-lines.js';
import type { ProgressHandle } from '../ui/progress/mount.js';
import { openRunLog } from './run-log.js';
import { mergeLayers } from '../spec/merge.js';
import { printProblems, specFromOptions, treesFromOptions, type SpecOptions } from './spec-input.js';
import { formatDuration, parseDuration } from './duration.js';
import { readinessLines } from './readiness-lines.js';
import { checkReadyz } from './readyz.js';
import { connectOptions, retryLine } from './ssh-connect.js';

export interface InstallOptions extends SpecOptions {
	yes?: boolean;
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

function resumeCommand(options: InstallOptions): string {
	return options.config ? `kubestrap install --config ${options.config} --yes` : 'kubestrap install <the same flags> --yes';
}

function positive(value: string | undefined, fallback: number, flag: string): number | string {
	if (value === undefined) return fallback;
	return /^\d{1,4}$/.test(value) && Number(value) > 0 ? Number(value) : `${flag} ${JSON.stringify(value)} must be a whole number above 0`;
}

function hostsOf(cluster: Cluster): StepHost[] {
	return cluster.spec.hosts.map((host) => ({ host, id: host.address }));
}

function printPlan(cluster: Cluster, events: StepEvent[], io: Io): void {
	io.stdout(`Plan for cluster ${cluster.metadata.name}: what install would do, per host. Nothing was changed.\n`);
	for (const host of cluster.spec.hosts) {
		io.stdout(`\n${host.address} (${host.role})\n`);
		const actions = events.filter((e): e is Extract<StepEvent, { kind: 'plan' }> => e.kind === 'plan' && e.host === host.address);
		const skipped = events.filter((e): e is Extract<StepEvent, { kind: 'host' }> => e.kind === 'host' && e.host === host.address && e.state === 'skipped' && e.step !== 'connect');
		for (const action of actions) io.stdout(`  ${action.step.padEnd(20)} ${action.action}\n`);
		for (const skip of skipped) io.stdout(`  ${skip.step.padEnd(20)} (skip: ${skip.detail ?? 'already done'})\n`);
		if (actions.length === 0 && skipped.length === 0) io.stdout('  nothing to do\n');
	}
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

interface FinishContext {
	options: InstallOptions;
	io: Io;
	say(line: string): void;
	timeoutMs: number;
	signal: AbortSignal;
	logPath: string;
}

/** kubeadm's node names: the spec's name, else the host's hostname in lower case. */
function nodeNames(ctx: RunContext): string[] | undefined {
	const names = ctx.hosts.map((h) => h.host.name ?? h.facts?.hostname.toLowerCase());
	return names.every((name): name is string => typeof name === 'string' && name !== '') ? names : undefined;
}

/**
 * After the steps: the kubeconfig is written, then install waits until the cluster is really ready
 * (every node, the CNI, CoreDNS, every system pod, and /readyz through the new kubeconfig) and only
 * then says so. A timeout names what is not ready and why.
 */
async function finishInstall(ctx: RunContext, f: FinishContext): Promise<number> {
	const { cluster } = ctx;
	const kubeconfig = ctx.shared.get(KUBECONFIG);
	if (typeof kubeconfig !== 'string') throw new Error('install finished without a kubeconfig');
	const path = resolve(f.io.cwd, `${cluster.metadata.name}.kubeconfig`);
	try {
		await writeFileAtomic(path, kubeconfig, 0o600);
		await chmod(path, 0o600);
	} catch (error) {
		f.say(`kubeconfig not written: ${describeWriteFailure(path, error)}`);
		return EXIT.failed;
	}
	f.say(`kubeconfig: ${path} (mode 0600)`);
	const first = ctx.hosts.find((h) => h.host.role === 'control-plane');
	if (!first?.remote) throw new Error('install finished without a connection to the first control plane');
	const cni = cluster.spec.network.cni;
	f.say(`waiting up to ${formatDuration(f.timeoutMs)} for the cluster to be ready: every node, ${cni === 'cilium' ? 'Cilium' : 'Calico'}, CoreDNS, the system pods and the API through the new kubeconfig`);
	const lines = readinessLines(f.say);
	const table = f.io.terminal && f.options.verbose !== true
		? (await import('../ui/health/live.js')).mountLiveTable(f.io.terminal, f.io.color === true, `cluster ${cluster.metadata.name}`)
		: undefined;
	const names = nodeNames(ctx);
	const { watchReadiness } = await import('./readiness.js');
	let result: Awaited<ReturnType<typeof watchReadiness>>;
	try {
		result = await watchReadiness({
			remote: first.remote,
			cni,
			...(names ? { nodeNames: names } : {}),
			timeoutMs: f.timeoutMs,
			signal: f.signal,
			onVerdict(verdict, elapsedMs) {
				if (table) table.update(verdict, elapsedMs);
				else lines(verdict, elapsedMs);
			},
			apiCheck: () => checkReadyz(kubeconfig),
		});
	} finally {
		await table?.finish();
	}
	const status = f.options.config ? `kubestrap status --config ${f.options.config}` : `kubectl --kubeconfig ${path} get pods -A`;
	if (result.outcome === 'ready') {
		const { podsReady, nodesReady } = result.verdict.summary;
		f.say(`ready: ${nodesReady} node${nodesReady === 1 ? '' : 's'} Ready, ${podsReady} pods ready, API answers through ${path} (${formatDuration(result.elapsedMs)})`);
		f.say(`next: kubectl --kubeconfig ${path} get nodes   ·   ${status}`);
		return EXIT.ok;
	}
	if (result.outcome === 'aborted') {
		f.say(`interrupted while waiting for readiness; the cluster is installed. Check it with: ${status}`);
		return EXIT.interrupted;
	}
	const { formatTimeoutReport } = await import('../cluster/health/index.js');
	if (result.verdict) {
		for (const line of formatTimeoutReport(result.verdict, result.events, { timeoutMs: f.timeoutMs, lookFurther: status })) f.say(line);
	} else {
		f.say(`not ready after ${formatDuration(f.timeoutMs)}: the API never answered kubectl on ${first.id}${result.lastError ? `: ${result.lastError}` : ''}`);
	}
	if (result.lastError) f.say(`last error: ${result.lastError}`);
	f.say(`log: ${f.logPath}`);
	return EXIT.failed;
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
		await writeFileAtomic(config, clusterYaml(outcome.cluster), 0o600);
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
	const concurrency = positive(options.concurrency, 10, '--concurrency');
	const connectTimeout = positive(options.connectTimeout, 120, '--connect-timeout');
	const timeout = parseDuration(options.timeout ?? '10m', '--timeout');
	for (const value of [concurrency, connectTimeout, timeout]) {
		if (typeof value === 'string') {
			io.stderr(`${value}\n`);
			return EXIT.invalid;
		}
	}
	const dryRun = mode === 'plan' || options.dryRun === true;
	// target aws: discovery and every AWS check before any SSH connection; the instances become spec.hosts.
	let hostKeys: Map<string, TrustedHostKeys> | undefined;
	if (cluster.spec.target === 'aws') {
		const { prepareAws } = await import('./aws.js');
		const prepared = await prepareAws(cluster, options, io, dryRun);
		if (typeof prepared === 'number') return prepared;
		cluster = prepared.cluster;
		hostKeys = prepared.hostKeys;
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
	const log = openRunLog(dir, mode, new Date(), redactor);
	const json = mode === 'plan' && options.output === 'json';
	const say = (line: string): void => {
		log.write(line);
		if (!json) io.stderr(`${redactor.redact(line)}\n`);
	};
	// A live view on a terminal (mounted once the header line is out); plain lines everywhere else
	// (CI, pipes, --verbose, -o json).
	const lines = lineReporter(say, options.verbose === true);
	let live: ProgressHandle | undefined;
	const reporter = { event: (event: StepEvent): void => (live ?? lines).event(event) };
	const events: StepEvent[] = [];
	const remotes: Remote[] = [];
	const abort = new AbortController();
	const onAbort = (): void => abort.abort();
	io.signal?.addEventListener('abort', onAbort, { once: true });

	const ctx: RunContext = {
		cluster,
		hosts: hostsOf(cluster),
		dryRun,
		journal: dryRun ? undefined : await openJournal(dir, cluster.metadata.name),
		concurrency: concurrency as number,
		signal: abort.signal,
		shared: new Map(),
		now: () => Date.now(),
		secret: (value) => redactor.add(value),
		emit(event) {
			events.push(event);
			if (event.kind === 'log') log.write(`[${event.host}] ${event.step}: ${event.line}`);
			else if (event.kind === 'plan') log.write(`[${event.host}] ${event.step}: would run: ${event.action}`);
			reporter.event(event);
		},
		async connect(host) {
			const remote = await connect(connectOptions(cluster, host.host.address, io, {
				...(hostKeys?.has(host.host.address) ? { trustedHostKeys: hostKeys.get(host.host.address) as TrustedHostKeys } : {}),
				deadlineMs: (connectTimeout as number) * 1000,
				redactor,
				signal: abort.signal,
				...(sudoPassword !== undefined ? { sudoPassword } : {}),
				// Each retry is shown (live view tail, or a plain line) and logged, so a long wait is never silent.
				onRetry: (info) => {
					const line = retryLine(info, (connectTimeout as number) * 1000);
					ctx.emit({ kind: 'log', step: 'connect', host: host.id, stream: 'stderr', line });
					if (!live && options.verbose !== true && !json) io.stderr(`  … ${redactor.redact(line)}\n`);
				},
			}));
			remotes.push(remote);
			return remote;
		},
	};

	const header = `kubestrap ${mode} for cluster ${cluster.metadata.name} (${cluster.spec.hosts.length} host${cluster.spec.hosts.length === 1 ? '' : 's'}); log: ${log.path}`;
	say(header);
	if (io.terminal && !json && options.verbose !== true) live = (await import('../ui/progress/mount.js')).mountProgress(io.terminal, io.color === true);
	let outcome: RunOutcome;
	let code: number = EXIT.ok;
	try {
		try {
			outcome = await runSteps(ctx, INSTALL_STEPS);
		} finally {
			await live?.finish();
		}
		if (outcome.interrupted) {
			say(`interrupted: running commands were stopped and the journal saved; resume with: ${resumeCommand(options)}`);
			code = EXIT.interrupted;
		} else if (outcome.failures.length > 0) {
			for (const failure of outcome.failures) say(`error: ${failure.error.message}`);
			say(`${outcome.failures.length} host${outcome.failures.length === 1 ? '' : 's'} failed; what finished is kept. Fix the cause, then resume with: ${resumeCommand(options)}`);
			say(`log: ${log.path}`);
			code = EXIT.failed;
		} else if (dryRun) {
			if (json) io.stdout(planJson(cluster, events));
			else printPlan(cluster, events, io);
		} else {
			code = await finishInstall(ctx, { options, io, say, timeoutMs: timeout as number, signal: abort.signal, logPath: log.path });
		}
	} finally {
		for (const remote of remotes) log.write(`[${remote.host}] ssh connections opened: ${remote.stats.connectionsOpened}, commands run: ${remote.stats.commandsRun}`);
		await Promise.allSettled(remotes.map((remote) => remote.close()));
		io.signal?.removeEventListener('abort', onAbort);
	}
	const cpu = process.cpuUsage();
	log.write(`kubestrap cpu time: ${Math.round((cpu.user + cpu.system) / 1000)} ms`);
	log.close();
	await lock?.release();
	return code;
}
