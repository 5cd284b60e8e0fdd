// Finds each host's Node in the API (node removal only): by the spec's node name, else by the address
// kubelet registered (InternalIP), else by the host's own name, as kubeadm names nodes.
import { read } from '../exec.js';
import { kubectl } from '../../cluster/kubectl.js';
import type { Step, StepHost } from '../types.js';
import { apiTarget, requireApiHost, scopeOf, targetHosts } from './scope.js';

interface NodeList {
	items: Array<{ metadata: { name: string }; status?: { addresses?: Array<{ type: string; address: string }> } }>;
}

export interface ApiNode {
	name: string;
	internalIp: string | undefined;
}

export function parseNodes(json: string): ApiNode[] {
	const list = JSON.parse(json) as NodeList;
	return list.items.map((item) => ({ name: item.metadata.name, internalIp: item.status?.addresses?.find((a) => a.type === 'InternalIP')?.address }));
}

export function matchNode(nodes: ApiNode[], host: StepHost, hostname: string | undefined): ApiNode | undefined {
	const { name, privateAddress, address } = host.host;
	if (name !== undefined) return nodes.find((n) => n.name === name);
	return nodes.find((n) => n.internalIp !== undefined && (n.internalIp === privateAddress || n.internalIp === address))
		?? (hostname ? nodes.find((n) => n.name === hostname.toLowerCase()) : undefined);
}

export const findNodesStep: Step = {
	id: 'find-nodes',
	title: 'Find the nodes in the API',
	parallel: false,
	targets: apiTarget,
	shouldRun: async () => true,
	async run(ctx) {
		const scope = scopeOf(ctx);
		const api = requireApiHost(ctx);
		const nodes = parseNodes(await read(ctx, 'find-nodes', api, kubectl('get', 'nodes', '-o', 'json'), { sudo: true }));
		const apiNode = matchNode(nodes, api, (await read(ctx, 'find-nodes', api, ['hostname'])).trim());
		if (apiNode) scope.apiNode = apiNode.name;
		for (const host of targetHosts(ctx)) {
			const hostname = host.remote && !scope.unreachable.has(host.id) ? (await read(ctx, 'find-nodes', host, ['hostname'])).trim() : undefined;
			const node = matchNode(nodes, host, hostname);
			if (node) {
				scope.nodeNames.set(host.id, node.name);
				if (node.internalIp) scope.nodeIps.set(host.id, node.internalIp);
			}
			ctx.emit({ kind: 'log', step: 'find-nodes', host: host.id, stream: 'stdout', line: node ? `node ${node.name}${node.internalIp ? ` (${node.internalIp})` : ''}` : 'no Node in the API (already removed)' });
		}
	},
};
