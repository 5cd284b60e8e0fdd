// `kubestrap upgrade`: reads what every node runs, prints the plan (hops one minor at a time, the CNI
// change), refuses what cannot be upgraded before any host is touched (exit 2), asks, then runs the
// hops' steps in kubeadm's order. The journal lets a stopped run resume.
import { planUpgrade, type UpgradePlan } from '../cluster/upgrade/plan.js';
import { planLines } from '../cluster/upgrade/format.js';
import type { Session } from '../session/session.js';
import { connectStep } from '../steps/list/connect.js';
import { gatherFactsStep } from '../steps/list/gather-facts.js';
import { leaseRefusal, leaseStep } from '../steps/list/lease.js';
import { applyCniStep } from '../steps/list/apply-cni.js';
import { cniPlanLines, planCni, type CniPlan } from '../steps/cni/check.js';
import { ciliumPreflightStep } from '../steps/cni/preflight.js';
import { restartAgentsStep } from '../steps/cni/restart.js';
import { poolAfterStep, poolBeforeStep } from '../steps/cni/pool.js';
import { firstControlPlane } from '../steps/list/init-control-plane.js';
import type { Step, StepEvent } from '../steps/types.js';
import { readClusterState, type ClusterState } from '../steps/upgrade/cluster-state.js';
import { hopSteps, hopTarget } from '../steps/upgrade/hop.js';
import { cordonedLines, leftCordoned } from '../steps/upgrade/cordoned.js';
import { failureLine } from '../steps/runner.js';
import { resolveKubernetesVersion } from '../spec/versions.js';
import type { Cluster } from '../spec/types.js';
import { EXIT, flagProblem, sshIdentity, wholeFlag, type Io } from './io.js';
import { runView, type RunView } from '../ui/run-view.js';
import { printProblems, specFromOptions, type SpecOptions } from './spec-input.js';
import { sessionHosts, openOrReport, type HostDeps } from './session-io.js';
import { encapsulationProblems } from '../cluster/cni/change.js';

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

async function confirm(io: Io, cluster: Cluster): Promise<boolean> {
	if (!io.askLine) return false;
	const answer = await io.askLine(`type the cluster name (${cluster.metadata.name}) to upgrade it: `);
	return answer.trim() === cluster.metadata.name;
}

export async function upgradeCommand(options: UpgradeOptions, io: Io, deps: HostDeps = {}): Promise<number> {
	const spec = await specFromOptions(options, io);
	if (!spec.ok) {
		printProblems(spec, io);
		return EXIT.invalid;
	}
	let cluster = spec.cluster;
	const maxUnavailable = wholeFlag(options.maxUnavailable, 1, '--max-unavailable');
	const connectTimeout = wholeFlag(options.connectTimeout, 120, '--connect-timeout');
	if (flagProblem(io, [maxUnavailable, connectTimeout])) return EXIT.invalid;
	const target = resolveKubernetesVersion(cluster.spec.kubernetes.version, cluster.spec.network.cni);
	if (typeof target === 'string') {
		io.stderr(`spec.kubernetes.version: ${target}\n`);
		return EXIT.invalid;
	}
	if (options.yes !== true && options.dryRun !== true && !io.askLine) {
		io.stderr('upgrade: no terminal to confirm on; add --yes to upgrade without asking (or --dry-run to see the plan)\n');
		return EXIT.invalid;
	}
	// target aws: the instances found through EC2 as install found them, with the host keys their console output vouches for.
	const hosts = await sessionHosts(cluster, io, 'day2', {}, deps.aws);
	if (typeof hosts === 'number') return hosts;
	cluster = hosts.cluster;
	const events: StepEvent[] = [];
	let view: RunView | undefined;
	// Not a dry-run session even for --dry-run: the plan is printed from reads, and the lock keeps a
	// second upgrade out while this one reads; the hop steps themselves run with ctx.dryRun set.
	const session = await openOrReport({
		...sshIdentity(io), command: 'upgrade', cwd: io.cwd, dryRun: false,
		concurrency: maxUnavailable as number, connectTimeoutMs: (connectTimeout as number) * 1000,
		...(io.argv ? { commandLine: ['kubestrap', ...io.argv].join(' ') } : {}),
		...hosts,
		...(deps.connectWith ? { connectWith: deps.connectWith } : {}),
		...(io.signal ? { signal: io.signal } : {}),
		onEvent(event) { events.push(event); view?.event(event); },
	}, io);
	if (typeof session === 'number') return session;
	// show: to the user only (the session logs step notes itself); say: to the log and the user.
	const show = (line: string): void => void io.stderr(`${session.redact(line)}\n`);
	const say = (line: string): void => {
		session.log.write(line);
		show(line);
	};
	say(`kubestrap upgrade for cluster ${cluster.metadata.name}; log: ${session.log.path}`);
	try {
		// Plain lines while the plan is printed and the cluster name asked for: a live view redrawing
		// underneath would overwrite the plan and hide the question. It takes over once the user agreed.
		const lines = { say, show, verbose: options.verbose === true, color: io.color === true, title: `cluster ${cluster.metadata.name}`, watchSteps: [] };
		view = await runView(lines);
		const goLive = async (): Promise<RunView> => {
			await view?.finish();
			view = await runView({ ...lines, ...(io.terminal ? { terminal: io.terminal } : {}) });
			return view;
		};
		return await upgrade(session, { options, io, say, awsFindings: hosts.awsFindings ?? [], dryRun: options.dryRun === true, target: { minor: target.minor.minor, ...(target.patch ? { patch: target.patch } : {}) }, view, goLive });
	} finally {
		await view?.finish();
		await session.close();
	}
}

