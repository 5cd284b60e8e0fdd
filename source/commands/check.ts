// `kubestrap check`: proves the cluster's network (same-node, cross-node, node-to-pod, ClusterIP,
// Service name, kubernetes.default, NodePort) per node pair, and maps each failure to a cause and fix.
// kubectl runs on the first control plane over SSH (--config), or locally with --kubeconfig.
import { datapathFromSpec } from '../cluster/check/datapath.js';
import { gridLines, summaryLines, type CheckReport } from '../cluster/check/report.js';
import type { ProbeResult } from '../cluster/check/types.js';
import type { Cluster } from '../spec/types.js';
import { localKubectl, sshKubectl, type KubectlRunner } from '../steps/check/kubectl-runner.js';
import { runCheck, type CheckOptions, type CheckOutcome, type CheckProgress } from '../steps/check/run.js';
import { parseDuration } from '../spec/durations.js';
import { EXIT } from './exit.js';
import { flagProblem, type Io } from './io.js';
import type { Session } from '../session/session.js';
import { awsPort, clusterFromOptions, reachFirstControlPlane } from './session-io.js';
import type { AwsDeps } from '../session/aws-hosts.js';
import { sleep } from '../steps/sleep.js';
import type { SpecOptions } from './spec-input.js';

export interface CheckCommandOptions extends SpecOptions {
	kubeconfig?: string;
	output?: string;
	keep?: boolean;
	timeout?: string;
	external?: string;
	connectTimeout?: string;
}

const EXTERNAL = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\d{1,3}(?:\.\d{1,3}){3})(?::\d{1,5})?$/;


function resultLine(r: ProbeResult): string {
	const pair = r.probe.to !== undefined && r.probe.to !== r.probe.from ? `${r.probe.from} → ${r.probe.to}` : r.probe.from;
	return `${r.outcome === 'pass' ? '✓' : '✗'} ${r.probe.path.padEnd(14)} ${pair} (${r.probe.target || 'no target'})${r.outcome === 'fail' ? `: ${r.detail}` : ''}`;
}

/** Where the check runs and how its lines are printed; shared with install's last step. */
export interface CheckRun {
	kubectl: KubectlRunner;
	cluster?: Cluster;
	timeoutMs: number;
	keep: boolean;
	external?: string;
	json: boolean;
	io: Io;
	signal: AbortSignal;
	/** progress and result lines (stderr, the run log) */
	say(line: string): void;
	/** target aws: EC2's facts for the causes of failed pairs */
	aws?: CheckOptions['aws'];
}

/** Runs the check with a live grid on a terminal, plain lines elsewhere; returns the outcome. */
export async function runNetworkCheck(c: CheckRun): Promise<CheckOutcome> {
	const grid = c.io.terminal && !c.json ? (await import('../ui/check/grid.js')).mountCheckGrid(c.io.terminal, c.io.color === true) : undefined;
	const printed = new Set<string>();
	let lastPhase = '';
	const onProgress = (p: CheckProgress): void => {
		if (grid) {
			grid.update(p);
			return;
		}
		if (c.json) return;
		if (p.phase !== lastPhase && p.phase !== 'done') {
			lastPhase = p.phase;
			c.say(`check: ${p.phase === 'setup' ? 'creating the check namespace' : p.phase === 'echo' ? `waiting for the echo pods on ${p.nodes.length} node${p.nodes.length === 1 ? '' : 's'}` : p.phase === 'probing' ? `probing ${p.results.length} paths` : 'deleting the check namespace'}`);
		}
		for (const r of p.results) {
			if (r.outcome === 'pending' || printed.has(r.probe.id)) continue;
			printed.add(r.probe.id);
			c.say(resultLine(r));
		}
	};
	let outcome: CheckOutcome;
	try {
		outcome = await runCheck({
			kubectl: c.kubectl,
			...(c.cluster ? { datapath: datapathFromSpec(c.cluster, !(c.cluster.spec.network.cni === 'cilium' && c.cluster.spec.network.cilium.kubeProxyReplacement)) } : {}),
			timeoutMs: c.timeoutMs,
			keep: c.keep,
			...(c.external ? { external: c.external } : {}),
			signal: c.signal,
			now: () => Date.now(),
			sleep,
			onProgress,
			log: (line) => c.say(`check: ${line}`),
			...(c.aws ? { aws: c.aws } : {}),
		});
	} finally {
		await grid?.finish();
	}
	return outcome;
}

