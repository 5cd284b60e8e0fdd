// `kubestrap status` as text: the verdict, nodes, the CNI and its datapath, system workloads and
// pods, then every problem with its cause.
import { columnWidths, fitCells, GAP, type Column } from './columns.js';
import { causeLines } from './format-pods.js';
import type { Line, LineTone } from './lines.js';
import { plainLines } from './lines.js';
import type { StatusReport } from './status-report.js';
import { cutMiddle, plural } from './text.js';

const NODE_COLUMNS: Column[] = [
	{ header: 'NAME', soft: 20, min: 8, order: 3 },
	{ header: 'STATUS', soft: 8, min: 8, order: 9 },
	{ header: 'ROLES', soft: 13, min: 6, order: 4 },
	{ header: 'VERSION', soft: 8, min: 7, order: 5 },
	{ header: 'INTERNAL-IP', soft: 15, min: 11, order: 6 },
	{ header: 'KERNEL', soft: 12, min: 6, order: 2 },
	{ header: 'OS', soft: 12, min: 4, order: 1 },
];

const WORKLOAD_COLUMNS: Column[] = [
	{ header: 'KIND', soft: 10, min: 6, order: 4 },
	{ header: 'NAMESPACE', soft: 11, min: 9, order: 2 },
	{ header: 'NAME', soft: 24, min: 12, order: 1, cut: cutMiddle },
	{ header: 'DESIRED', soft: 7, min: 7, order: 9 },
	{ header: 'READY', soft: 5, min: 5, order: 9 },
	{ header: 'UP-TO-DATE', soft: 10, min: 10, order: 9 },
	{ header: 'AVAILABLE', soft: 9, min: 9, order: 9 },
];

const POD_COLUMNS: Column[] = [
	{ header: 'NAMESPACE', soft: 11, min: 9, order: 3 },
	{ header: 'NAME', soft: 32, min: 12, order: 1, cut: cutMiddle },
	{ header: 'READY', soft: 5, min: 5, order: 9 },
	{ header: 'STATUS', soft: 16, min: 10, order: 4 },
	{ header: 'RESTARTS', soft: 8, min: 8, order: 9 },
	{ header: 'NODE', soft: 16, min: 8, order: 2 },
];

function heading(key: string, text: string): Line {
	return { key, segments: [{ text, bold: true, tone: 'accent' }] };
}

/** A table whose `toneColumn` cell carries each row's tone. */
function table(key: string, columns: Column[], rows: Array<{ cells: string[]; tone: LineTone }>, toneColumn: number, width: number): Line[] {
	const widths = columnWidths(columns, rows.map((r) => r.cells), width);
	const lines: Line[] = [{ key: `${key}#header`, segments: [{ text: fitCells(columns, widths, columns.map((c) => c.header)).join(GAP), bold: true }] }];
	rows.forEach((row, index) => {
		const cells = fitCells(columns, widths, row.cells);
		lines.push({
			key: `${key}#${index}`,
			segments: [
				{ text: cells.slice(0, toneColumn).map((c) => c + GAP).join('') },
				{ text: cells[toneColumn] ?? '', tone: row.tone },
				{ text: cells.slice(toneColumn + 1).map((c) => GAP + c).join('') },
			],
		});
	});
	return lines;
}

function verdictLine(report: StatusReport): Line {
	const { podsReady, podsTotal, nodesReady, nodesTotal } = report.summary;
	const state = report.healthy ? 'healthy' : `unhealthy (${plural(report.problems.length, 'problem')})`;
	return {
		key: '#verdict',
		segments: [
			{ text: `Cluster ${report.cluster ?? '(unnamed)'}: ` },
			{ text: state, tone: report.healthy ? 'ok' : 'error', bold: true },
			{ text: ` · ${nodesReady}/${plural(nodesTotal, 'node')} Ready · ${podsReady}/${plural(podsTotal, 'system pod')} ready`, tone: 'muted' },
		],
	};
}

function cniLine(report: StatusReport): Line {
	const { name, release, datapath } = report.cni;
	if (name === 'none') return { key: '#cni', segments: [{ text: 'no CNI found (neither a cilium nor a calico-node DaemonSet in kube-system)', tone: 'error' }] };
	const settings = Object.entries(datapath).map(([k, v]) => `${k} ${v}`);
	return { key: '#cni', segments: [{ text: [`${name} ${release ?? '(release unknown)'}`, ...settings].join(' · ') }] };
}

export function statusLines(report: StatusReport, options: { width: number }): Line[] {
	const width = Math.max(20, options.width);
	const lines: Line[] = [verdictLine(report), { key: '#generated', segments: [{ text: `read at ${report.generatedAt}`, tone: 'muted' }] }];

	lines.push(heading('#nodes', 'NODES'));
	if (report.nodes.length === 0) lines.push({ key: '#nodes-none', segments: [{ text: 'no nodes registered', tone: 'error' }] });
	else {
		const rows = report.nodes.map((n) => ({
			cells: [n.name, n.ready ? 'Ready' : 'NotReady', n.roles.length === 0 ? '<none>' : n.roles.join(','), n.version, n.internalIP || '<none>', n.kernel, n.os],
			tone: (n.ready ? 'ok' : 'error') as LineTone,
		}));
		lines.push(...table('node', NODE_COLUMNS, rows, 1, width));
	}

	lines.push(heading('#cni-heading', 'CNI'), cniLine(report));

	lines.push(heading('#workloads', 'WORKLOADS'));
	const workloads = report.workloads.map((w) => ({
		cells: [w.kind, w.namespace, w.name, String(w.desired), String(w.ready), String(w.updated), String(w.available)],
		tone: (w.healthy ? 'ok' : 'error') as LineTone,
	}));
	if (workloads.length === 0) lines.push({ key: '#workloads-none', segments: [{ text: 'none', tone: 'muted' }] });
	else lines.push(...table('workload', WORKLOAD_COLUMNS, workloads, 4, width));

	lines.push(heading('#pods', 'SYSTEM PODS'));
	const pods = report.pods.map((p) => ({
		cells: [p.namespace, p.name, `${p.containers.ready}/${p.containers.total}`, p.status, String(p.restarts), p.node ?? '<none>'],
		tone: (p.healthy ? (p.status === 'Running' ? 'ok' : 'muted') : 'error') as LineTone,
	}));
	if (pods.length === 0) lines.push({ key: '#pods-none', segments: [{ text: 'none', tone: 'muted' }] });
	else lines.push(...table('pod', POD_COLUMNS, pods, 3, width));

	if (report.problems.length > 0) {
		lines.push(heading('#problems', 'PROBLEMS'));
		report.problems.forEach((p, index) => {
			const tone: LineTone = p.progressing ? 'warn' : 'error';
			lines.push({ key: `problem#${index}`, segments: [{ text: p.subject, bold: true }] }, ...causeLines(`problem#${index}`, p.cause, tone, width, '  '));
		});
	}
	return lines;
}

export function formatStatus(report: StatusReport, options: { width: number }): string[] {
	return plainLines(statusLines(report, options), Math.max(20, options.width));
}
