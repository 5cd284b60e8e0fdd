// Deletes the removed hosts' Node objects (node removal only), after their kubelet was stopped by kubeadm
// reset (a running kubelet would register the Node again), and proves it: the Node is gone from the API
// and, for a control plane, no etcd member has its peer URL any more.
import { read, run } from '../exec.js';
import { kubectl } from '../../cluster/kubectl.js';
import { StepError, type Step } from '../types.js';
import { etcdctl, listMembers, memberOf, apiNodeName } from './etcd-member.js';
import { requireApiHost, scopeOf, targetHosts } from './scope.js';

export const deleteNodeStep: Step = {
	id: 'delete-node',
	title: 'Delete the Nodes and check etcd',
	parallel: false,
	targets: (ctx) => (scopeOf(ctx).whole ? [] : targetHosts(ctx)),
	async shouldRun(ctx, host) {
		return host.host.role === 'control-plane' || scopeOf(ctx).nodeNames.has(host.id) ? true : 'no Node in the API';
	},
	async run(ctx, host) {
		const scope = scopeOf(ctx);
		const api = requireApiHost(ctx);
		const node = scope.nodeNames.get(host.id);
		if (node !== undefined) {
			await run(ctx, 'delete-node', api, kubectl('delete', 'node', node, '--ignore-not-found'), { sudo: true });
			if (!ctx.dryRun) {
				const left = (await read(ctx, 'delete-node', api, kubectl('get', 'node', node, '--ignore-not-found', '-o', 'name'), { sudo: true })).trim();
				if (left !== '') throw new StepError(host.id, 'delete-node', `kubectl get node ${node}`, 1, [`the Node ${node} is still in the API (its kubelet registered it again?)`]);
			}
		}
		if (host.host.role !== 'control-plane' || ctx.dryRun) return;
		const members = memberOf(ctx, host, await listMembers(ctx, 'delete-node'));
		if (members.length > 0) {
			const command = etcdctl(apiNodeName(ctx, api), 'member', 'remove', members[0]?.id ?? '').join(' ');
			throw new StepError(host.id, 'delete-node', 'etcdctl member list', 1, [`etcd still has a member with its peer URL (${members.map((m) => `${m.id} ${m.peerUrls.join(',')}`).join('; ')}); remove it with: sudo ${command}`]);
		}
		ctx.emit({ kind: 'log', step: 'delete-node', host: host.id, stream: 'stdout', line: 'no etcd member left for it' });
	},
};
