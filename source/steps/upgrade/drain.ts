// Draining a node before its kubelet changes, and what to say when a drain cannot finish: the pods that
// block it (a PodDisruptionBudget, a pod without a controller) and what to do — kubectl names them.
import { kubectl } from '../../cluster/kubectl.js';

export const DRAIN_TIMEOUT = '5m';

export function drainCommand(node: string): string[] {
	return kubectl('drain', node, '--ignore-daemonsets', '--delete-emptydir-data', `--timeout=${DRAIN_TIMEOUT}`);
}

export function uncordonCommand(node: string): string[] {
	return kubectl('uncordon', node);
}

/** Pod names kubectl drain reports as blocking: eviction refusals and pods it will not delete. */
export function blockingPods(output: string): string[] {
	const pods = new Set<string>();
	for (const line of output.split('\n')) {
		const evict = /evicting pod ([\w./-]+)/.exec(line) ?? /error when evicting pods\/"([^"]+)"/.exec(line);
		if (evict?.[1] && /disruption budget|Cannot evict|error when evicting/i.test(line)) pods.add(evict[1]);
		const refuse = /cannot delete [^:]+: (.+)$/.exec(line);
		if (refuse?.[1]) for (const pod of refuse[1].split(',')) pods.add(pod.trim());
	}
	return [...pods];
}
