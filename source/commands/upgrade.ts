// `kubestrap upgrade`: reads what every node runs, prints the plan (hops one minor at a time, the CNI
// change), refuses what cannot be upgraded before any host is touched (exit 2), asks, then runs the
// hops' steps in kubeadm's order. The journal lets a stopped run resume.
import { createRedactor } from '../remote/redact.js';
import { connect } from '../remote/connection.js';
import type { Remote } from '../remote/remote.js';
import { planUpgrade, type UpgradePlan } from '../cluster/upgrade/plan.js';
import { planLines } from '../cluster/upgrade/format.js';
import { connectStep } from '../steps/list/connect.js';
import { gatherFactsStep } from '../steps/list/gather-facts.js';
import { applyCniStep } from '../steps/list/apply-cni.js';
import { firstControlPlane } from '../steps/list/init-control-plane.js';
import { openJournal } from '../steps/journal.js';
import { acquireLock, LockedError, type Lock } from '../steps/lock.js';
import { runSteps } from '../steps/runner.js';
import { stateDir } from '../steps/state-dir.js';
import type { RunContext, Step, StepEvent } from '../steps/types.js';
import { readClusterState, type ClusterState } from '../steps/upgrade/cluster-state.js';
import { hopSteps } from '../steps/upgrade/hop.js';
import { resolveKubernetesVersion } from '../spec/versions.js';
import type { Cluster } from '../spec/types.js';
import { EXIT, type Io } from './io.js';
import { lineReporter } from './progress-lines.js';
import { openRunLog } from './run-log.js';
import { printProblems, specFromOptions, type SpecOptions } from './spec-input.js';
import { connectOptions } from './ssh-connect.js';

export interface UpgradeOptions extends SpecOptions {
	yes?: boolean;
	dryRun?: boolean;
	verbose?: boolean;
	maxUnavailable?: string;
	connectTimeout?: string;
}

function resumeCommand(options: UpgradeOptions): string {
	return options.config ? `kubestrap upgrade --config ${options.config} --yes` : 'kubestrap upgrade <the same flags> --yes';
}

function whole(value: string | undefined, fallback: number, flag: string): number | string {
	if (value === undefined) return fallback;
	return /^\d{1,4}$/.test(value) && Number(value) > 0 ? Number(value) : `${flag} ${JSON.stringify(value)} must be a whole number above 0`;
}

async function confirm(io: Io, cluster: Cluster): Promise<boolean> {
	if (!io.askSecret) return false;
	const answer = await io.askSecret(`type the cluster name (${cluster.metadata.name}) to upgrade it: `);
	return answer.trim() === cluster.metadata.name;
}

export async function upgradeCommand(options: UpgradeOptions, io: Io): Promise<number> {
	const spec = await specFromOptions(options, io);
	if (!spec.ok) {
		printProblems(spec, io);
		return EXIT.invalid;
	}
	const cluster = spec.cluster;
	const maxUnavailable = whole(options.maxUnavailable, 1, '--max-unavailable');
	const connectTimeout = whole(options.connectTimeout, 120, '--connect-timeout');
	for (const value of [maxUnavailable, connectTimeout]) {
		if (typeof value === 'string') {
			io.stderr(`${value}\n`);
			return EXIT.invalid;
		}
	}
	if (cluster.spec.target !== 'baremetal') {
		io.stderr('upgrade: target aws is not supported by upgrade yet; list the instances as baremetal hosts\n');
		return EXIT.invalid;
	}
	const target = resolveKubernetesVersion(cluster.spec.kubernetes.version, cluster.spec.network.cni);
	if (typeof target === 'string') {
		io.stderr(`spec.kubernetes.version: ${target}\n`);
		return EXIT.invalid;
	}
	if (options.yes !== true && options.dryRun !== true && !io.askSecret) {
		io.stderr('upgrade: no terminal to confirm on; add --yes to upgrade without asking (or --dry-run to see the plan)\n');
		return EXIT.invalid;
	}
	const dir = await stateDir(io.cwd, cluster.metadata.name);
	const dryRun = options.dryRun === true;
	let lock: Lock | undefined;
	try {
		lock = await acquireLock(dir);
	} catch (error) {
		if (error instanceof LockedError) {
			io.stderr(`${error.message}\n`);
			return EXIT.failed;
		}
		throw error;
	}
	const redactor = createRedactor();
	const log = openRunLog(dir, 'upgrade', new Date(), redactor);
	const say = (line: string): void => {
		log.write(line);
		io.stderr(`${redactor.redact(line)}\n`);
	};
	const lines = lineReporter(say, options.verbose === true);
	const remotes: Remote[] = [];
	const abort = new AbortController();
	const onAbort = (): void => abort.abort();
	io.signal?.addEventListener('abort', onAbort, { once: true });
	const events: StepEvent[] = [];
	const ctx: RunContext = {
		cluster,
		hosts: cluster.spec.hosts.map((host) => ({ host, id: host.address })),
		dryRun: false,
		journal: await openJournal(dir, cluster.metadata.name),
		concurrency: maxUnavailable as number,
		signal: abort.signal,
		shared: new Map(),
		now: () => Date.now(),
		secret: (value) => redactor.add(value),
		emit(event) {
			events.push(event);
			if (event.kind === 'log') log.write(`[${event.host}] ${event.step}: ${event.line}`);
			else if (event.kind === 'plan') log.write(`[${event.host}] ${event.step}: would run: ${event.action}`);
			lines.event(event);
		},
		async connect(host) {
			const remote = await connect(connectOptions(cluster, host.host.address, io, { deadlineMs: (connectTimeout as number) * 1000, redactor, signal: abort.signal }));
			remotes.push(remote);
			return remote;
		},
	};
	say(`kubestrap upgrade for cluster ${cluster.metadata.name}; log: ${log.path}`);
	let code: number = EXIT.ok;
	try {
		code = await upgrade(ctx, { options, io, say, dryRun, target: { minor: target.minor.minor, ...(target.patch ? { patch: target.patch } : {}) } });
	} finally {
		await Promise.allSettled(remotes.map((remote) => remote.close()));
		io.signal?.removeEventListener('abort', onAbort);
		const cpu = process.cpuUsage();
		log.write(`kubestrap cpu time: ${Math.round((cpu.user + cpu.system) / 1000)} ms`);
		log.close();
		await lock?.release();
	}
	return code;
}

