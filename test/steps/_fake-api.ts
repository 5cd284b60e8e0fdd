// `kubectl get --raw PATH` answered as the API server does, from the health snapshots a scripted host
// already holds (the `kubectl get nodes,pods,daemonsets,deployments -A -o json` answers): a list of a
// collection has metadata.resourceVersion and items (paged by limit/continue), a namespace list names
// the namespaces the snapshot's objects live in, and a watch from a resourceVersion streams
// `{"type":"ADDED|MODIFIED|DELETED","object":…}` lines for what changed since that version, then a
// BOOKMARK, and ends; while nothing changes it stays open until the caller aborts it. The API reads
// its source (one health read of the old script) at most once per `holdMs`: a script of successive
// snapshots is what the API holds for holdMs each, the last one from then on, so a follower sees the
// sequence a poller did, one snapshot at a time. A failing read (kubectl's error) fails the request
// in progress the same way.
import type { ExecOptions, ExecResult } from '../../source/steps/types.js';

type Item = Record<string, unknown> & { kind?: string; metadata?: { name?: string; namespace?: string; resourceVersion?: string } };

const KINDS: Record<string, string> = { nodes: 'Node', pods: 'Pod', daemonsets: 'DaemonSet', deployments: 'Deployment' };
const LIST_KINDS: Record<string, { apiVersion: string; kind: string }> = {
	nodes: { apiVersion: 'v1', kind: 'NodeList' },
	pods: { apiVersion: 'v1', kind: 'PodList' },
	daemonsets: { apiVersion: 'apps/v1', kind: 'DaemonSetList' },
	deployments: { apiVersion: 'apps/v1', kind: 'DeploymentList' },
	namespaces: { apiVersion: 'v1', kind: 'NamespaceList' },
};

const ok = (stdout: string): ExecResult => ({ code: 0, signal: null, stdout, stderr: '' });
const notFound = (path: string): ExecResult => ({ code: 1, signal: null, stdout: '', stderr: `Error from server (NotFound): the server could not find the requested resource (get ${path})` });

/** The PATH of `kubectl … get --raw PATH`, else undefined. */
export function rawPath(argv: readonly string[]): string | undefined {
	const at = argv.indexOf('--raw');
	return argv[0] === 'kubectl' && at > 0 && argv[at - 1] === 'get' ? argv[at + 1] : undefined;
}

export class FakeApi {
	/** every distinct snapshot read so far; version N (the resourceVersion) is versions[N - 1] */
	private readonly versions: Item[][] = [];
	private lastText: string | undefined;
	private held: { at: number; out: ExecResult } | undefined;

	/** read: one health read (the snapshot list's text, or kubectl's failure) */
	constructor(private readonly read: () => ExecResult, private readonly holdMs = 300, private readonly pollMs = 10) {}

	/** What the API holds now: the current resourceVersion, or the failure. */
	private pull(): number | ExecResult {
		if (this.held === undefined || Date.now() - this.held.at >= this.holdMs) this.held = { at: Date.now(), out: this.read() };
		const out = this.held.out;
		if (out.code !== 0) return out;
		if (out.stdout !== this.lastText || this.versions.length === 0) {
			this.versions.push(((JSON.parse(out.stdout) as { items?: Item[] }).items ?? []).map((item) => ({ ...item })));
			this.lastText = out.stdout;
		}
		return this.versions.length;
	}

	async get(path: string, options: ExecOptions = {}): Promise<ExecResult> {
		const url = new URL(path, 'https://api.invalid');
		const parts = url.pathname.split('/').filter(Boolean);
		// /api/v1/RES, /api/v1/namespaces/NS/RES, /apis/apps/v1/…
		const rest = parts[0] === 'api' ? parts.slice(2) : parts[0] === 'apis' ? parts.slice(3) : [];
		const namespaced = rest[0] === 'namespaces' && rest.length === 3;
		const resource = namespaced ? rest[2] : rest.length === 1 ? rest[0] : undefined;
		const namespace = namespaced ? rest[1] : undefined;
		if (resource === undefined || LIST_KINDS[resource] === undefined) return notFound(path);
		const pick = (items: Item[]): Item[] =>
			resource === 'namespaces'
				? [...new Set(['default', 'kube-system', 'kube-public', ...items.map((i) => i.metadata?.namespace).filter((n): n is string => typeof n === 'string')])].sort().map((name) => ({ kind: 'Namespace', metadata: { name } }))
				: items.filter((i) => i.kind === KINDS[resource] && (namespace === undefined || i.metadata?.namespace === namespace));
		const q = url.searchParams;
		if (q.get('watch') === '1' || q.get('watch') === 'true') return this.watch(pick, Number(q.get('resourceVersion') ?? '0'), options);
		const now = this.pull();
		if (typeof now !== 'number') return now;
		// A continue token names the list's version and the offset reached, as the API's token pins its resourceVersion.
		const [fromVersion, fromOffset] = (q.get('continue') ?? '').split(':').map(Number);
		const version = q.get('continue') ? fromVersion ?? now : now;
		const offset = q.get('continue') ? fromOffset ?? 0 : 0;
		const all = pick(this.versions[version - 1] ?? []).map(({ kind: _kind, apiVersion: _apiVersion, ...item }) => item);
		const limit = Number(q.get('limit') ?? '0');
		const page = limit > 0 ? all.slice(offset, offset + limit) : all.slice(offset);
		const more = limit > 0 && offset + limit < all.length;
		const metadata = { resourceVersion: String(version), ...(more ? { continue: `${version}:${offset + limit}`, remainingItemCount: all.length - offset - limit } : {}) };
		return ok(JSON.stringify({ ...LIST_KINDS[resource], metadata, items: page }));
	}

	private async watch(pick: (items: Item[]) => Item[], from: number, options: ExecOptions): Promise<ExecResult> {
		const lines: string[] = [];
		const send = (event: unknown): void => {
			const line = JSON.stringify(event);
			lines.push(line);
			options.onLine?.('stdout', line);
		};
		let since = from;
		while (options.signal?.aborted !== true) {
			const now = this.pull();
			if (typeof now !== 'number') return { ...now, stdout: lines.join('\n') };
			if (now > since) {
				const key = (i: Item): string => `${i.kind}/${i.metadata?.namespace ?? ''}/${i.metadata?.name ?? ''}`;
				const before = new Map(pick(this.versions[since - 1] ?? []).map((i) => [key(i), i]));
				const after = new Map(pick(this.versions[now - 1] ?? []).map((i) => [key(i), i]));
				const stamp = (i: Item): Item => ({ ...i, metadata: { ...i.metadata, resourceVersion: String(now) } });
				let changes = 0;
				for (const [k, item] of after) {
					const old = before.get(k);
					if (old !== undefined && JSON.stringify(old) === JSON.stringify(item)) continue;
					send({ type: old === undefined ? 'ADDED' : 'MODIFIED', object: stamp(item) });
					changes++;
				}
				for (const [k, item] of before) {
					if (after.has(k)) continue;
					send({ type: 'DELETED', object: stamp(item) });
					changes++;
				}
				since = now;
				// The stream ends after a change (as when the server's timeoutSeconds runs out); the follower watches again from the bookmark.
				if (changes > 0) {
					send({ type: 'BOOKMARK', object: { metadata: { resourceVersion: String(now) } } });
					return ok(lines.join('\n'));
				}
			}
			await new Promise((resolve) => setTimeout(resolve, this.pollMs));
		}
		return { code: null, signal: 'SIGTERM', stdout: lines.join('\n'), stderr: '' };
	}
}
