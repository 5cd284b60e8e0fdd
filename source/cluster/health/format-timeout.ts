// What install prints when readiness times out: what is not ready and why, the recent events about
// those objects, and the command to look further. Plain lines for a log or a CI job, not wrapped.
import { columnWidths, fitCells, GAP, type Column } from './columns.js';
import { elapsed, humanDuration } from './duration.js';
import type { EventRow } from './events.js';
import type { Verdict } from './verdict.js';

const EVENT_COLUMNS: Column[] = ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'].map((header) => ({ header, soft: 0, min: 0, order: 0 }));

function statusOf(verdict: Verdict, subject: string): string | undefined {
	if (!subject.startsWith('pod ')) return undefined;
	return verdict.pods.find((p) => `pod ${p.key}` === subject)?.status;
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
			`${humanDuration(verdict.assessedAt - e.last)} ago`,
			e.type,
			e.reason,
			e.namespace === '' || e.object.startsWith('Node/') ? e.object : `${e.namespace}/${e.object}`,
			e.count > 1 ? `${e.message} (x${e.count})` : e.message,
		]);
		const widths = columnWidths(EVENT_COLUMNS, rows, Number.MAX_SAFE_INTEGER);
		lines.push(`  ${fitCells(EVENT_COLUMNS, widths, EVENT_COLUMNS.map((c) => c.header)).join(GAP)}`);
		for (const row of rows) lines.push(`  ${fitCells(EVENT_COLUMNS, widths, row).join(GAP)}`);
	}
	lines.push('', `Look further: ${options.lookFurther}`);
	return lines;
}