interface UpgradeRun {
	options: UpgradeOptions;
	io: Io;
	say(line: string): void;
	dryRun: boolean;
	target: { minor: string; patch?: string };
}

function cniName(cluster: Cluster): string {
	return cluster.spec.network.cni === 'cilium' ? 'Cilium' : 'Calico';
}

function stepsOf(plan: UpgradePlan): Step[] {
	const cni = plan.cni ? applyCniStep : undefined;
	const steps: Step[] = [];
	for (const [i, hop] of plan.hops.entries()) steps.push(...hopSteps(hop, i === 0 ? cni : undefined));
	if (plan.hops.length === 0 && cni) steps.push(cni);
	return steps;
}

async function upgrade(ctx: RunContext, run: UpgradeRun): Promise<number> {
	const { say } = run;
	const reach = await runSteps(ctx, [connectStep, gatherFactsStep]);
	if (reach.failures.length > 0 || reach.interrupted) {
		for (const failure of reach.failures) say(`error: ${failure.error.message}`);
		say('upgrade refused: every host must be reachable before anything changes; nothing was touched');
		return reach.interrupted ? EXIT.interrupted : EXIT.invalid;
	}
	let state: ClusterState;
	try {
		state = await readClusterState(ctx, 'read-cluster', firstControlPlane(ctx));
	} catch (error) {
		say(`error: reading the cluster: ${(error as Error).message}`);
		return EXIT.failed;
	}
	const plan = planUpgrade({ nodes: state.nodes, apiServer: state.apiServer, target: run.target, cni: ctx.cluster.spec.network.cni, ...(state.cniRunning ? { cniRunning: state.cniRunning } : {}) });
	const targetText = run.target.patch ? `v${run.target.patch}` : `the newest ${run.target.minor} patch`;
	for (const line of planLines(plan, state.nodes, state.apiServer, targetText, cniName(ctx.cluster))) say(line);
	const missing = ctx.hosts.filter((h) => !state.nodes.some((n) => n.name === (h.host.name ?? h.facts?.hostname.toLowerCase())));
	for (const host of missing) plan.problems.push(`host ${host.id} is not a node of this cluster (no Node named ${host.host.name ?? host.facts?.hostname.toLowerCase()}); add it with kubestrap install first`);
	if (plan.problems.length > 0) {
		for (const problem of plan.problems) say(`refused: ${problem}`);
		say('nothing was changed');
		return EXIT.invalid;
	}
	if (run.dryRun) {
		ctx.dryRun = true;
		await runSteps(ctx, stepsOf(plan));
		say('dry run: nothing was changed');
		return EXIT.ok;
	}
	if (run.options.yes !== true && !(await confirm(run.io, ctx.cluster))) {
		say('not confirmed; nothing was changed');
		return EXIT.invalid;
	}
	const outcome = await runSteps(ctx, stepsOf(plan));
	if (outcome.interrupted) {
		say(`interrupted: the journal is saved; resume with: ${resumeCommand(run.options)} (a node being worked on may be cordoned; the resumed run finishes and uncordons it)`);
		return EXIT.interrupted;
	}
	if (outcome.failures.length > 0) {
		for (const failure of outcome.failures) say(`error: ${failure.error.message}`);
		say(`the upgrade stopped; what finished is kept. Fix the cause, then resume with: ${resumeCommand(run.options)}`);
		return EXIT.failed;
	}
	const after = await readClusterState(ctx, 'read-cluster', firstControlPlane(ctx));
	say(`upgraded: control plane v${after.apiServer}; ${after.nodes.map((n) => `${n.name} v${n.kubelet}${n.ready ? '' : ' NotReady'}${n.unschedulable ? ' cordoned' : ''}`).join(', ')}${after.cniRunning ? `; ${cniName(ctx.cluster)} ${after.cniRunning}` : ''}`);
	return after.nodes.every((n) => n.ready && !n.unschedulable && n.kubelet === after.apiServer) ? EXIT.ok : EXIT.failed;
}
