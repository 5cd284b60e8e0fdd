// Draining a node before its kubelet changes, and what to say when a drain cannot finish: the pods that
// block it (kubectl names them), the PodDisruptionBudgets that keep them (read from the API, since kubectl
// does not name them) and what to do about each.
import { kubectl } from '../../cluster/kubectl.js';
import { drainBlock, parseBudgets, parsePodLabels, type DrainBlock } from '../../cluster/upgrade/pdb.js';
import { probe } from '../exec.js';
import type { RunContext, StepHost } from '../types.js';

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

/**
 * The budgets behind the blocking pods of `node` and what to do, from the API (the PDBs, and the labels of
 * the pods on the node); a string saying why not when they cannot be read (the drain's failure stands anyway).
 */
export async function drainBlockOf(ctx: RunContext, step: string, first: StepHost, node: string, pods: readonly string[]): Promise<DrainBlock | string> {
	const budgets = await probe(ctx, step, first, kubectl('get', 'pdb', '-A', '-o', 'json'), { sudo: true });
	const onNode = budgets.code === 0 ? await probe(ctx, step, first, kubectl('get', 'pods', '-A', '--field-selector', `spec.nodeName=${node}`, '-o', 'json'), { sudo: true }) : budgets;
	if (onNode.code !== 0) return (onNode.stderr.trim().split('\n').at(-1) ?? '') || `kubectl exited ${onNode.code}`;
	try {
		return drainBlock(pods, parseBudgets(budgets.stdout), parsePodLabels(onNode.stdout));
	} catch (error) {
		return `kubectl printed no JSON list (${(error as Error).message})`;
	}
}
