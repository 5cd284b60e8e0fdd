// followCluster against a scripted `kubectl get --raw`: the first frame after the first pages, one
// list then watches, a 410 relist, a broken stream resumed from the last resourceVersion.
import test from 'ava';
import { collectionsFor, followCluster, systemNamespaces, type RawReader, type RawResult } from '../../../source/steps/status/cluster-follow.js';
import type { Snapshot } from '../../../source/cluster/health/index.js';

type Script = (path: string, onLine?: (line: string) => void, signal?: AbortSignal) => Promise<RawResult>;

const ok = (value: unknown): RawResult => ({ code: 0, stdout: JSON.stringify(value), stderr: '' });
const pod = (name: string, rv: string, ready = true): Record<string, unknown> => ({
	metadata: { name, namespace: 'kube-system', resourceVersion: rv },
	spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] },
	status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], containerStatuses: [{ name: 'c', ready, restartCount: 0, state: { running: {} } }] },
});
const blockUntilAbort = (signal?: AbortSignal): Promise<RawResult> =>
	new Promise((resolve) => {
		const done = (): void => resolve({ code: null, stdout: '', stderr: 'aborted' });
		if (signal?.aborted) done();
		else signal?.addEventListener('abort', done, { once: true });
	});

function reader(script: Script, calls: string[]): RawReader {
	return { where: "test kubectl", get: (path, options) => (calls.push(path), script(path, options.onLine, options.signal)) };
}

test('namespaces: kube-system and the CNI namespaces that exist', async (t) => {
	const calls: string[] = [];
	const r = reader(async () => ok({ kind: 'NamespaceList', items: [{ metadata: { name: 'default' } }, { metadata: { name: 'kube-system' } }, { metadata: { name: 'calico-system' } }] }), calls);
	t.deepEqual(await systemNamespaces(r, new AbortController().signal), ['kube-system', 'calico-system']);
	t.deepEqual(calls, ['/api/v1/namespaces']);
	t.deepEqual(collectionsFor(['kube-system']).map((c) => `${c.resource}/${c.namespace ?? ''}`), ['nodes/', 'pods/kube-system', 'daemonsets/kube-system', 'deployments/kube-system']);
});

test('one paged list, then watches; 410 lists again; a broken stream resumes from the last resourceVersion', async (t) => {
	const calls: string[] = [];
	const abort = new AbortController();
	const frames: Array<{ pods: string[]; synced: boolean }> = [];
	let podWatches = 0;
	const script: Script = async (path, onLine, signal) => {
		if (path.startsWith('/api/v1/nodes?limit')) return ok({ kind: 'NodeList', metadata: { resourceVersion: '10' }, items: [{ metadata: { name: 'n1' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }] });
		if (path.includes('/pods?limit=1') && podWatches > 0) return ok({ kind: 'PodList', metadata: { resourceVersion: '50' }, items: [pod('b', '45', false)] });
		if (path === '/api/v1/namespaces/kube-system/pods?limit=1') return ok({ kind: 'PodList', metadata: { resourceVersion: '10', continue: 'c1', remainingItemCount: 1 }, items: [pod('a', '5')] });
		if (path === '/api/v1/namespaces/kube-system/pods?limit=1&continue=c1') return ok({ kind: 'PodList', metadata: { resourceVersion: '10' }, items: [pod('b', '6')] });
		if (path.includes('/pods?watch=1')) {
			podWatches++;
			if (podWatches === 1) {
				t.regex(path, /resourceVersion=10&/);
				onLine?.(JSON.stringify({ type: 'MODIFIED', object: pod('a', '11', false) }));
				onLine?.(JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '20' } } }));
				return { code: 1, stdout: '', stderr: 'error: unexpected EOF' };
			}
			if (podWatches === 2) {
				t.regex(path, /resourceVersion=20&/, 'resumed after the bookmark');
				onLine?.(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 20 (50)' } }));
				return blockUntilAbort(signal);
			}
			t.regex(path, /resourceVersion=50&/, 'watching from the new list');
			setTimeout(() => abort.abort(), 50);
			return blockUntilAbort(signal);
		}
		if (path.includes('?limit=1')) return ok({ kind: 'List', metadata: { resourceVersion: '10' }, items: [] });
		return blockUntilAbort(signal);
	};
	const notes: string[] = [];
	await followCluster(collectionsFor(['kube-system']), {
		reader: reader(script, calls),
		signal: abort.signal,
		tuning: { limit: 1, watchSeconds: 60 },
		settleMs: 1,
		onUpdate: (snapshot: Snapshot, progress) => frames.push({ pods: snapshot.pods.map((p) => `${p.metadata.name}:${p.status.conditions[0]?.status}`).sort(), synced: progress.synced }),
		onError: () => undefined,
		onNote: (line) => notes.push(line),
	});
	t.deepEqual(frames.at(-1), { pods: ['b:False'], synced: true }, 'the relist dropped a and changed b');
	t.true(frames.some((f) => f.pods.includes('a:False')), 'the MODIFIED event reached a frame');
	t.is(calls.filter((c) => c.startsWith('/api/v1/namespaces/kube-system/pods?limit=1')).length, 3, 'two pages, then one relist');
	t.is(calls.filter((c) => c.includes('/pods?watch=1')).length, 3);
	t.true(notes.some((n) => /watch of pods in kube-system expired .*listing again/.test(n)), notes.join('\n'));
	t.true(notes.some((n) => /broke .*unexpected EOF.*watching again in 500 ms/.test(n)), notes.join('\n'));
});
