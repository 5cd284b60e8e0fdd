// Snapshot + what the cluster should look like → rows and the verdict. Runs every second during an
// install on up to a few hundred pods: one pass per kind, one sort per table, no copies of the input.
import type { Snapshot } from './kube-types.js';
import { nodeRow } from './node-rows.js';
import { podRow } from './pod-rows.js';
import { compareByGroup, compareText, isSystemObject, requiredWorkloads } from './system-objects.js';
import type { Expectation, HealthProblem, Verdict, WorkloadRow } from './verdict.js';
import { daemonSetRow, deploymentRow } from './workload-rows.js';

function compareWorkloads(a: WorkloadRow, b: WorkloadRow): number {
	return compareByGroup(a, b) || compareText(a.kind, b.kind);
}

export function assess(snapshot: Snapshot, expect: Expectation): Verdict {
	const problems: HealthProblem[] = [];

	const nodes = snapshot.nodes.map(nodeRow).sort((a, b) => compareText(a.name, b.name));
	for (const node of nodes) {
		if (!node.ready) problems.push({ subject: `node ${node.name}`, cause: node.message ?? 'not Ready', progressing: false });
	}
	const present = new Set(nodes.map((n) => n.name));
	const missing = [...new Set(expect.nodeNames ?? [])].filter((name) => !present.has(name));
	for (const name of missing) problems.push({ subject: `node ${name}`, cause: 'has not registered with the API server (no Node object)', progressing: false });
	if (nodes.length === 0 && missing.length === 0) problems.push({ subject: 'nodes', cause: 'no node has registered with the API server', progressing: false });

	const required = requiredWorkloads(expect.cni);
	const workloads: WorkloadRow[] = [];
	for (const ds of snapshot.daemonSets) {
		const isAgent = ds.metadata.namespace === 'kube-system' && ds.metadata.name === required.daemonSet;
		workloads.push(daemonSetRow(ds, isAgent ? nodes.length : undefined));
	}
	for (const deployment of snapshot.deployments) workloads.push(deploymentRow(deployment));
	workloads.sort(compareWorkloads);
	const expected: Array<[WorkloadRow['kind'], string]> = [['DaemonSet', required.daemonSet], ...required.deployments.map((name): [WorkloadRow['kind'], string] => ['Deployment', name])];
	for (const [kind, name] of expected) {
		if (!workloads.some((w) => w.kind === kind && w.namespace === 'kube-system' && w.name === name)) {
			problems.push({ subject: `${kind.toLowerCase()} kube-system/${name}`, cause: 'not created yet', progressing: false });
		}
	}
	for (const w of workloads) {
		if (!w.healthy && isSystemObject(w.namespace, w.name)) {
			problems.push({ subject: `${w.kind.toLowerCase()} ${w.namespace}/${w.name}`, cause: w.cause ?? 'not ready', progressing: w.progressing });
		}
	}

	const pods = snapshot.pods.map((pod) => podRow(pod, expect.now)).sort(compareByGroup);
	let podsReady = 0;
	let podsTotal = 0;
	for (const pod of pods) {
		if (!pod.counted) continue;
		podsTotal++;
		if (pod.healthy) podsReady++;
		else problems.push({ subject: `pod ${pod.key}`, cause: pod.cause ?? 'not ready', progressing: pod.progressing });
	}

	return {
		healthy: problems.length === 0,
		cni: expect.cni,
		assessedAt: expect.now,
		nodes,
		pods,
		workloads,
		problems,
		summary: {
			podsReady,
			podsTotal,
			nodesReady: nodes.filter((n) => n.ready).length,
			nodesTotal: nodes.length + missing.length,
		},
	};
}
