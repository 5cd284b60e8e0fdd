// One node → one row: what `kubectl get nodes -o wide` shows, and why a node is not Ready.
import type { KubeNode } from './kube-types.js';
import { compareText } from './system-objects.js';
import { oneLine } from './text.js';
import type { NodeRow } from './verdict.js';

const ROLE_LABEL = 'node-role.kubernetes.io/';

function roles(labels: Record<string, string>): string[] {
	const found = new Set<string>();
	for (const [key, value] of Object.entries(labels)) {
		if (key.startsWith(ROLE_LABEL) && key.length > ROLE_LABEL.length) found.add(key.slice(ROLE_LABEL.length));
		else if (key === 'kubernetes.io/role' && value !== '') found.add(value);
	}
	return [...found].sort(compareText);
}

export function nodeRow(node: KubeNode): NodeRow {
	// kubectl keys the conditions by type, so when the list holds Ready twice the last one counts.
	let ready: KubeNode['status']['conditions'][number] | undefined;
	for (const condition of node.status.conditions) if (condition.type === 'Ready') ready = condition;
	const isReady = ready?.status === 'True';
	// kubectl: "NotReady" for False and Unknown alike, "Unknown" when the kubelet never reported.
	const states = [ready === undefined ? 'Unknown' : isReady ? 'Ready' : 'NotReady'];
	if (node.spec.unschedulable) states.push('SchedulingDisabled');
	const row: NodeRow = {
		name: node.metadata.name,
		ready: isReady,
		status: states.join(','),
		roles: roles(node.metadata.labels),
		version: node.status.nodeInfo.kubeletVersion,
		kernel: node.status.nodeInfo.kernelVersion,
		internalIP: node.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '',
		os: node.status.nodeInfo.osImage,
	};
	if (!isReady) {
		const message = oneLine(ready?.message ?? '');
		row.message = message !== '' ? message : ready === undefined ? 'the kubelet has not reported a Ready condition yet' : `Ready is ${ready.status}${ready.reason === undefined ? '' : ` (${oneLine(ready.reason)})`}`;
	}
	return row;
}
