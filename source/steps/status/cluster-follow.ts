// Follows the part of a cluster the health view shows — the nodes, and the pods, DaemonSets and
// Deployments of kube-system and of the CNI's own namespaces — with the API's list-then-watch
// (source/cluster/health/list-watch.ts), so after the first list only changes travel: one pod
// changing costs one event, whatever the size of the cluster. Every request is `kubectl get --raw
// PATH` through a RawReader (over SSH on the first control plane, or a local kubectl), one
// long-running watch per collection on the same connection.
import type { Json } from '../../cluster/health/json-read.js';
import { createParseCache, listWatch, snapshotFromItems, type Snapshot } from '../../cluster/health/index.js';
import { sleep } from '../sleep.js';

type Collection = listWatch.Collection;
type State = listWatch.ListWatchState;

export interface RawResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Runs `kubectl get --raw PATH`; with onLine, each stdout line as it arrives (a watch). */
export interface RawReader {
	where: string;
	get(path: string, options: { signal: AbortSignal; timeoutMs: number; onLine?: (line: string) => void }): Promise<RawResult>;
}

/** Namespaces the CNIs may run in besides kube-system (Calico's operator install, Cilium's Helm option). */
export const CNI_NAMESPACES = ['calico-system', 'calico-apiserver', 'tigera-operator', 'cilium'];

export interface FollowProgress {
	/** every collection has completed a list: the snapshot is the whole of what is shown */
	synced: boolean;
	/** objects known so far and, while listing, how many the server said remain */
	remaining: number;
	/** the collections followed, e.g. "nodes", "pods in kube-system" */
	collections: string[];
}

export interface FollowOptions {
	reader: RawReader;
	signal: AbortSignal;
	tuning?: listWatch.Tuning;
	/** called (at most every `settleMs`) after a change, with the current snapshot */
	onUpdate(snapshot: Snapshot, progress: FollowProgress): void;
	/** a request failed (undefined once requests succeed again) */
	onError(message: string | undefined): void;
	/** one line per notable step (relists, reconnects) for the run log */
	onNote?(line: string): void;
	/** more collections found while the first ones are listed (the CNI's namespaces); followed once known */
	more?: Promise<Collection[]>;
	settleMs?: number;
}

function lastLines(text: string): string {
	return text.trim().split('\n').slice(-2).join(' ');
}

/** Which collections to follow: nodes, then pods/daemonsets/deployments per namespace. */
export function collectionsFor(namespaces: readonly string[]): Collection[] {
	const out: Collection[] = [{ resource: 'nodes' }];
	for (const namespace of namespaces) {
		for (const resource of ['pods', 'daemonsets', 'deployments'] as const) out.push({ resource, namespace });
	}
	return out;
}

/** Collections of whichever CNI namespaces exist (besides kube-system), from one small list of namespaces. */
export async function cniCollections(reader: RawReader, signal: AbortSignal, onError: (message: string) => void): Promise<Collection[]> {
	const found = await systemNamespaces(reader, signal);
	if (typeof found === 'string') {
		onError(found);
		return [];
	}
	return collectionsFor(found.filter((n) => n !== 'kube-system')).filter((c) => c.resource !== 'nodes');
}

/** kube-system and whichever CNI namespaces exist (one small list of namespaces). */
export async function systemNamespaces(reader: RawReader, signal: AbortSignal): Promise<string[] | string> {
	const out = await reader.get('/api/v1/namespaces', { signal, timeoutMs: 30_000 });
	if (out.code !== 0) return `${reader.where}: kubectl get --raw /api/v1/namespaces exited ${out.code ?? 'by signal'}: ${lastLines(out.stderr || out.stdout)}`;
	try {
		const names = new Set((JSON.parse(out.stdout) as { items?: Array<{ metadata?: { name?: string } }> }).items?.map((i) => i.metadata?.name ?? '') ?? []);
		return ['kube-system', ...CNI_NAMESPACES.filter((n) => names.has(n))];
	} catch (error) {
		return `${reader.where}: the namespace list is not JSON (${(error as Error).message})`;
	}
}