interface UpgradeRun {
	options: UpgradeOptions;
	io: Io;
	say(line: string): void;
	/** target aws: what the EC2 checks found (warnings for an upgrade, but they refuse an encapsulation change) */
	awsFindings: readonly { path: string; message: string }[];
	dryRun: boolean;
	target: { minor: string; patch?: string };
	/** the view the steps report to: plain lines while reading, planning and asking */
	view: RunView;
	/** replaces the plain view with the live one (on a terminal) for the steps that change the cluster */
	goLive(): Promise<RunView>;
}

function cniName(cluster: Cluster): string {
	return cluster.spec.network.cni === 'cilium' ? 'Cilium' : 'Calico';
}

/**
 * The CNI's steps: Cilium's pre-flight image pull (only when its release changes), the server-side apply,
 * then the agents — rolled by their DaemonSet for a new release, restarted node by node for a changed
 * configuration — and the operator; Calico's IP pool edit on the side of them its backend change needs.
 */
const CNI_STEPS: readonly Step[] = [ciliumPreflightStep, poolBeforeStep, applyCniStep, restartAgentsStep, poolAfterStep];

function stepsOf(plan: UpgradePlan, cniChanges: boolean): Step[] {
	const cni = plan.cni || cniChanges ? CNI_STEPS : undefined;
	const steps: Step[] = [];
	for (const [i, hop] of plan.hops.entries()) steps.push(...hopSteps(hop, i === 0 ? cni : undefined));
	if (plan.hops.length === 0 && cni) steps.push(...cni);
	return steps;
}

