// Readiness as plain lines (no terminal, CI, --verbose): one line when a pod or node changes state
// and one when the summary changes, so a log shows the cluster converging without repeating itself.
import type { Verdict } from '../cluster/health/index.js';
import { formatDuration } from '../spec/durations.js';

const CAUSE_CHARS = 200;

function shortCause(cause: string | undefined): string {
	const first = cause?.split('\n')[0] ?? '';
	return first.length > CAUSE_CHARS ? `${first.slice(0, CAUSE_CHARS - 1)}…` : first;
}

export function readinessLines(say: (line: string) => void): (verdict: Verdict, elapsedMs: number) => void {
	const pods = new Map<string, string>();
	const causes = new Map<string, string>();
	const nodes = new Map<string, string>();
	let summary = '';
	return (verdict, elapsedMs) => {
		for (const node of verdict.nodes) {
			const state = node.ready ? 'Ready' : `NotReady${node.message ? `: ${node.message}` : ''}`;
			if (nodes.get(node.name) !== state) say(`[node] ${node.name} ${state}`);
			nodes.set(node.name, state);
		}
		for (const pod of verdict.pods) {
			// A cause is printed when it first appears or changes, not again each time kubelet flips
			// between ErrImagePull and ImagePullBackOff; the timeout report has every cause in full.
			const state = `${pod.ready} ${pod.status}`;
			const cause = shortCause(pod.cause);
			const newCause = cause !== '' && causes.get(pod.key) !== cause;
			if (pods.get(pod.key) !== state || newCause) say(`[pod] ${pod.key} ${state}${pod.node ? ` on ${pod.node}` : ''}${newCause ? ` — ${cause}` : ''}`);
			pods.set(pod.key, state);
			causes.set(pod.key, cause);
		}
		const { podsReady, podsTotal, nodesReady, nodesTotal } = verdict.summary;
		const next = `${podsReady}/${podsTotal} pods ready, ${nodesReady}/${nodesTotal} nodes Ready`;
		if (next !== summary) say(`[ready] ${next} (${formatDuration(elapsedMs)})`);
		summary = next;
	};
}
