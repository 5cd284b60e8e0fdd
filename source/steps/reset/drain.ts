// Drains each node being removed (node removal only), from a control plane that stays: DaemonSet pods
// are left (they go with the node), emptyDir data is deleted with its pod, and the drain is bounded by
// --timeout so a pod that cannot be evicted (a PodDisruptionBudget) fails the step with kubectl's words
// instead of hanging. A host that does not answer is not drained: its pods are rescheduled once its
// Node is deleted.
import { run } from '../exec.js';
import { kubectl } from '../../cluster/kubectl.js';
import type { Step } from '../types.js';
import { requireApiHost, scopeOf, targetHosts } from './scope.js';

export function drainCommand(node: string, timeoutSeconds: number): string[] {
	return kubectl('drain', node, '--ignore-daemonsets', '--delete-emptydir-data', `--timeout=${timeoutSeconds}s`);
}

export const drainStep: Step = {
	id: 'drain',
	title: 'Drain the nodes being removed',
	parallel: false,
	targets: (ctx) => (scopeOf(ctx).whole ? [] : targetHosts(ctx)),
	async shouldRun(ctx, host) {
		const scope = scopeOf(ctx);
		if (!scope.nodeNames.has(host.id)) return 'no Node in the API';
		if (scope.unreachable.has(host.id)) return 'unreachable: its pods are rescheduled when its Node is deleted';
		return true;
	},
	async run(ctx, host) {
		const scope = scopeOf(ctx);
		const node = scope.nodeNames.get(host.id) as string;
		const api = requireApiHost(ctx);
		// Runs on the API host; the host's id in the events keeps the progress per node.
		await run(ctx, 'drain', api, drainCommand(node, scope.drainTimeoutSeconds), { sudo: true, timeoutMs: (scope.drainTimeoutSeconds + 60) * 1000 });
	},
};
