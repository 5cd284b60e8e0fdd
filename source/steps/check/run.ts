// Runs a network check against a cluster through kubectl: refuses when another check holds its lease,
// creates the namespace with its Lease, echo DaemonSet and Service, waits for the echo pods, creates
// the client pods, reads their result lines from `kubectl logs` as each pod completes, maps failures to
// causes, and always deletes the namespace at the end (unless keep), also after a failure or Ctrl-C.
import { randomBytes } from 'node:crypto';
import { mapCauses } from '../../cluster/check/causes.js';
import { datapathFromCluster } from '../../cluster/check/datapath.js';
import { clientPod, clientPodName, echoDaemonSet, echoService, LEASE_NAME, leaseObject, namespaceObject, NAMESPACE_PREFIX, CHECK_LABEL, ECHO_NAME } from '../../cluster/check/objects.js';
import { seededRandom } from '../../cluster/check/pairs.js';
import { echoIps, parseList, parseNodes, parsePods, parseResults, parseService, type NodeInfo, type PodInfo } from '../../cluster/check/parse.js';
import { planProbes, type NodeProbes } from '../../cluster/check/plan.js';
import { buildReport, type CheckReport } from '../../cluster/check/report.js';
import type { AwsFacts, CheckNode, Datapath, ProbeResult } from '../../cluster/check/types.js';
import type { KubectlRunner } from './kubectl-runner.js';

export type CheckPhase = 'setup' | 'echo' | 'probing' | 'cleanup' | 'done';

export interface CheckProgress {
	phase: CheckPhase;
	namespace?: string;
	nodes: CheckNode[];
	results: ProbeResult[];
	elapsedMs: number;
}

export interface CheckOptions {
	kubectl: KubectlRunner;
	/** from the spec; read from the cluster when absent */
	datapath?: Datapath;
	timeoutMs: number;
	keep: boolean;
	external?: string;
	signal: AbortSignal;
	now(): number;
	sleep(ms: number, signal: AbortSignal): Promise<void>;
	onProgress(progress: CheckProgress): void;
	log(line: string): void;
	/** poll interval, ms */
	intervalMs?: number;
	/**
	 * target aws: reads EC2's facts for the failed node pairs (instances, security-group rules, source/dest
	 * check), so their causes name the missing rule or the instance; asked only when a cross-node path fails.
	 */
	aws?: (nodes: readonly CheckNode[], pairs: ReadonlyArray<[string, string]>) => Promise<AwsFacts>;
}

export type CheckOutcome =
	| { kind: 'report'; report: CheckReport }
	| { kind: 'error'; message: string }
	| { kind: 'busy'; message: string }
	| { kind: 'aborted'; namespace?: string };

const MANAGER = '--field-manager=kubestrap-check';

class CheckError extends Error {}

function tail(text: string): string {
	return text.trim().split('\n').slice(-3).join(' ');
}

