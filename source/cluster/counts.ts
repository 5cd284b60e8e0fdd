// How many nodes the manifests are sized for (operator and Typha replicas, Calico's Typha threshold).
import type { Cluster } from '../spec/types.js';

export interface NodeCounts {
	/** control-plane nodes */
	controlPlanes: number;
	/** all nodes, control planes included */
	nodes: number;
}

/**
 * Node counts from spec.hosts. With target aws, install and plan fill spec.hosts from instance
 * discovery before anything is rendered, so the counts (and the Cilium operator's replicas, which in
 * ENI mode run only on control planes) follow the discovered roles. Only without discovery (`render`
 * of an aws spec, which contacts nothing) is one control plane assumed, with one node per listed
 * instance ID (at least one).
 */
export function nodeCounts(cluster: Cluster): NodeCounts {
	const { hosts, target, aws } = cluster.spec;
	if (target === 'aws' && hosts.length === 0) {
		return { controlPlanes: 1, nodes: Math.max(1, aws?.instanceIds.length ?? 0) };
	}
	const controlPlanes = hosts.filter((h) => h.role === 'control-plane').length;
	return { controlPlanes: Math.max(1, controlPlanes), nodes: Math.max(1, hosts.length) };
}
