// What install prints when readiness times out: what is not ready and why, the recent events about
// those objects, and the command to look further. Plain lines for a log or a CI job, not wrapped.
import { columnWidths, fitCells, GAP, type Column } from './columns.js';
import { elapsed, humanDuration } from './kube-durations.js';
import type { EventRow } from './events.js';
import { safeText } from './text.js';
import type { Verdict } from './verdict.js';

// The columns of `kubectl get events -A`.
const EVENT_COLUMNS: Column[] = ['NAMESPACE', 'LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'].map((header) => ({ header }));

function statusOf(verdict: Verdict, subject: string): string | undefined {
	if (!subject.startsWith('pod ')) return undefined;
	return verdict.pods.find((p) => `pod ${p.key}` === subject)?.status;
}

/** "Pod/coredns-abc" → "pod/coredns-abc", as kubectl names objects. */
function kubectlObject(object: string): string {
	const slash = object.indexOf('/');
	return slash === -1 ? object : object.slice(0, slash).toLowerCase() + object.slice(slash);
}

export function formatTimeoutReport(verdict: Verdict, events: readonly EventRow[], options: { timeoutMs: number; lookFurther: string }): string[] {
	const { podsReady, podsTotal, nodesReady, nodesTotal } = verdict.summary;
	const lines = [`Timed out after ${elapsed(options.timeoutMs)} waiting for the cluster to be ready: ${podsReady}/${podsTotal} pods ready, ${nodesReady}/${nodesTotal} nodes Ready.`];
	if (verdict.problems.length > 0) {
		lines.push('', 'Not ready:');
		for (const problem of verdict.problems) {
			const [summary = '', ...logs] = problem.cause.split('\n');
			const status = statusOf(verdict, problem.subject);
			lines.push(`  ${problem.subject}${status === undefined ? '' : ` (${status})`}: ${summary}`);
			for (const log of logs) lines.push(`      ${log}`);
		}
	}
	if (events.length > 0) {
		lines.push('', 'Recent events:');
		const rows = events.map((e) => [
			e.namespace,
			humanDuration(verdict.assessedAt - e.last),
			e.type,
			e.reason,
			kubectlObject(e.object),
			e.count > 1 ? `${e.message} (x${e.count})` : e.message,
		]);
		const widths = columnWidths(EVENT_COLUMNS, rows, Number.MAX_SAFE_INTEGER);
		lines.push(`  ${fitCells(EVENT_COLUMNS, widths, EVENT_COLUMNS.map((c) => c.header)).join(GAP)}`);
		for (const row of rows) lines.push(`  ${fitCells(EVENT_COLUMNS, widths, row).join(GAP)}`);
	}
	lines.push('', `Look further: ${options.lookFurther}`);
	return lines.map(safeText);
}