async function upgrade(session: Session, run: UpgradeRun): Promise<number> {
	const { say } = run;
	const ctx = session.ctx;
	const reach = await session.run(run.dryRun ? [connectStep, gatherFactsStep] : [connectStep, leaseStep, gatherFactsStep]);
	const refused = leaseRefusal(reach.failures);
	if (refused !== undefined) {
		say(`error: ${refused}`);
		return EXIT.failed;
	}
	if (reach.failures.length > 0 || reach.interrupted) {
		for (const failure of reach.failures) say(`error: ${failureLine(failure)}`);
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
	let cniPlan: CniPlan;
	try {
		cniPlan = await planCni(ctx, 'read-cluster', firstControlPlane(ctx), { path: false });
	} catch (error) {
		say(`error: reading the CNI: ${(error as Error).message}`);
		return EXIT.failed;
	}
	const plan = planUpgrade({ nodes: state.nodes, apiServer: state.apiServer, target: run.target, cni: ctx.cluster.spec.network.cni, ...(state.cniRunning ? { cniRunning: state.cniRunning } : {}) });
	// The exact target when the host can already say it (its repository points at the target minor): a read,
	// before anything is asked or changed; otherwise the plan says when it will be asked.
	const last = plan.hops.at(-1);
	const settled = last === undefined ? undefined : await hopTarget(ctx, 'read-cluster', firstControlPlane(ctx), last, false);
	const targetText = settled?.version !== undefined ? `v${settled.version}` : run.target.patch ? `v${run.target.patch}` : `the newest ${run.target.minor} patch`;
	for (const line of planLines(plan, state.nodes, state.apiServer, targetText, cniName(ctx.cluster))) say(line);
	if (settled !== undefined) say(`Kubernetes target: ${settled.version !== undefined ? `v${settled.version} (${settled.why})` : settled.why}`);
	// The CNI's own changes: the pre-flight and upgradeCompatibility of a new release, the configuration keys old → new.
	for (const line of cniPlanLines({ ...cniPlan, release: undefined }, cniName(ctx.cluster))) say(line);
	if (plan.cni && ctx.cluster.spec.network.cni === 'cilium') say(`  Cilium's path: pre-flight image pull on every node, upgradeCompatibility ${cniPlan.live.firstMinor ?? '?'} (the first installed minor), then the agents roll`);
	plan.problems.push(...cniPlan.change.refusals, ...encapsulationProblems(cniPlan.change, run.awsFindings));
	const missing = ctx.hosts.filter((h) => !state.nodes.some((n) => n.name === (h.host.name ?? h.facts?.hostname.toLowerCase())));
	for (const host of missing) plan.problems.push(`host ${host.id} is not a node of this cluster (no Node named ${host.host.name ?? host.facts?.hostname.toLowerCase()}); add it with kubestrap install first`);
	if (plan.problems.length > 0) {
		for (const problem of plan.problems) say(`refused: ${problem}`);
		say('nothing was changed');
		return EXIT.invalid;
	}
	if (run.dryRun) {
		ctx.dryRun = true;
		await session.run(stepsOf(plan, cniPlan.change.changes.length > 0));
		await run.view.finish();
		say('dry run: nothing was changed');
		return EXIT.ok;
	}
	if (run.options.yes !== true && !(await confirm(run.io, ctx.cluster))) {
		say('not confirmed; nothing was changed');
		return EXIT.invalid;
	}
	const live = await run.goLive();
	const outcome = await session.run(stepsOf(plan, cniPlan.change.changes.length > 0));
	await live.finish();
	// Whatever stopped the run, every node it drained and did not uncordon is named (checked against the API).
	const cordoned = outcome.interrupted || outcome.failures.length > 0 ? cordonedLines(await leftCordoned(ctx, firstControlPlane(ctx)), 'the resumed run') : [];
	if (outcome.interrupted) {
		say(`interrupted: the journal is saved; resume with: ${resumeCommand(run.options)}`);
		for (const line of cordoned.length > 0 ? cordoned : ['no node is left cordoned']) say(line);
		return EXIT.interrupted;
	}
	if (outcome.failures.length > 0) {
		for (const failure of outcome.failures) say(`error: ${failureLine(failure)}`);
		for (const line of cordoned) say(line);
		say(`the upgrade stopped; what finished is kept. Fix the cause, then resume with: ${resumeCommand(run.options)}`);
		return EXIT.failed;
	}
	const after = await readClusterState(ctx, 'read-cluster', firstControlPlane(ctx));
	// A run that found everything at the target (a re-run) says so rather than "upgraded".
	const moved = after.apiServer !== state.apiServer || after.cniRunning !== state.cniRunning || after.nodes.some((n) => state.nodes.find((o) => o.name === n.name)?.kubelet !== n.kubelet);
	say(`${moved ? 'upgraded' : 'nothing to upgrade, already at the target'}: control plane v${after.apiServer}; ${after.nodes.map((n) => `${n.name} v${n.kubelet}${n.ready ? '' : ' NotReady'}${n.unschedulable ? ' cordoned' : ''}`).join(', ')}${after.cniRunning ? `; ${cniName(ctx.cluster)} ${after.cniRunning}` : ''}`);
	return after.nodes.every((n) => n.ready && !n.unschedulable && n.kubelet === after.apiServer) ? EXIT.ok : EXIT.failed;
}
