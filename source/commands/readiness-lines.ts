// Readiness as plain lines (no terminal, CI, --verbose): one line when a pod or node changes state
// and one when the summary changes, so a log shows the cluster converging without repeating itself.
import type { Verdict } from '../cluster/health/index.js';
import { formatDuration } from './duration.js';

export function readinessLines(say: (line: string) => void): (verdict: Verdict, elapsedMs: number) => void {
	const pods = new Map<string, string>();
	const nodes = new Map<string, string>();
	let summary = '';
	return (verdict, elapsedMs) => {
		for (const node of verdict.nodes) {
			const state = node.ready ? 'Ready' : `NotReady${node.message ? `: ${node.message}` : ''}`;
			if (nodes.get(node.name) !== state) say(`[node] ${node.name} ${state}`);
			nodes.set(node.name, state);
		}
		for (const pod of verdict.pods) {
			const state = `${pod.ready} ${pod.status}${pod.cause ? ` — ${pod.cause.split('\n')[0]}` : ''}`;
			if (pods.get(pod.key) !== state) say(`[pod] ${pod.key} ${state}${pod.node ? ` on ${pod.node}` : ''}`);
			pods.set(pod.key, state);
		}
		const { podsReady, podsTotal, nodesReady, nodesTotal } = verdict.summary;
		const next = `${podsReady}/${podsTotal} pods ready, ${nodesReady}/${nodesTotal} nodes Ready`;
		if (next !== summary) say(`[ready] ${next} (${formatDuration(elapsedMs)})`);
		summary = next;
	};
}
