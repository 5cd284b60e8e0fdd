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

/** Pods (namespace/name) kubectl drain reports as blocking: eviction refusals and pods it will not delete. */
export function blockingPods(output: string): string[] {
	const pods = new Set<string>();
	for (const line of output.split('\n')) {
		// kubectl names a refused eviction `pods/"web-0" -n "default"`: the namespace makes the name usable.
		const refused = /error when evicting pods\/"([^"]+)"(?: -n "([^"]+)")?/.exec(line);
		const evict = /evicting pod ([\w./-]+)/.exec(line);
		const name = refused?.[1] ? (refused[2] ? `${refused[2]}/${refused[1]}` : refused[1]) : evict?.[1];
		if (name && /disruption budget|Cannot evict|error when evicting/i.test(line)) pods.add(name);
		const refuse = /cannot delete [^:]+: (.+)$/.exec(line);
		// The `error: unable to drain node` line ends in ", continuing command...": not a pod.
		if (refuse?.[1]) for (const pod of refuse[1].replace(/, continuing command\.\.\.$/, '').split(',')) pods.add(pod.trim());
	}
	return [...pods];
}
