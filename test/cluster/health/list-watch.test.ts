// The list-then-watch state machine, driven by scripted API answers: pages, the resourceVersion a
// watch starts from, events, bookmarks, 410 Gone, failures and the pause before trying again.
import test from 'ava';
import { listWatch } from '../../../source/cluster/health/index.js';

const { applyEvent, applyListPage, backoffMs, initialState, nextRequest, requestFailed, streamEnded } = listWatch;

const pod = (name: string, rv: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ metadata: { name, namespace: 'kube-system', resourceVersion: rv }, ...extra });
const tuning = { limit: 2, watchSeconds: 300 };

function listed(): listWatch.ListWatchState {
	const state = initialState({ resource: 'pods', namespace: 'kube-system' });
	applyListPage(state, { kind: 'PodList', metadata: { resourceVersion: '100' }, items: [pod('a', '90'), pod('b', '95')] });
	return state;
}

test('a list is asked in pages; the last page replaces the copy and the watch starts at the list resourceVersion', (t) => {
	const state = initialState({ resource: 'pods', namespace: 'kube-system' });
	t.deepEqual(nextRequest(state, tuning), { kind: 'list', path: '/api/v1/namespaces/kube-system/pods?limit=2' });
	t.false(applyListPage(state, { kind: 'PodList', metadata: { resourceVersion: '100', continue: 'tok en', remainingItemCount: 1 }, items: [pod('a', '90'), pod('b', '95')] }));
	t.false(state.synced);
	t.deepEqual(nextRequest(state, tuning), { kind: 'list', path: '/api/v1/namespaces/kube-system/pods?limit=2&continue=tok%20en' });
	t.true(applyListPage(state, { kind: 'PodList', metadata: { resourceVersion: '100' }, items: [pod('c', '99')] }));
	t.true(state.synced);
	t.deepEqual([...state.items.keys()], ['kube-system/a', 'kube-system/b', 'kube-system/c']);
	t.is(state.items.get('kube-system/a')?.['kind'], 'Pod', 'list items get their kind back');
	t.deepEqual(nextRequest(state, tuning), {
		kind: 'watch',
		resourceVersion: '100',
		path: '/api/v1/namespaces/kube-system/pods?watch=1&resourceVersion=100&allowWatchBookmarks=true&timeoutSeconds=300',
	});
});

test('cluster-wide and apps/v1 collections have the API paths', (t) => {
	t.is(listWatch.collectionPath({ resource: 'nodes' }), '/api/v1/nodes');
	t.is(listWatch.collectionPath({ resource: 'daemonsets', namespace: 'kube-system' }), '/apis/apps/v1/namespaces/kube-system/daemonsets');
	t.is(listWatch.collectionPath({ resource: 'deployments', namespace: 'calico-system' }), '/apis/apps/v1/namespaces/calico-system/deployments');
});

test('events change the copy and move the resourceVersion; a bookmark only moves it', (t) => {
	const state = listed();
	t.deepEqual(applyEvent(state, { type: 'MODIFIED', object: pod('a', '101', { status: { phase: 'Failed' } }) }), { kind: 'changed', key: 'kube-system/a' });
	t.deepEqual(state.items.get('kube-system/a')?.['status'], { phase: 'Failed' });
	t.deepEqual(applyEvent(state, { type: 'ADDED', object: pod('d', '102') }), { kind: 'changed', key: 'kube-system/d' });
	t.deepEqual(applyEvent(state, { type: 'DELETED', object: pod('b', '103') }), { kind: 'changed', key: 'kube-system/b' });
	t.deepEqual([...state.items.keys()].sort(), ['kube-system/a', 'kube-system/d']);
	t.is(state.resourceVersion, '103');
	t.deepEqual(applyEvent(state, { type: 'BOOKMARK', object: { kind: 'Pod', metadata: { resourceVersion: '150' } } }), { kind: 'unchanged' });
	t.is(state.resourceVersion, '150');
	t.is(state.items.size, 2);
	t.is((nextRequest(state, tuning) as { resourceVersion: string }).resourceVersion, '150', 'a new watch resumes after the bookmark');
});

test('410 Gone in the stream: list again, keeping the old copy until the new list completes', (t) => {
	const state = listed();
	const outcome = applyEvent(state, { type: 'ERROR', object: { kind: 'Status', status: 'Failure', message: 'too old resource version: 100 (400)', reason: 'Expired', code: 410 } });
	t.deepEqual(outcome, { kind: 'relist', message: 'too old resource version: 100 (400)' });
	t.is(nextRequest(state, tuning).kind, 'list');
	t.is(state.items.size, 2, 'still shown while listing again');
	t.is(backoffMs(state), 0, 'no pause: the list starts at once');
	applyListPage(state, { kind: 'PodList', metadata: { resourceVersion: '400' }, items: [pod('z', '390')] });
	t.deepEqual([...state.items.keys()], ['kube-system/z'], 'objects deleted meanwhile are gone');
	t.is(state.resourceVersion, '400');
	t.is(state.lastRelist, 'expired');
});

test('another error in the stream: watch again from the same resourceVersion after a pause', (t) => {
	const state = listed();
	t.deepEqual(applyEvent(state, { type: 'ERROR', object: { kind: 'Status', message: 'internal error', code: 500 } }), { kind: 'retry', message: 'internal error' });
	t.is(nextRequest(state, tuning).kind, 'watch');
	t.is(backoffMs(state), 500);
});

test('a broken stream backs off 0.5 s doubling to 30 s; an event or a normal end resets it', (t) => {
	const state = listed();
	const pauses: number[] = [];
	for (let i = 0; i < 8; i++) {
		t.false(requestFailed(state, 'error: unexpected EOF').expired);
		pauses.push(backoffMs(state));
	}
	t.deepEqual(pauses, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
	t.is(nextRequest(state, tuning).kind, 'watch', 'a synced copy is watched again, not listed');
	applyEvent(state, { type: 'MODIFIED', object: pod('a', '200') });
	t.is(backoffMs(state), 0);
	requestFailed(state, 'error: unexpected EOF');
	streamEnded(state);
	t.is(backoffMs(state), 0);
});

test('an expired continue token starts the list over', (t) => {
	const state = initialState({ resource: 'nodes' });
	applyListPage(state, { kind: 'NodeList', metadata: { resourceVersion: '5', continue: 'old' }, items: [{ metadata: { name: 'n1' } }] });
	t.true(requestFailed(state, 'Error from server (Expired): The provided continue parameter is too old to display a consistent list result.').expired);
	t.deepEqual(nextRequest(state, tuning), { kind: 'list', path: '/api/v1/nodes?limit=2' });
});

test('nonsense is an error, not a silent change', (t) => {
	const state = listed();
	t.throws(() => applyEvent(state, 'text'), { message: /not an event object/ });
	t.throws(() => applyEvent(state, { type: 'SOMETHING', object: {} }), { message: /event of type "SOMETHING"/ });
	t.throws(() => applyListPage(state, { kind: 'Status', message: 'no' }), { message: /answered a Status, not a List/ });
});
