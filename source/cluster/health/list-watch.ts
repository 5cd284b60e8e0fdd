// List-then-watch for one resource collection, as the API defines it (and client-go's reflector
// follows): list in pages of `limit` objects, remember the list's resourceVersion, then watch from
// it; apply ADDED/MODIFIED/DELETED to the local copy, move the resourceVersion on with every event
// and BOOKMARK; an ERROR with code 410 (Gone: the resourceVersion is older than the server keeps)
// means list again; a stream that ends or breaks is watched again from the last resourceVersion
// after a growing pause. Pure: the caller performs the requests this module names and feeds the
// answers back, so the whole cycle is tested with scripted streams.
import { isJson, list, num, obj, str, type Json } from './json-read.js';

/** One collection: cluster-wide (nodes) or one namespace's objects of a kind. */
export interface Collection {
	/** "nodes", "pods", "daemonsets", "deployments" */
	resource: 'nodes' | 'pods' | 'daemonsets' | 'deployments';
	namespace?: string;
}

export type Request =
	| { kind: 'list'; path: string }
	| { kind: 'watch'; path: string; resourceVersion: string };

export interface ListWatchState {
	collection: Collection;
	/** the objects of the last complete list plus every event since, by namespace/name */
	items: Map<string, Json>;
	/** where the next watch starts; '' until a list completed */
	resourceVersion: string;
	/** pages of a list in progress (replaces `items` when the last page arrives) */
	pending?: { items: Map<string, Json>; continue: string };
	/** true once a list completed: the items are the whole collection */
	synced: boolean;
	/** failed attempts in a row (a dropped stream, a failed list), for the pause before the next */
	failures: number;
	/** why the last list was started: 'start', 'expired' (410), 'failed' */
	lastRelist: 'start' | 'expired' | 'failed';
}

export interface Tuning {
	/** objects per list page (kubectl's --chunk-size, the API's limit) */
	limit: number;
	/** the server ends each watch after this long, so no stream stays open for ever */
	watchSeconds: number;
}

export const DEFAULT_TUNING: Tuning = { limit: 500, watchSeconds: 300 };

const GROUPS: Record<Collection['resource'], string> = {
	nodes: '/api/v1',
	pods: '/api/v1',
	daemonsets: '/apis/apps/v1',
	deployments: '/apis/apps/v1',
};

export function collectionPath(c: Collection): string {
	const base = GROUPS[c.resource];
	return c.namespace === undefined ? `${base}/${c.resource}` : `${base}/namespaces/${encodeURIComponent(c.namespace)}/${c.resource}`;
}

export function collectionName(c: Collection): string {
	return c.namespace === undefined ? c.resource : `${c.resource} in ${c.namespace}`;
}

export function initialState(collection: Collection): ListWatchState {
	return { collection, items: new Map(), resourceVersion: '', synced: false, failures: 0, lastRelist: 'start' };
}

function query(params: Array<[string, string]>): string {
	return params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}

/** The request to make next in this state. */
export function nextRequest(state: ListWatchState, tuning: Tuning = DEFAULT_TUNING): Request {
	const path = collectionPath(state.collection);
	if (state.pending !== undefined || !state.synced) {
		const params: Array<[string, string]> = [['limit', String(tuning.limit)]];
		if (state.pending !== undefined && state.pending.continue !== '') params.push(['continue', state.pending.continue]);
		return { kind: 'list', path: `${path}?${query(params)}` };
	}
	return {
		kind: 'watch',
		resourceVersion: state.resourceVersion,
		path: `${path}?${query([['watch', '1'], ['resourceVersion', state.resourceVersion], ['allowWatchBookmarks', 'true'], ['timeoutSeconds', String(tuning.watchSeconds)]])}`,
	};
}

export function objectKey(item: Json): string {
	const m = obj(item, 'metadata');
	return `${str(m, 'namespace')}/${str(m, 'name')}`;
}

/** The kind of an item of a list (lists leave it out of their items, the API's convention). */
const KINDS: Record<Collection['resource'], { apiVersion: string; kind: string }> = {
	nodes: { apiVersion: 'v1', kind: 'Node' },
	pods: { apiVersion: 'v1', kind: 'Pod' },
	daemonsets: { apiVersion: 'apps/v1', kind: 'DaemonSet' },
	deployments: { apiVersion: 'apps/v1', kind: 'Deployment' },
};

