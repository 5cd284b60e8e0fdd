// The check's result: the `-o json` document (a stable shape, documented in the README) and the
// ✓/✗ grid printed as text. Pure.
import { transportShort } from './causes.js';
import type { Cause, CheckNode, Datapath, PathKind, ProbeResult } from './types.js';

export const REPORT_VERSION = 1;

export interface CheckReport {
	version: typeof REPORT_VERSION;
	/** "pass" when every path passed, else "fail" */
	result: 'pass' | 'fail';
	namespace: string;
	durationMs: number;
	datapath: Datapath & { crossNode: string };
	nodes: CheckNode[];
	paths: Array<{ id: string; path: PathKind; from: string; to?: string; target: string; result: 'pass' | 'fail' | 'not-run'; detail?: string; cause?: string; fix?: string }>;
	causes: Cause[];
}

export function buildReport(input: { namespace: string; durationMs: number; datapath: Datapath; nodes: CheckNode[]; results: readonly ProbeResult[]; causes: readonly Cause[] }): CheckReport {
	const causeOf = new Map<string, Cause>();
	for (const cause of input.causes) for (const id of cause.paths) if (!causeOf.has(id)) causeOf.set(id, cause);
	const paths = input.results.map((r) => {
		const cause = causeOf.get(r.probe.id);
		const result = r.outcome === 'pending' ? 'not-run' as const : r.outcome;
		return {
			id: r.probe.id, path: r.probe.path, from: r.probe.from, ...(r.probe.to !== undefined ? { to: r.probe.to } : {}), target: r.probe.target, result,
			...(result !== 'pass' && r.detail ? { detail: r.detail } : {}),
			...(result !== 'pass' && cause ? { cause: cause.cause, fix: cause.fix } : {}),
		};
	});
	return {
		version: REPORT_VERSION,
		result: paths.every((p) => p.result === 'pass') ? 'pass' : 'fail',
		namespace: input.namespace,
		durationMs: input.durationMs,
		datapath: { ...input.datapath, crossNode: transportShort(input.datapath) },
		nodes: input.nodes,
		paths,
		causes: [...input.causes],
	};
}

const COLUMNS: Array<{ path: PathKind; title: string }> = [
	{ path: 'same-node', title: 'same' },
	{ path: 'cluster-ip', title: 'svc-ip' },
	{ path: 'service-dns', title: 'svc-dns' },
	{ path: 'kubernetes-dns', title: 'k8s-dns' },
	{ path: 'node-port', title: 'nodeport' },
	{ path: 'external', title: 'external' },
];

export interface GridSymbols {
	pass: string;
	fail: string;
	pending: string;
	none: string;
}

export const SYMBOLS: GridSymbols = { pass: '✓', fail: '✗', pending: '…', none: '·' };

function cell(results: readonly ProbeResult[], match: (r: ProbeResult) => boolean, s: GridSymbols): string {
	const found = results.filter(match);
	if (found.length === 0) return s.none;
	if (found.some((r) => r.outcome === 'fail')) return s.fail;
	if (found.some((r) => r.outcome === 'pending')) return s.pending;
	return s.pass;
}

/**
 * The grid: one row per node; pod→pod cross-node cells per destination node (the pair `row → column`,
 * "pod/host" when the node-to-pod probe differs), then the node's own paths.
 */
export function gridLines(nodes: readonly CheckNode[], results: readonly ProbeResult[], s: GridSymbols = SYMBOLS): string[] {
	const names = nodes.map((n) => n.name);
	const used = COLUMNS.filter((c) => results.some((r) => r.probe.path === c.path));
	const labels = names.map((n, i) => `${i + 1} ${n}`);
	const width = Math.max('from \\ to'.length, ...labels.map((l) => l.length)) + 1;
	const numberWidth = Math.max(2, String(names.length).length) + 1;
	const header = ['from \\ to'.padEnd(width), ...names.map((_, i) => `${i + 1}`.padEnd(numberWidth)), '| ', ...used.map((c) => `${c.title} `)].join('');
	const lines = [header.trimEnd()];
	names.forEach((from, i) => {
		const row = [(labels[i] as string).padEnd(width)];
		for (const to of names) {
			const text = from === to ? s.none : cell(results, (r) => (r.probe.path === 'cross-node' || r.probe.path === 'node-to-pod') && r.probe.from === from && r.probe.to === to, s);
			row.push(text.padEnd(numberWidth));
		}
		row.push('| ');
		for (const c of used) row.push(cell(results, (r) => r.probe.path === c.path && r.probe.from === from, s).padEnd(c.title.length + 1));
		lines.push(row.join('').trimEnd());
	});
	return lines;
}

/** The text report after the grid: the datapath, the result, and each cause with its fix. */
export function summaryLines(report: CheckReport): string[] {
	const total = report.paths.length;
	const passed = report.paths.filter((p) => p.result === 'pass').length;
	const lines = [`${report.result === 'pass' ? '✓' : '✗'} network check: ${passed}/${total} paths pass over ${report.nodes.length} node${report.nodes.length === 1 ? '' : 's'} (${report.datapath.crossNode}) in ${(report.durationMs / 1000).toFixed(1)} s`];
	for (const cause of report.causes) {
		lines.push(`✗ ${cause.nodes && cause.nodes[0] !== cause.nodes[1] ? `${cause.nodes[0]} ↔ ${cause.nodes[1]}: ` : ''}${cause.cause}`);
		lines.push(`  fix: ${cause.fix}`);
		lines.push(`  paths: ${cause.paths.join(', ')}`);
	}
	return lines;
}
