// After a kubelet restart: wait until the node is Ready, reports the new kubelet version, and the
// DaemonSet pods on it (the CNI agent, kube-proxy) are ready again — only then is the next node drained.
import { parseSnapshot } from '../../cluster/health/snapshot.js';
import { probe } from '../exec.js';
import { snapshotCommand } from '../../cluster/kubectl.js';
import type { RunContext, StepHost } from '../types.js';
import { plainVersion } from './cluster-state.js';

export const NODE_READY_TIMEOUT_MS = 10 * 60_000;
const POLL_MS = 1000;

function pause(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		if (signal.aborted) return resolve();
		const timer = setTimeout(resolve, ms);
		signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
	});
}

export interface NodeWait {
	ready: boolean;
	version: string;
	/** DaemonSet pods on the node that are not ready */
	pending: string[];
}

export function nodeWaitState(snapshotText: string, node: string): NodeWait | undefined {
	const snapshot = parseSnapshot(snapshotText);
	const found = snapshot.nodes.find((n) => n.metadata.name === node);
	if (!found) return undefined;
	const pending = snapshot.pods
		.filter((pod) => pod.spec.nodeName === node && pod.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet'))
		.filter((pod) => !pod.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'))
		.map((pod) => `${pod.metadata.namespace}/${pod.metadata.name}`);
	return { ready: found.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'), version: plainVersion(found.status.nodeInfo.kubeletVersion), pending };
}

export async function waitNodeAt(ctx: RunContext, step: string, first: StepHost, node: string, version: string, timeoutMs = NODE_READY_TIMEOUT_MS): Promise<void> {
	const deadline = ctx.now() + timeoutMs;
	let last: NodeWait | undefined;
	while (!ctx.signal.aborted) {
		const result = await probe(ctx, step, first, snapshotCommand(), { sudo: true });
		last = result.code === 0 ? nodeWaitState(result.stdout, node) : last;
		if (last && last.ready && last.version === version && last.pending.length === 0) return;
		if (ctx.now() > deadline) break;
		await pause(POLL_MS, ctx.signal);
	}
	if (ctx.signal.aborted) throw new Error(`interrupted while waiting for ${node}; it is still cordoned: re-run kubestrap upgrade to finish it, or kubectl uncordon ${node}`);
	const why = !last ? 'it is not listed' : !last.ready ? 'it is NotReady' : last.version !== version ? `its kubelet still reports v${last.version}` : `DaemonSet pods not ready: ${last.pending.join(', ')}`;
	throw new Error(`${node} did not come back at v${version} within ${Math.round(timeoutMs / 60_000)} min (${why}); it is still cordoned: fix it, then re-run kubestrap upgrade (or kubectl uncordon ${node})`);
}
