// Reads what the check's pods report: the nodes to cover, the echo pods and Service, the client pods'
// phases and their result lines. Input is `kubectl get … -o json` text and `kubectl logs` text.
import { ECHO_NAME, RESULT_PREFIX } from './objects.js';
import type { CheckNode } from './types.js';

type Json = Record<string, unknown>;

function record(value: unknown): Json {
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function list(value: unknown): unknown[] {
	return Array.isArray(value) ? value : [];
}

function str(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

export function parseList(text: string): Json[] {
	const doc = record(JSON.parse(text));
	return doc['kind'] === 'List' || Array.isArray(doc['items']) ? list(doc['items']).map(record) : [doc];
}

export interface NodeInfo extends CheckNode {
	ready: boolean;
	schedulable: boolean;
}

/** Nodes with their InternalIP, readiness (the last Ready condition counts, as in kubectl) and cordon state. */
export function parseNodes(text: string): NodeInfo[] {
	return parseList(text).map((item) => {
		const metadata = record(item['metadata']);
		const status = record(item['status']);
		const address = list(status['addresses']).map(record).find((a) => a['type'] === 'InternalIP');
		const ready = list(status['conditions']).map(record).filter((c) => c['type'] === 'Ready').at(-1);
		return {
			name: str(metadata['name']) ?? '',
			address: str(address?.['address']) ?? '',
			ready: ready?.['status'] === 'True',
			schedulable: record(item['spec'])['unschedulable'] !== true,
		};
	}).filter((n) => n.name !== '').sort((a, b) => a.name.localeCompare(b.name));
}

export interface PodInfo {
	name: string;
	node: string;
	phase: string;
	ip?: string;
	ready: boolean;
	/** why the pod does not run, when it does not (Unschedulable message, waiting reason and message) */
	waiting?: string;
	app?: string;
	/** the first container's termination message, once it exited */
	message?: string;
}

export function parsePods(text: string): PodInfo[] {
	return parseList(text).map((item) => {
		const metadata = record(item['metadata']);
		const spec = record(item['spec']);
		const status = record(item['status']);
		const conditions = list(status['conditions']).map(record);
		const scheduled = conditions.find((c) => c['type'] === 'PodScheduled');
		const container = list(status['containerStatuses']).map(record)[0];
		const waiting = record(record(container?.['state'])['waiting']);
		const message = str(record(record(container?.['state'])['terminated'])['message']);
		const why = scheduled?.['status'] === 'False'
			? `${str(scheduled['reason']) ?? 'Unschedulable'}: ${str(scheduled['message']) ?? ''}`.trim()
			: str(waiting['reason']) !== undefined ? `${str(waiting['reason'])}${str(waiting['message']) ? `: ${str(waiting['message'])}` : ''}` : undefined;
		return {
			name: str(metadata['name']) ?? '',
			node: str(spec['nodeName']) ?? '',
			phase: str(status['phase']) ?? 'Pending',
			...(str(status['podIP']) ? { ip: str(status['podIP']) as string } : {}),
			ready: conditions.some((c) => c['type'] === 'Ready' && c['status'] === 'True'),
			...(why !== undefined ? { waiting: why } : {}),
			...(message !== undefined ? { message } : {}),
			...(str(record(metadata['labels'])['app.kubernetes.io/name']) ? { app: str(record(metadata['labels'])['app.kubernetes.io/name']) as string } : {}),
		};
	});
}

/** node → IP of its Ready echo pod. */
export function echoIps(pods: readonly PodInfo[]): Map<string, string> {
	const out = new Map<string, string>();
	for (const pod of pods) if (pod.app === ECHO_NAME && pod.ready && pod.ip && pod.node) out.set(pod.node, pod.ip);
	return out;
}

export function parseService(text: string): { clusterIp?: string; nodePort?: number } {
	const spec = record(record(JSON.parse(text))['spec']);
	const ip = str(spec['clusterIP']);
	const port = list(spec['ports']).map(record)[0]?.['nodePort'];
	return { ...(ip && ip !== 'None' ? { clusterIp: ip } : {}), ...(typeof port === 'number' ? { nodePort: port } : {}) };
}

export interface ParsedLog {
	results: Map<string, { pass: boolean; detail: string }>;
	/** the script printed its last line: every probe it had ran */
	complete: boolean;
}

/** `kubestrap-check <id> pass` / `kubestrap-check <id> fail <detail>` / `kubestrap-check done`. */
export function parseResults(text: string): ParsedLog {
	const results = new Map<string, { pass: boolean; detail: string }>();
	let complete = false;
	for (const raw of text.split('\n')) {
		const line = raw.trim();
		if (!line.startsWith(`${RESULT_PREFIX} `)) continue;
		const rest = line.slice(RESULT_PREFIX.length + 1);
		if (rest === 'done') {
			complete = true;
			continue;
		}
		const match = /^(\S+) (pass|fail)(?: (.*))?$/.exec(rest);
		if (!match) continue;
		results.set(match[1] as string, { pass: match[2] === 'pass', detail: (match[3] ?? '').trim() });
	}
	return { results, complete };
}