export async function runCheck(o: CheckOptions): Promise<CheckOutcome> {
	const started = o.now();
	const interval = o.intervalMs ?? 1000;
	const deadline = started + o.timeoutMs;
	const must = async (args: string[], stdin?: string): Promise<string> => {
		const result = await o.kubectl.run(args, { signal: o.signal, ...(stdin !== undefined ? { stdin } : {}), timeoutMs: 60_000 });
		if (o.signal.aborted) throw new CheckError('aborted');
		if (result.code !== 0) throw new CheckError(`${o.kubectl.where}: kubectl ${args.filter((a) => !a.startsWith('--field-manager')).join(' ')} exited ${result.code ?? 'by signal'}: ${tail(result.stderr || result.stdout)}`);
		return result.stdout;
	};
	let namespace: string | undefined;
	let nodes: CheckNode[] = [];
	let results: ProbeResult[] = [];
	const progress = (phase: CheckPhase): void => o.onProgress({ phase, ...(namespace ? { namespace } : {}), nodes, results, elapsedMs: o.now() - started });
	try {
		progress('setup');
		const all: NodeInfo[] = parseNodes(await must(['get', 'nodes', '-o', 'json']));
		const covered = all.filter((n) => n.ready && n.schedulable && n.address !== '');
		const skipped = all.filter((n) => !covered.includes(n));
		for (const n of skipped) o.log(`node ${n.name} is not covered: ${!n.ready ? 'not Ready' : !n.schedulable ? 'cordoned' : 'no InternalIP'}`);
		if (covered.length === 0) return { kind: 'error', message: 'no Ready, schedulable node to check' };
		nodes = covered.map(({ name, address }) => ({ name, address }));

		const busy = await otherCheck(o, must);
		if (busy) return { kind: 'busy', message: busy };
		const datapath = o.datapath ?? await readDatapath(o, must);

		const suffix = randomBytes(4).readUInt32BE(0);
		namespace = `${NAMESPACE_PREFIX}${suffix.toString(36).padStart(6, '0').slice(-6)}`;
		const leaseSeconds = Math.ceil(o.timeoutMs / 1000) + 60;
		const setup = { apiVersion: 'v1', kind: 'List', items: [namespaceObject(namespace), leaseObject(namespace, `kubestrap-check/${namespace}`, new Date(o.now()), leaseSeconds), echoDaemonSet(namespace), echoService(namespace, datapath.kubeProxy || datapath.kubeProxyReplacement)] };
		o.log(`creating namespace ${namespace}: Lease ${LEASE_NAME}, DaemonSet ${ECHO_NAME}, Service ${ECHO_NAME}`);
		await must(['apply', '--server-side', MANAGER, '-f', '-'], JSON.stringify(setup));

		// The echo pods: one per node, Ready with an IP; the Service with its ClusterIP (and NodePort).
		progress('echo');
		const echoDeadline = Math.min(deadline, started + Math.max(o.timeoutMs / 2, 1));
		let pods: PodInfo[] = [];
		let service: ReturnType<typeof parseService> = {};
		for (;;) {
			pods = parsePods(await must(['get', 'pods', '-n', namespace, '-o', 'json']));
			service = parseService(await must(['get', 'service', ECHO_NAME, '-n', namespace, '-o', 'json']));
			const ips = echoIps(pods);
			if (nodes.every((n) => ips.has(n.name)) && service.clusterIp) break;
			if (o.now() > echoDeadline) break;
			await o.sleep(interval, o.signal);
			if (o.signal.aborted) throw new CheckError('aborted');
		}
		const ips = echoIps(pods);
		const stuck: Array<{ pod: string; node: string; reason: string }> = [];
		for (const n of nodes) {
			if (ips.has(n.name)) continue;
			const pod = pods.find((p) => p.app === ECHO_NAME && p.node === n.name);
			stuck.push({ pod: pod?.name ?? `${ECHO_NAME} (DaemonSet)`, node: n.name, reason: pod ? pod.waiting ?? `${pod.phase}, not Ready` : 'no echo pod was created on the node' });
		}

		const plan = planProbes({ namespace, nodes, echoIps: ips, ...(service.clusterIp ? { clusterIp: service.clusterIp } : {}), ...(service.nodePort !== undefined ? { nodePort: service.nodePort } : {}), ...(o.external ? { external: o.external } : {}) }, seededRandom(suffix));
		results = plan.flatMap((p) => [...p.pod, ...p.host]).map((probe) => ({ probe, outcome: 'pending' as const, detail: '' }));
		// Probes with no target (no echo pod there, no ClusterIP) are not run: they fail as not run, with the reason.
		const runnable = (list: NodeProbes['pod']): NodeProbes['pod'] => list.filter((p) => p.target !== '');
		const remaining = o.timeoutMs - (o.now() - started);
		const deadlineSeconds = Math.max(30, Math.ceil(remaining / 1000));
		const clients = plan.flatMap((p) => [
			...(runnable(p.pod).length > 0 && ips.has(p.node) ? [clientPod(namespace as string, p.node, runnable(p.pod), false, deadlineSeconds)] : []),
			...(runnable(p.host).length > 0 ? [clientPod(namespace as string, p.node, runnable(p.host), true, deadlineSeconds)] : []),
		]);
		// A node without its echo pod has no working pod networking to test from either; its probes stay not run.
		progress('probing');
		if (clients.length > 0) await must(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: clients }));

		const read = new Set<string>();
		const names = new Set(clients.map((c) => (c['metadata'] as { name: string }).name));
		let lastPods: PodInfo[] = [];
		while (read.size < names.size) {
			lastPods = parsePods(await must(['get', 'pods', '-n', namespace, '-o', 'json']));
			for (const pod of lastPods) {
				if (!names.has(pod.name) || read.has(pod.name)) continue;
				if (pod.phase !== 'Succeeded' && pod.phase !== 'Failed') continue;
				// The termination message carries the results; the logs are the fallback (an empty or cut message).
				let parsed = parseResults(pod.message ?? '');
				if (!parsed.complete) parsed = parseResults(await must(['logs', '-n', namespace, pod.name]));
				read.add(pod.name);
				results = results.map((r) => {
					const got = parsed.results.get(r.probe.id);
					if (got) return { ...r, outcome: got.pass ? 'pass' : 'fail', detail: got.detail };
					return r;
				});
				if (!parsed.complete) o.log(`${pod.name}: the probe script did not finish (${pod.phase})`);
			}
			progress('probing');
			if (read.size >= names.size) break;
			if (o.now() > deadline) break;
			await o.sleep(interval, o.signal);
			if (o.signal.aborted) throw new CheckError('aborted');
		}
		for (const pod of lastPods) {
			if (names.has(pod.name) && !read.has(pod.name)) stuck.push({ pod: pod.name, node: pod.node, reason: pod.waiting ?? `${pod.phase} when the check timed out` });
		}
		results = results.map((r) => {
			if (r.outcome !== 'pending') return r;
			const mine = clientPodName(r.probe.from, r.probe.hostNetwork);
			const why = r.probe.target === '' ? (r.probe.to && !ips.has(r.probe.to) ? `no echo pod running on ${r.probe.to}` : 'no target (the Service has no ClusterIP)') : !ips.has(r.probe.from) && !r.probe.hostNetwork ? `no echo pod running on ${r.probe.from}, so no client either` : `${mine} did not report it`;
			return { ...r, detail: why };
		});
		const addresses = new Map(nodes.map((n) => [n.name, n.address]));
		const aws = await awsFacts(o, nodes, results);
		const causes = mapCauses({ results, datapath, addresses, stuck, ...(aws ? { aws } : {}) });
		progress('cleanup');
		return { kind: 'report', report: buildReport({ namespace, durationMs: o.now() - started, datapath, nodes, results, causes }) };
	} catch (error) {
		if (o.signal.aborted) return { kind: 'aborted', ...(namespace ? { namespace } : {}) };
		if (error instanceof CheckError) return { kind: 'error', message: error.message };
		throw error;
	} finally {
		if (namespace !== undefined) await cleanup(o, namespace);
		progress('done');
	}
}