/** The report as text: the grid (without a terminal; the live grid stays on screen with one), then the causes. */
export function reportText(report: CheckReport, withGrid: boolean): string[] {
	const results: ProbeResult[] = report.paths.map((p) => ({ probe: { id: p.id, path: p.path, from: p.from, ...(p.to !== undefined ? { to: p.to } : {}), target: p.target, how: 'connect', hostNetwork: p.path === 'node-to-pod' }, outcome: p.result === 'not-run' ? 'pending' : p.result, detail: p.detail ?? '' }));
	return [
		...(withGrid ? [...gridLines(report.nodes, results), report.nodes.map((n, i) => `${i + 1}=${n.name}`).join('  ')] : []),
		...summaryLines(report),
	];
}

export async function checkCommand(options: CheckCommandOptions, io: Io, deps: Pick<AwsDeps, 'ec2' | 'retry'> = {}): Promise<number> {
	const json = options.output === 'json';
	const timeout = parseDuration(options.timeout ?? '3m', '--timeout');
	const connectTimeout = parseDuration(options.connectTimeout ?? '30', '--connect-timeout');
	if (flagProblem(io, [timeout, connectTimeout])) return EXIT.invalid;
	if (options.external !== undefined && !EXTERNAL.test(options.external)) {
		io.stderr(`--external ${JSON.stringify(options.external)}: not a host name or IPv4 address with an optional :port, e.g. --external example.com:443\n`);
		return EXIT.invalid;
	}
	const abort = new AbortController();
	const onAbort = (): void => abort.abort();
	io.signal?.addEventListener('abort', onAbort, { once: true });
	let kubectl: KubectlRunner;
	let cluster: Cluster | undefined;
	let session: Session | undefined;
	try {
		const read = await clusterFromOptions(options, io, 'reach');
		if (typeof read === 'number') return read;
		cluster = read.cluster;
		if (read.kubeconfig !== undefined) {
			kubectl = localKubectl(read.kubeconfig, { ...io.childEnv });
		} else {
			const reached = await reachFirstControlPlane(read.cluster as Cluster, io, { command: 'check', connectTimeoutMs: connectTimeout as number, signal: abort.signal });
			if (typeof reached === 'number') return reached;
			session = reached.session;
			cluster = session.cluster;
			kubectl = sshKubectl(reached.remote, reached.host);
		}
		const say = (line: string): void => io.stderr(`${line}\n`);
		const aws = cluster?.spec.target === 'aws' ? (await import('../session/aws-network.js')).awsFactsReader(cluster, awsPort(io), deps) : undefined;
		const outcome = await runNetworkCheck({ kubectl, ...(cluster ? { cluster } : {}), ...(aws ? { aws } : {}), timeoutMs: timeout as number, keep: options.keep === true, ...(options.external ? { external: options.external } : {}), json, io, signal: abort.signal, say });
		return finishCheck(outcome, { json, io, say, withGrid: !io.terminal });
	} finally {
		await session?.close();
		io.signal?.removeEventListener('abort', onAbort);
	}
}

/** Prints the outcome and returns the exit code: 0 all pass, 1 a path fails or the check could not run, 130 interrupted. */
export function finishCheck(outcome: CheckOutcome, o: { json: boolean; io: Io; say(line: string): void; withGrid: boolean }): number {
	if (outcome.kind === 'aborted') {
		o.say(`check interrupted${outcome.namespace ? `; namespace ${outcome.namespace} deleted` : ''}`);
		return EXIT.interrupted;
	}
	if (outcome.kind !== 'report') {
		o.say(`check: ${outcome.message}`);
		return EXIT.failed;
	}
	if (o.json) o.io.stdout(`${JSON.stringify(outcome.report, null, 2)}\n`);
	else for (const line of reportText(outcome.report, o.withGrid)) o.say(line);
	return outcome.report.result === 'pass' ? EXIT.ok : EXIT.failed;
}
