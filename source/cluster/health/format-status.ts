// `kubestrap status` as text: the verdict, nodes, the CNI and its datapath, system workloads and
// pods, then every problem with its cause.
import { humanDuration } from './kube-durations.js';
import { columnWidths, fitCells, GAP, type Column, type ShrinkStep } from './columns.js';
import { causeLines } from './format-pods.js';
import type { Line, LineTone } from './toned-lines.js';
import { plainLines } from './toned-lines.js';
import type { StatusReport } from './status-report.js';
import { cutMiddle, plural } from './text.js';

const NODE_COLUMNS: Column[] = ['NAME', 'STATUS', 'ROLES', 'VERSION', 'INTERNAL-IP', 'KERNEL', 'OS'].map((header) => ({ header }));
// The OS image is the longest and least needed; the kernel matters (the CNIs need 5.10 or newer).
const NODE_SHRINK: ShrinkStep[] = [[6, 16], [6, 10], [0, 20], [5, 16], [6, 6], [2, 8], [0, 12], [5, 10], [6, 3]];

const WORKLOAD_COLUMNS: Column[] = [{ header: 'KIND' }, { header: 'NAMESPACE' }, { header: 'NAME', cut: cutMiddle }, { header: 'DESIRED' }, { header: 'READY' }, { header: 'UPDATED' }, { header: 'AVAILABLE' }];
const WORKLOAD_SHRINK: ShrinkStep[] = [[2, 24], [2, 18], [1, 9], [2, 14], [0, 6]];

const POD_COLUMNS: Column[] = [{ header: 'NAMESPACE' }, { header: 'NAME', cut: cutMiddle }, { header: 'READY' }, { header: 'STATUS' }, { header: 'RESTARTS' }, { header: 'NODE' }];
const POD_SHRINK: ShrinkStep[] = [[1, 32], [5, 16], [1, 24], [5, 12], [1, 20], [3, 17], [1, 16], [0, 9], [5, 8], [1, 12], [3, 10]];

function heading(key: string, text: string): Line {
	return { key, segments: [{ text, bold: true, tone: 'accent' }] };
}

/** A table whose `toneColumn` cell carries each row's tone. */
function table(key: string, columns: Column[], steps: ShrinkStep[], rows: Array<{ cells: string[]; tone: LineTone }>, toneColumn: number, width: number): Line[] {
	const widths = columnWidths(columns, rows.map((r) => r.cells), width, steps);
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

function cniLines(report: StatusReport): Line[] {
	const { name, release, datapath } = report.cni;
	if (name === 'none') return [{ key: '#cni', segments: [{ text: 'no CNI found (neither a cilium nor a calico-node DaemonSet in kube-system)', tone: 'error' }] }];
	const entries = Object.entries(datapath);
	const keyWidth = Math.max(0, ...entries.map(([k]) => k.length));
	return [
		{ key: '#cni', segments: [{ text: `${name} ${release ?? '(release unknown)'}` }] },
		...entries.map(([k, v]): Line => ({ key: `#cni-${k}`, segments: [{ text: `  ${k.padEnd(keyWidth)}${GAP}`, tone: 'muted' }, { text: v }] })),
	];
}

/** kubectl's RESTARTS: "3 (5m ago)", the age taken when the cluster was read (a bare count without that time). */
function restartsText(pod: StatusReport['pods'][number], readAt: number): string {
	const last = pod.lastRestartAt === null ? Number.NaN : Date.parse(pod.lastRestartAt);
	if (pod.restarts === 0 || Number.isNaN(last) || Number.isNaN(readAt)) return String(pod.restarts);
	return `${pod.restarts} (${humanDuration(readAt - last)} ago)`;
}

export function statusLines(report: StatusReport, options: { width: number }): Line[] {
	const width = Math.max(20, options.width);
	const lines: Line[] = [verdictLine(report), { key: '#generated', segments: [{ text: `read at ${report.generatedAt}`, tone: 'muted' }] }];

	lines.push(heading('#nodes', 'NODES'));
	if (report.nodes.length === 0) lines.push({ key: '#nodes-none', segments: [{ text: 'no nodes registered', tone: 'error' }] });
	else {
		const rows = report.nodes.map((n) => ({
			cells: [n.name, n.status, n.roles.length === 0 ? '<none>' : n.roles.join(','), n.version, n.internalIP || '<none>', n.kernel, n.os],
			tone: (n.ready ? 'ok' : 'error') as LineTone,
		}));
		lines.push(...table('node', NODE_COLUMNS, NODE_SHRINK, rows, 1, width));
	}

	const { versions } = report;
	if (versions.controlPlane !== null) {
		lines.push(heading('#versions', 'VERSIONS'), { key: '#versions-cp', segments: [{ text: `control plane ${versions.controlPlane}` }] });
		versions.skew.forEach((text, i) => lines.push({ key: `#skew-${i}`, segments: [{ text, tone: 'warn' }] }));
		versions.available.forEach((text, i) => lines.push({ key: `#available-${i}`, segments: [{ text, tone: 'muted' }] }));
	}
	lines.push(heading('#cni-heading', 'CNI'), ...cniLines(report));

	lines.push(heading('#workloads', 'WORKLOADS'));
	const workloads = report.workloads.map((w) => ({
		cells: [w.kind, w.namespace, w.name, String(w.desired), String(w.ready), String(w.updated), String(w.available)],
		tone: (w.healthy ? 'ok' : 'error') as LineTone,
	}));
	if (workloads.length === 0) lines.push({ key: '#workloads-none', segments: [{ text: 'none', tone: 'muted' }] });
	else lines.push(...table('workload', WORKLOAD_COLUMNS, WORKLOAD_SHRINK, workloads, 4, width));

	lines.push(heading('#pods', 'SYSTEM PODS'));
	const readAt = Date.parse(report.generatedAt);
	const pods = report.pods.map((p) => ({
		cells: [p.namespace, p.name, `${p.containers.ready}/${p.containers.total}`, p.status, restartsText(p, readAt), p.node ?? '<none>'],
		tone: (p.healthy ? (p.status === 'Running' ? 'ok' : 'muted') : 'error') as LineTone,
	}));
	if (pods.length === 0) lines.push({ key: '#pods-none', segments: [{ text: 'none', tone: 'muted' }] });
	else lines.push(...table('pod', POD_COLUMNS, POD_SHRINK, pods, 3, width));

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