/** Follows the collections until the signal aborts. */
export async function followCluster(first: readonly Collection[], options: FollowOptions): Promise<void> {
	const tuning = options.tuning ?? listWatch.DEFAULT_TUNING;
	const collections = [...first];
	const states = collections.map((c) => listWatch.initialState(c));
	const initial = states.length;
	const remaining = new Map<State, number>();
	const errors = new Map<State, string>();
	const settle = options.settleMs ?? 100;
	let timer: NodeJS.Timeout | undefined;
	let firstPages = 0;
	let started = false;
	const cache = createParseCache();

	const emit = (): void => {
		timer = undefined;
		const items: Json[] = [];
		for (const s of states) {
			// While a first list is still paging its pages so far are shown; a relist keeps the old copy until it completes.
			const source = s.items.size === 0 && s.pending !== undefined ? s.pending.items : s.items;
			for (const item of source.values()) items.push(item);
		}
		options.onUpdate(snapshotFromItems(items, cache), {
			synced: states.every((s) => s.synced),
			remaining: [...remaining.values()].reduce((a, b) => a + b, 0),
			collections: collections.map(listWatch.collectionName),
		});
	};
	const changed = (): void => {
		// The first frame waits for a first page of every collection, then frames follow changes.
		if (!started && firstPages < initial) return;
		started = true;
		if (timer === undefined) timer = setTimeout(emit, settle);
	};
	const setError = (state: State, message: string | undefined): void => {
		if (message === undefined) errors.delete(state);
		else errors.set(state, message);
		options.onError(errors.size === 0 ? undefined : [...errors.values()][0]);
	};

	const follow = async (state: State): Promise<void> => {
		let sawFirstPage = false;
		while (!options.signal.aborted) {
			await sleep(listWatch.backoffMs(state), options.signal);
			if (options.signal.aborted) break;
			const request = listWatch.nextRequest(state, tuning);
			const name = listWatch.collectionName(state.collection);
			if (request.kind === 'list') {
				const out = await options.reader.get(request.path, { signal: options.signal, timeoutMs: 60_000 });
				if (options.signal.aborted) break;
				if (out.code !== 0) {
					const message = `${options.reader.where}: listing ${name} failed (exit ${out.code ?? 'by signal'}): ${lastLines(out.stderr || out.stdout)}`;
					const { expired } = listWatch.requestFailed(state, out.stderr);
					options.onNote?.(expired ? `list of ${name}: continue token expired, listing again` : message);
					setError(state, message);
					continue;
				}
				try {
					const page = JSON.parse(out.stdout) as Json;
					const done = listWatch.applyListPage(state, page);
					const meta = (page['metadata'] ?? {}) as { remainingItemCount?: number };
					remaining.set(state, done ? 0 : (meta.remainingItemCount ?? 0));
					if (done) options.onNote?.(`listed ${name}: ${state.items.size} at resourceVersion ${state.resourceVersion}`);
				} catch (error) {
					listWatch.requestFailed(state, (error as Error).message);
					setError(state, `${options.reader.where}: listing ${name}: ${(error as Error).message}`);
					continue;
				}
				setError(state, undefined);
				if (!sawFirstPage) {
					sawFirstPage = true;
					firstPages++;
				}
				changed();
				continue;
			}
			// A watch: events arrive line by line until the server ends the stream.
			const stop = new AbortController();
			const onAbort = (): void => stop.abort();
			options.signal.addEventListener('abort', onAbort, { once: true });
			let relist: string | undefined;
			let broken: string | undefined;
			const out = await options.reader.get(request.path, {
				signal: stop.signal,
				timeoutMs: (tuning.watchSeconds + 60) * 1000,
				onLine: (line) => {
					if (relist !== undefined || broken !== undefined || line.trim() === '') return;
					try {
						const outcome = listWatch.applyEvent(state, JSON.parse(line));
						if (outcome.kind === 'changed') {
							setError(state, undefined);
							changed();
						} else if (outcome.kind === 'relist') {
							relist = outcome.message;
							stop.abort();
						} else if (outcome.kind === 'retry') {
							broken = outcome.message;
							stop.abort();
						}
					} catch (error) {
						broken = (error as Error).message;
						listWatch.requestFailed(state, broken);
						stop.abort();
					}
				},
			}).catch((error: unknown) => ({ code: null, stdout: '', stderr: (error as Error).message }) as RawResult);
			options.signal.removeEventListener('abort', onAbort);
			if (options.signal.aborted) break;
			if (relist !== undefined) {
				options.onNote?.(`watch of ${name} expired (${relist}): listing again`);
				continue;
			}
			if (broken !== undefined) {
				options.onNote?.(`watch of ${name} failed (${broken}): watching again in ${listWatch.backoffMs(state)} ms`);
				continue;
			}
			if (out.code === 0) {
				listWatch.streamEnded(state);
				continue;
			}
			const message = `${options.reader.where}: the watch of ${name} broke (exit ${out.code ?? 'by signal'}): ${lastLines(out.stderr)}`;
			listWatch.requestFailed(state, out.stderr);
			options.onNote?.(`${message}; watching again in ${listWatch.backoffMs(state)} ms`);
			setError(state, message);
		}
	};

	const added = (options.more ?? Promise.resolve([])).then((more) => {
		const fresh = more.map((c) => listWatch.initialState(c));
		collections.push(...more);
		states.push(...fresh);
		return Promise.all(fresh.map(follow));
	});
	try {
		await Promise.all([...states.map(follow), added]);
	} finally {
		if (timer !== undefined) clearTimeout(timer);
	}
}
