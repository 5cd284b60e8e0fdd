// `kubectl get events -A -o json` → rows, and the few that explain what is unhealthy: Warnings
// first, newest first, only about the objects the verdict found wanting.
import { num, obj, optNum, str, timeOf, type Json } from './json-read.js';
import { listItems } from './snapshot.js';
import { oneLine } from './text.js';
import type { Verdict } from './verdict.js';

export interface EventRow {
	namespace: string;
	/** Kind/name of the object the event is about, e.g. "Pod/coredns-abc", "Node/cp-1" */
	object: string;
	type: 'Normal' | 'Warning';
	reason: string;
	message: string;
	/** occurrences (series.count for new-style events) */
	count: number;
	/** ms since the epoch of the last occurrence */
	last: number;
}

function lastSeen(event: Json): number {
	const series = obj(event, 'series');
	const candidates = [str(event, 'lastTimestamp'), str(series, 'lastObservedTime'), str(event, 'eventTime'), str(event, 'firstTimestamp'), str(obj(event, 'metadata'), 'creationTimestamp')];
	for (const text of candidates) {
		const ms = timeOf(text === '' ? undefined : text);
		if (ms !== undefined) return ms;
	}
	return 0;
}

function eventRow(event: Json): EventRow {
	const involved = obj(event, 'involvedObject');
	const regarding = Object.keys(involved).length > 0 ? involved : obj(event, 'regarding');
	return {
		namespace: str(regarding, 'namespace') || str(obj(event, 'metadata'), 'namespace'),
		object: `${str(regarding, 'kind')}/${str(regarding, 'name')}`,
		type: str(event, 'type') === 'Warning' ? 'Warning' : 'Normal',
		reason: oneLine(str(event, 'reason')),
		message: oneLine(str(event, 'message') || str(event, 'note')),
		count: Math.max(1, optNum(obj(event, 'series'), 'count') ?? num(event, 'count')),
		last: lastSeen(event),
	};
}

/** Reads `kubectl get events -A -o json`; empty output is no events. Throws SnapshotError otherwise. */
export function parseEvents(text: string): EventRow[] {
	if (text.trim() === '') return [];
	return listItems(text, 'kubectl get events').map(eventRow);
}

function unhealthyObjects(verdict: Verdict): { exact: Set<string>; owners: Set<string> } {
	const exact = new Set<string>();
	const owners = new Set<string>();
	for (const node of verdict.nodes) if (!node.ready) exact.add(`/Node/${node.name}`);
	for (const pod of verdict.pods) if (!pod.healthy) exact.add(`${pod.namespace}/Pod/${pod.name}`);
	for (const w of verdict.workloads) {
		if (w.healthy) continue;
		exact.add(`${w.namespace}/${w.kind}/${w.name}`);
		// A Deployment's trouble is often told on its ReplicaSets ("FailedCreate").
		if (w.kind === 'Deployment') owners.add(`${w.namespace}/ReplicaSet/${w.name}-`);
	}
	return { exact, owners };
}

function about(event: EventRow, wanted: { exact: Set<string>; owners: Set<string> }): boolean {
	// Node events are filed in "default" although nodes have no namespace.
	if (event.object.startsWith('Node/')) return wanted.exact.has(`/${event.object}`);
	const id = `${event.namespace}/${event.object}`;
	if (wanted.exact.has(id)) return true;
	// ReplicaSets are named <deployment>-<pod-template-hash>; the hash has no dash.
	for (const prefix of wanted.owners) if (id.startsWith(prefix) && !id.slice(prefix.length).includes('-')) return true;
	return false;
}

/** Events about unhealthy nodes, pods and workloads: Warnings first, newest first, at most `limit`. */
export function recentEvents(events: readonly EventRow[], verdict: Verdict, limit: number): EventRow[] {
	const wanted = unhealthyObjects(verdict);
	return events
		.filter((event) => about(event, wanted))
		.sort((a, b) => Number(b.type === 'Warning') - Number(a.type === 'Warning') || b.last - a.last)
		.slice(0, Math.max(0, limit));
}
