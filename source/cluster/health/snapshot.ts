// kubectl's JSON → the typed Snapshot. Each object is copied field by field into a small typed
// value (never a deep clone of the raw object), so assess() never meets a missing or mistyped field.
import { bool, isJson, list, num, obj, optBool, optNum, optObj, optStr, str, stringMap, type Json } from './json-read.js';
import type { Condition, ContainerSpec, ContainerState, ContainerStatus, KubeDaemonSet, KubeDeployment, KubeNode, KubePod, ObjectMeta, PodTemplate, Snapshot } from './kube-types.js';

/** kubectl printed something that is not the JSON List asked for; the message says what. */
export class SnapshotError extends Error {
	override name = 'SnapshotError';
}

/** Parses JSON text into an object, or says what was wrong with it. `what` names the command. */
export function parseJsonObject(text: string, what: string): Json {
	if (text.trim() === '') throw new SnapshotError(`${what} printed nothing`);
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		const head = text.trim().slice(0, 60).replace(/\s+/g, ' ');
		throw new SnapshotError(`${what} did not print JSON (${(error as Error).message}); it began with: ${head}`);
	}
	if (!isJson(value)) throw new SnapshotError(`${what} printed JSON that is not an object`);
	return value;
}

/** The items of a `kubectl get … -o json` List (kind "List", or a typed list such as "PodList"). */
export function listItems(text: string, what: string): Json[] {
	const value = parseJsonObject(text, what);
	const kind = str(value, 'kind');
	if (!kind.endsWith('List')) throw new SnapshotError(`${what} printed a ${kind === '' ? 'JSON object without a kind' : `${kind} object`}, not a List`);
	if (!Array.isArray(value['items'])) throw new SnapshotError(`${what} printed a List without an items array`);
	return list(value, 'items');
}

function conditions(parent: Json): Condition[] {
	return list(parent, 'conditions').map((c) => ({
		type: str(c, 'type'),
		status: str(c, 'status'),
		reason: optStr(c, 'reason'),
		message: optStr(c, 'message'),
		lastTransitionTime: optStr(c, 'lastTransitionTime'),
	}));
}

function meta(item: Json): ObjectMeta {
	const m = obj(item, 'metadata');
	return {
		name: str(m, 'name'),
		namespace: str(m, 'namespace'),
		uid: optStr(m, 'uid'),
		creationTimestamp: optStr(m, 'creationTimestamp'),
		deletionTimestamp: optStr(m, 'deletionTimestamp'),
		generation: optNum(m, 'generation'),
		labels: stringMap(m, 'labels'),
		ownerReferences: list(m, 'ownerReferences').map((o) => ({ kind: str(o, 'kind'), name: str(o, 'name') })),
	};
}

function containers(parent: Json, key: string): ContainerSpec[] {
	return list(parent, key).map((c) => ({
		name: str(c, 'name'),
		image: str(c, 'image'),
		restartPolicy: optStr(c, 'restartPolicy'),
		env: list(c, 'env').map((e) => ({ name: str(e, 'name'), value: typeof e['value'] === 'string' ? e['value'] : undefined })),
	}));
}

function state(parent: Json, key: string): ContainerState {
	const s = obj(parent, key);
	const out: ContainerState = {};
	const waiting = optObj(s, 'waiting');
	const running = optObj(s, 'running');
	const terminated = optObj(s, 'terminated');
	if (waiting) out.waiting = { reason: optStr(waiting, 'reason'), message: optStr(waiting, 'message') };
	if (running) out.running = { startedAt: optStr(running, 'startedAt') };
	if (terminated) {
		out.terminated = {
			exitCode: num(terminated, 'exitCode'),
			signal: optNum(terminated, 'signal'),
			reason: optStr(terminated, 'reason'),
			message: optStr(terminated, 'message'),
			startedAt: optStr(terminated, 'startedAt'),
			finishedAt: optStr(terminated, 'finishedAt'),
		};
	}
	return out;
}

function containerStatuses(parent: Json, key: string): ContainerStatus[] {
	return list(parent, key).map((c) => ({
		name: str(c, 'name'),
		image: str(c, 'image'),
		ready: bool(c, 'ready'),
		started: optBool(c, 'started'),
		restartCount: num(c, 'restartCount'),
		state: state(c, 'state'),
		lastState: state(c, 'lastState'),
	}));
}

function template(spec: Json): PodTemplate {
	const podSpec = obj(obj(spec, 'template'), 'spec');
	return { containers: containers(podSpec, 'containers'), initContainers: containers(podSpec, 'initContainers') };
}

