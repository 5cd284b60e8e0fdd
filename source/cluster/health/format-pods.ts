// The live readiness table in the style of `kubectl get pods -A`: NAMESPACE NAME READY STATUS
// RESTARTS AGE NODE, the cause under each unhealthy pod, and a summary line.
import { columnWidths, fitCells, GAP, type Column, type ShrinkStep } from './columns.js';
import { elapsed } from './kube-durations.js';
import type { Line, LineTone, Segment } from './toned-lines.js';
import { plainLines } from './toned-lines.js';
import { cutEnd, cutMiddle, plural } from './text.js';
import type { PodRow, Verdict } from './verdict.js';
import { wrapText } from './wrap.js';

/** "12 (3m4s ago)" keeps its count when there is no room for the time. */
function cutRestarts(text: string, width: number): string {
	const count = text.split(' ')[0] ?? '';
	return count.length <= width ? count : cutEnd(count, width);
}

const [NAMESPACE, NAME, , STATUS, RESTARTS, AGE, NODE] = [0, 1, 2, 3, 4, 5, 6] as const;
const POD_COLUMNS: Column[] = [
	{ header: 'NAMESPACE' },
	{ header: 'NAME', cut: cutMiddle },
	{ header: 'READY' },
	{ header: 'STATUS' },
	{ header: 'RESTARTS', cut: cutRestarts },
	{ header: 'AGE' },
	{ header: 'NODE' },
];
// In 80 columns: the restart time goes first, then long pod names (cut in the middle, keeping
// the unique suffix) and node names shrink, the namespace and STATUS (ContainerCreating is 17)
// last; the NODE column always stays.
const POD_SHRINK: ShrinkStep[] = [
	[RESTARTS, 8],
	[NAME, 24],
	[NODE, 12],
	[NAME, 20],
	[STATUS, 17],
	[NAME, 16],
	[NAMESPACE, 9],
	[NODE, 8],
	[NAME, 12],
	[STATUS, 10],
	[AGE, 3],
];
const STATUS_COLUMN = STATUS;
const CAUSE_INDENT = '    ';
const LOG_INDENT = '      ';

export function statusTone(pod: Pick<PodRow, 'healthy' | 'status' | 'progressing'>): LineTone {
	if (pod.healthy) return pod.status === 'Running' ? 'ok' : 'muted';
	return pod.progressing ? 'warn' : 'error';
}

/** A cause under its row: the summary wrapped to the width, log lines cut to it. */
export function causeLines(key: string, cause: string, tone: LineTone, width: number, indent = CAUSE_INDENT): Line[] {
	const [summary = '', ...logs] = cause.split('\n');
	const wrapped = wrapText(summary, width - indent.length - 2).map((text, i): Line => ({
		key: `${key}#cause${i}`,
		segments: [{ text: `${indent}${i === 0 ? '↳ ' : '  '}` }, { text, tone }],
	}));
	const logLines = logs.map((text, i): Line => ({ key: `${key}#log${i}`, segments: [{ text: `${LOG_INDENT}${cutEnd(text, width - LOG_INDENT.length)}`, tone: 'muted' }] }));
	return [...wrapped, ...logLines];
}

export function summaryText(verdict: Verdict, elapsedMs: number): string {
	const { podsReady, podsTotal, nodesReady, nodesTotal } = verdict.summary;
	return `${podsReady}/${plural(podsTotal, 'pod')} ready · ${nodesReady}/${plural(nodesTotal, 'node')} Ready · ${elapsed(elapsedMs)}`;
}

function rowCells(pod: PodRow): string[] {
	return [pod.namespace, pod.name, pod.ready, pod.status, pod.restarts, pod.age, pod.node === '' ? '<none>' : pod.node];
}

export interface PodTableOptions {
	width: number;
	elapsedMs: number;
	title?: string;
}

export function podTableLines(verdict: Verdict, options: PodTableOptions): Line[] {
	const width = Math.max(20, options.width);
	const lines: Line[] = [];
	if (options.title !== undefined) lines.push({ key: '#title', segments: [{ text: options.title, bold: true }] });
	const rows = verdict.pods.map(rowCells);
	if (rows.length === 0) {
		lines.push({ key: '#empty', segments: [{ text: 'no pods yet', tone: 'muted' }] });
	} else {
		const widths = columnWidths(POD_COLUMNS, rows, width, POD_SHRINK);
		lines.push({ key: '#header', segments: [{ text: fitCells(POD_COLUMNS, widths, POD_COLUMNS.map((c) => c.header)).join(GAP), bold: true }] });
		verdict.pods.forEach((pod, index) => {
			const cells = fitCells(POD_COLUMNS, widths, rows[index] ?? []);
			const tone = statusTone(pod);
			const segments: Segment[] = [
				{ text: cells.slice(0, STATUS_COLUMN).join(GAP) + GAP },
				{ text: cells[STATUS_COLUMN] ?? '', tone },
				{ text: GAP + cells.slice(STATUS_COLUMN + 1).join(GAP) },
			];
			lines.push({ key: pod.key, segments });
			if (!pod.healthy && pod.cause !== undefined) lines.push(...causeLines(pod.key, pod.cause, tone, width));
		});
	}
	lines.push({ key: '#summary', segments: [{ text: summaryText(verdict, options.elapsedMs), tone: verdict.healthy ? 'ok' : 'accent' }] });
	return lines;
}

/** Plain lines (no ANSI): aligned columns, the cause after unhealthy rows, the summary line last. */
export function formatPodTable(verdict: Verdict, options: { width: number; elapsedMs: number }): string[] {
	return plainLines(podTableLines(verdict, options), Math.max(20, options.width));
}
