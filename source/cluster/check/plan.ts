// Which probes each node's client pods run, from what the cluster reported: the nodes, the echo pod
// IP on each node, the Service's ClusterIP and NodePort. Pure: the pairs come from a seeded generator.
import { ECHO_NAME, ECHO_PORT } from './objects.js';
import { selectPairs } from './pairs.js';
import type { CheckNode, PathKind, Probe } from './types.js';

export interface CheckTargets {
	namespace: string;
	nodes: CheckNode[];
	/** node name → its echo pod's IP (nodes without a running echo pod are missing) */
	echoIps: ReadonlyMap<string, string>;
	clusterIp?: string;
	nodePort?: number;
	/** --external HOST[:PORT] */
	external?: string;
}

export interface NodeProbes {
	node: string;
	pod: Probe[];
	host: Probe[];
}

function probe(path: PathKind, from: string, to: string | undefined, target: string, how: Probe['how'] = 'connect', hostNetwork = false): Probe {
	return { id: to === undefined ? `${path}/${from}` : `${path}/${from}/${to}`, path, from, ...(to !== undefined ? { to } : {}), target, how, hostNetwork };
}

function hostPort(host: string, port: number): string {
	return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The external target with the HTTPS port when none was given. */
export function externalTarget(value: string): string {
	return /:\d+$/.test(value) || /^\[.*\]:\d+$/.test(value) ? value : hostPort(value, 443);
}

/**
 * Probes per node. A probe whose target does not exist (no echo pod on the other node, no ClusterIP)
 * is still listed with an empty target; the runner reports it as not run, with the reason.
 */
export function planProbes(t: CheckTargets, random: () => number): NodeProbes[] {
	const names = t.nodes.map((n) => n.name);
	const pairs = selectPairs(names, random);
	const echo = (node: string): string => {
		const ip = t.echoIps.get(node);
		return ip === undefined ? '' : hostPort(ip, ECHO_PORT);
	};
	return t.nodes.map((node, index) => {
		const partners = pairs.filter(([from]) => from === node.name).map(([, to]) => to);
		const pod: Probe[] = [probe('same-node', node.name, node.name, echo(node.name))];
		for (const to of partners) pod.push(probe('cross-node', node.name, to, echo(to)));
		pod.push(probe('cluster-ip', node.name, undefined, t.clusterIp ? hostPort(t.clusterIp, ECHO_PORT) : ''));
		pod.push(probe('service-dns', node.name, undefined, `${ECHO_NAME}.${t.namespace}.svc:${ECHO_PORT}`));
		pod.push(probe('kubernetes-dns', node.name, undefined, 'kubernetes.default', 'dns'));
		if (t.nodePort !== undefined) {
			// A NodePort on another node (the next one in the ring); on a one-node cluster its own.
			const other = t.nodes[(index + 1) % t.nodes.length] as CheckNode;
			pod.push(probe('node-port', node.name, other.name, hostPort(other.address, t.nodePort)));
		}
		if (t.external !== undefined) pod.push(probe('external', node.name, undefined, externalTarget(t.external)));
		const host = partners.map((to) => probe('node-to-pod', node.name, to, echo(to), 'connect', true));
		return { node: node.name, pod, host };
	});
}