function pod(item: Json): KubePod {
	const spec = obj(item, 'spec');
	const status = obj(item, 'status');
	return {
		metadata: meta(item),
		spec: { nodeName: optStr(spec, 'nodeName'), containers: containers(spec, 'containers'), initContainers: containers(spec, 'initContainers') },
		status: {
			phase: optStr(status, 'phase'),
			reason: optStr(status, 'reason'),
			message: optStr(status, 'message'),
			startTime: optStr(status, 'startTime'),
			conditions: conditions(status),
			containerStatuses: containerStatuses(status, 'containerStatuses'),
			initContainerStatuses: containerStatuses(status, 'initContainerStatuses'),
		},
	};
}

function node(item: Json): KubeNode {
	const spec = obj(item, 'spec');
	const status = obj(item, 'status');
	const info = obj(status, 'nodeInfo');
	return {
		metadata: meta(item),
		spec: {
			unschedulable: bool(spec, 'unschedulable'),
			taints: list(spec, 'taints').map((t) => ({ key: str(t, 'key'), value: optStr(t, 'value'), effect: str(t, 'effect') })),
		},
		status: {
			conditions: conditions(status),
			addresses: list(status, 'addresses').map((a) => ({ type: str(a, 'type'), address: str(a, 'address') })),
			nodeInfo: {
				kubeletVersion: str(info, 'kubeletVersion'),
				kernelVersion: str(info, 'kernelVersion'),
				osImage: str(info, 'osImage'),
				containerRuntimeVersion: str(info, 'containerRuntimeVersion'),
				architecture: str(info, 'architecture'),
			},
		},
	};
}

function daemonSet(item: Json): KubeDaemonSet {
	const status = obj(item, 'status');
	return {
		metadata: meta(item),
		spec: { template: template(obj(item, 'spec')) },
		status: {
			desiredNumberScheduled: num(status, 'desiredNumberScheduled'),
			currentNumberScheduled: num(status, 'currentNumberScheduled'),
			numberReady: num(status, 'numberReady'),
			updatedNumberScheduled: num(status, 'updatedNumberScheduled'),
			numberAvailable: num(status, 'numberAvailable'),
			numberMisscheduled: num(status, 'numberMisscheduled'),
			observedGeneration: optNum(status, 'observedGeneration'),
		},
	};
}

function deployment(item: Json): KubeDeployment {
	const spec = obj(item, 'spec');
	const status = obj(item, 'status');
	return {
		metadata: meta(item),
		spec: { replicas: optNum(spec, 'replicas') ?? 1, template: template(spec) },
		status: {
			replicas: num(status, 'replicas'),
			readyReplicas: num(status, 'readyReplicas'),
			updatedReplicas: num(status, 'updatedReplicas'),
			availableReplicas: num(status, 'availableReplicas'),
			observedGeneration: optNum(status, 'observedGeneration'),
			conditions: conditions(status),
		},
	};
}

/**
 * Reads `kubectl get nodes,pods,daemonsets,deployments -A -o json`. Throws SnapshotError when the
 * text is not a JSON List; items of other kinds and items without a name are skipped.
 */
export function parseSnapshot(text: string): Snapshot {
	return snapshotFromItems(listItems(text, 'kubectl get nodes,pods,daemonsets,deployments'));
}

type Parsed = { kind: 'Pod'; value: KubePod } | { kind: 'Node'; value: KubeNode } | { kind: 'DaemonSet'; value: KubeDaemonSet } | { kind: 'Deployment'; value: KubeDeployment } | { kind: 'other' };

function parseItem(item: Json): Parsed {
	if (str(obj(item, 'metadata'), 'name') === '') return { kind: 'other' };
	switch (item['kind']) {
		case 'Pod':
			return { kind: 'Pod', value: pod(item) };
		case 'Node':
			return { kind: 'Node', value: node(item) };
		case 'DaemonSet':
			return { kind: 'DaemonSet', value: daemonSet(item) };
		case 'Deployment':
			return { kind: 'Deployment', value: deployment(item) };
		default:
			return { kind: 'other' };
	}
}

/** Typed copies by the JSON object they came from: a watch replaces the object of what changed, so only that is read again. */
export type ParseCache = WeakMap<Json, Parsed>;

export function createParseCache(): ParseCache {
	return new WeakMap();
}

/** The same from objects already parsed (each with its kind), e.g. the copies a watch keeps. */
export function snapshotFromItems(items: Iterable<Json>, cache?: ParseCache): Snapshot {
	const snapshot: Snapshot = { nodes: [], pods: [], daemonSets: [], deployments: [] };
	for (const item of items) {
		let parsed = cache?.get(item);
		if (parsed === undefined) {
			parsed = parseItem(item);
			cache?.set(item, parsed);
		}
		if (parsed.kind === 'Pod') snapshot.pods.push(parsed.value);
		else if (parsed.kind === 'Node') snapshot.nodes.push(parsed.value);
		else if (parsed.kind === 'DaemonSet') snapshot.daemonSets.push(parsed.value);
		else if (parsed.kind === 'Deployment') snapshot.deployments.push(parsed.value);
	}
	return snapshot;
}
