// How many nodes the manifests are sized for (operator and Typha replicas, Calico's Typha threshold).
import type { Cluster } from '../spec/types.js';

export interface NodeCounts {
	/** control-plane nodes */
	controlPlanes: number;
	/** all nodes, control planes included */
	nodes: number;
}

/**
 * Node counts from spec.hosts. With target aws the hosts are unknown until instance discovery runs:
 * then one control plane is assumed and every listed instance is a node (at least one). Discovery
 * is expected to fill spec.hosts, at which point the first branch applies.
 */
export function nodeCounts(cluster: Cluster): NodeCounts {
	const { hosts, target, aws } = cluster.spec;
	if (target === 'aws' && hosts.length === 0) {
		return { controlPlanes: 1, nodes: Math.max(1, aws?.instanceIds.length ?? 0) };
	}
	const controlPlanes = hosts.filter((h) => h.role === 'control-plane').length;
	return { controlPlanes: Math.max(1, controlPlanes), nodes: Math.max(1, hosts.length) };
}