/** EC2's facts for the node pairs whose pods could not reach each other; a failed read is logged, not fatal. */
async function awsFacts(o: CheckOptions, nodes: readonly CheckNode[], results: readonly ProbeResult[]): Promise<AwsFacts | undefined> {
	if (!o.aws) return undefined;
	const pairs = new Map<string, [string, string]>();
	for (const r of results) {
		if (r.outcome !== 'fail' || r.probe.path !== 'cross-node' || r.probe.to === undefined) continue;
		const pair = [r.probe.from, r.probe.to].sort() as [string, string];
		pairs.set(pair.join('\u0000'), pair);
	}
	if (pairs.size === 0) return undefined;
	try {
		o.log(`reading the instances of ${pairs.size} failed node pair${pairs.size === 1 ? '' : 's'} from EC2`);
		return await o.aws(nodes, [...pairs.values()]);
	} catch (error) {
		o.log(`could not read the instances from EC2 (${(error as Error).message}); the causes name the rules to check without EC2's answer`);
		return undefined;
	}
}

/** Deletes the check's namespace (everything in it goes with it), with its own time limit: Ctrl-C must not stop it. */
async function cleanup(o: CheckOptions, namespace: string): Promise<void> {
	if (o.keep) {
		o.log(`kept namespace ${namespace} (--keep); delete it with: kubectl delete namespace ${namespace}`);
		return;
	}
	const result = await o.kubectl.run(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=false'], { timeoutMs: 30_000 });
	if (result.code === 0) o.log(`deleted namespace ${namespace}`);
	else o.log(`could not delete namespace ${namespace}: ${tail(result.stderr || result.stdout)}; delete it with: kubectl delete namespace ${namespace}`);
}

/** Another check's namespace with a Lease that has not run out: two checks would read each other's pods. */
async function otherCheck(o: CheckOptions, must: (args: string[]) => Promise<string>): Promise<string | undefined> {
	const namespaces = parseList(await must(['get', 'namespaces', '-l', `${CHECK_LABEL}=true`, '-o', 'json']));
	for (const ns of namespaces) {
		const name = String((ns['metadata'] as { name?: string } | undefined)?.name ?? '');
		if (!name.startsWith(NAMESPACE_PREFIX)) continue;
		const text = await must(['get', 'lease', LEASE_NAME, '-n', name, '--ignore-not-found', '-o', 'json']);
		if (text.trim() === '') continue;
		const spec = (JSON.parse(text) as { spec?: { renewTime?: string; leaseDurationSeconds?: number; holderIdentity?: string } }).spec ?? {};
		const renewed = Date.parse(spec.renewTime ?? '');
		if (Number.isFinite(renewed) && renewed + (spec.leaseDurationSeconds ?? 0) * 1000 > o.now()) {
			return `another network check is running (namespace ${name}, held by ${spec.holderIdentity ?? 'unknown'} until ${new Date(renewed + (spec.leaseDurationSeconds ?? 0) * 1000).toISOString()}); wait for it, or delete that namespace if its run was killed`;
		}
	}
	return undefined;
}

async function readDatapath(o: CheckOptions, must: (args: string[]) => Promise<string>): Promise<Datapath> {
	const kubeProxy = (await must(['-n', 'kube-system', 'get', 'daemonset', 'kube-proxy', '--ignore-not-found', '-o', 'name'])).trim() !== '';
	const cilium = await must(['-n', 'kube-system', 'get', 'configmap', 'cilium-config', '--ignore-not-found', '-o', 'json']);
	const calico = cilium.trim() === '' ? await must(['-n', 'kube-system', 'get', 'daemonset', 'calico-node', '--ignore-not-found', '-o', 'json']) : '';
	const found = datapathFromCluster(cilium, calico, kubeProxy);
	if (found) return found;
	o.log('neither cilium-config nor the calico-node DaemonSet found; failures are explained without the CNI\'s ports');
	return { cni: 'cilium', mode: 'vxlan', crossSubnet: false, kubeProxyReplacement: false, kubeProxy, target: 'unknown' };
}