function withKind(item: Json, c: Collection): Json {
	return typeof item['kind'] === 'string' && item['kind'] !== '' ? item : { ...KINDS[c.resource], ...item };
}

export class ListWatchError extends Error {
	override name = 'ListWatchError';
}

/**
 * One page of a list (the parsed JSON). Returns true when it was the last page: the items then
 * replace the local copy, and the next request is a watch from the list's resourceVersion.
 */
export function applyListPage(state: ListWatchState, page: Json): boolean {
	const kind = str(page, 'kind');
	if (!kind.endsWith('List')) throw new ListWatchError(`the list of ${collectionName(state.collection)} answered a ${kind || 'JSON object without a kind'}, not a List`);
	const pending = state.pending ?? { items: new Map<string, Json>(), continue: '' };
	for (const item of list(page, 'items')) pending.items.set(objectKey(item), withKind(item, state.collection));
	const meta = obj(page, 'metadata');
	const next = str(meta, 'continue');
	if (next !== '') {
		state.pending = { items: pending.items, continue: next };
		return false;
	}
	state.items = pending.items;
	state.pending = undefined;
	state.resourceVersion = str(meta, 'resourceVersion');
	state.synced = true;
	state.failures = 0;
	return true;
}

/** What a watch event asks of the caller. */
export type EventOutcome =
	| { kind: 'changed'; key: string }
	| { kind: 'unchanged' }
	/** the resourceVersion expired: list again (the items stay shown until the new list completes) */
	| { kind: 'relist'; message: string }
	/** the server reported another error: watch again after a pause */
	| { kind: 'retry'; message: string };

/** One event of a watch stream: `{"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{…}}`. */
export function applyEvent(state: ListWatchState, event: unknown): EventOutcome {
	if (!isJson(event)) throw new ListWatchError(`the watch of ${collectionName(state.collection)} sent something that is not an event object`);
	const type = str(event, 'type');
	const object = obj(event, 'object');
	const rv = str(obj(object, 'metadata'), 'resourceVersion');
	switch (type) {
		case 'ADDED':
		case 'MODIFIED': {
			const key = objectKey(object);
			state.items.set(key, withKind(object, state.collection));
			if (rv !== '') state.resourceVersion = rv;
			state.failures = 0;
			return { kind: 'changed', key };
		}
		case 'DELETED': {
			const key = objectKey(object);
			state.items.delete(key);
			if (rv !== '') state.resourceVersion = rv;
			state.failures = 0;
			return { kind: 'changed', key };
		}
		case 'BOOKMARK':
			// Only the resourceVersion is meaningful: the server says "nothing you watch changed up to here".
			if (rv !== '') state.resourceVersion = rv;
			return { kind: 'unchanged' };
		case 'ERROR': {
			const message = str(object, 'message') || 'the watch ended with an error';
			if (num(object, 'code') === 410 || str(object, 'reason') === 'Expired' || str(object, 'reason') === 'Gone') {
				return expired(state, message);
			}
			state.failures++;
			return { kind: 'retry', message };
		}
		default:
			throw new ListWatchError(`the watch of ${collectionName(state.collection)} sent an event of type "${type}"`);
	}
}

function expired(state: ListWatchState, message: string): EventOutcome {
	state.synced = false;
	state.pending = undefined;
	state.lastRelist = 'expired';
	return { kind: 'relist', message };
}

/**
 * A list or watch request failed (the command exited non-zero, the connection broke). A list whose
 * continue token expired (410 "Expired") starts over; anything else is tried again after a pause.
 */
export function requestFailed(state: ListWatchState, message: string): { expired: boolean } {
	state.failures++;
	if (/\b410\b|\(Expired\)|\(Gone\)|too old resource version/i.test(message)) {
		expired(state, message);
		return { expired: true };
	}
	if (!state.synced || state.pending !== undefined) {
		state.pending = undefined;
		state.lastRelist = 'failed';
	}
	return { expired: false };
}

/** A watch stream ended normally (the server's timeoutSeconds): watch again at once. */
export function streamEnded(state: ListWatchState): void {
	state.failures = 0;
}

/** The pause before the next attempt: none after success, then 0.5 s doubling up to 30 s. */
export function backoffMs(state: ListWatchState): number {
	if (state.failures <= 0) return 0;
	return Math.min(30_000, 500 * 2 ** (state.failures - 1));
}
