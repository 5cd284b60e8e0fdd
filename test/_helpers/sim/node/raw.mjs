// `kubectl get --raw PATH` of the simulated kubectl: the API server's own answers for the collections
// kubestrap reads (nodes, namespaces, pods, daemonsets, deployments; cluster-wide or one namespace),
// printed as kubectl prints a raw response: the server's bytes (compact JSON), nothing added.
// - a list: `?limit=N&continue=T` pages in namespace/name order, `metadata.resourceVersion`,
//   `metadata.continue` and `remainingItemCount` while more remain; items without kind/apiVersion
//   (the API leaves them out of lists). A continue token names the list's resourceVersion, and every
//   page is computed at that moment (the simulated cluster is a function of the clock), so pages are
//   one consistent snapshot. `labelSelector` and `fieldSelector` (=, ==, !=) filter.
// - a watch (`?watch=1&resourceVersion=RV[&allowWatchBookmarks=true][&timeoutSeconds=S]`): one JSON
//   event a line, `{"type":"ADDED|MODIFIED|DELETED","object":{…}}`, for every change after RV, found
//   by computing the cluster every 250 ms and comparing objects (ignoring heartbeat times);
//   `BOOKMARK` events every `watchBookmarkSeconds` (scenario, default 60) when asked for; a RV older
//   than `watchHistorySeconds` (scenario, default 300) gets the API server's ERROR event, code 410
//   "too old resource version"; the stream ends after timeoutSeconds (default 1800, the server's
//   minimum request timeout), and `watchDropSeconds` (scenario) cuts every stream after that long
//   the way a broken connection does (kubectl exits 1 with `error: unexpected EOF`).
// Resource versions are the cluster's clock (model.mjs resourceVersion): RV ↔ time both ways.
import { clusterAt, daemonSetObject, deploymentObject, nodeObject, podObject, readCluster } from './model.mjs';

const COLLECTIONS = [
	{ re: /^\/api\/v1\/nodes$/, resource: 'nodes', kind: 'Node', apiVersion: 'v1' },
	{ re: /^\/api\/v1\/namespaces$/, resource: 'namespaces', kind: 'Namespace', apiVersion: 'v1' },
	{ re: /^\/api\/v1\/pods$/, resource: 'pods', kind: 'Pod', apiVersion: 'v1' },
	{ re: /^\/api\/v1\/namespaces\/([^/]+)\/pods$/, resource: 'pods', kind: 'Pod', apiVersion: 'v1' },
	{ re: /^\/apis\/apps\/v1\/daemonsets$/, resource: 'daemonsets', kind: 'DaemonSet', apiVersion: 'apps/v1' },
	{ re: /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/daemonsets$/, resource: 'daemonsets', kind: 'DaemonSet', apiVersion: 'apps/v1' },
	{ re: /^\/apis\/apps\/v1\/deployments$/, resource: 'deployments', kind: 'Deployment', apiVersion: 'apps/v1' },
	{ re: /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments$/, resource: 'deployments', kind: 'Deployment', apiVersion: 'apps/v1' },
];

export class RawError extends Error {
	/** `http`: the HTTP status and Status object the API server answers with (the HTTPS endpoint sends them) */
	constructor(message, code = 1, http = undefined) {
		super(message);
		this.code = code;
		this.http = http;
	}
}

function status(code, reason, message) {
	return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** kubectl --raw on an HTTP error prints the server's Status as `Error from server (Reason): message`. */
function httpError(code, reason, message) {
	return new RawError(`Error from server (${reason}): ${message}`, 1, { code, status: status(code, reason, message) });
}

function rvOf(at, initAt) {
	return 100_000 + Math.max(0, Math.floor(at - initAt));
}

function timeOf(rv, initAt) {
	return initAt + (rv - 100_000);
}

// Fields that change on every read without the object changing (the kubelet's heartbeat).
function comparable(object) {
	return JSON.stringify(object, (key, value) => (key === 'lastHeartbeatTime' || key === 'lastUpdateTime' || key === 'resourceVersion' ? undefined : value));
}

function selectorFilter(labelSelector, fieldSelector) {
	const terms = [];
	for (const term of (labelSelector ?? '').split(',').filter(Boolean)) {
		const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(term);
		if (m) terms.push((o) => ((o.metadata?.labels ?? {})[m[1].trim()] === m[3].trim()) === (m[2] !== '!='));
		else if (term.startsWith('!')) terms.push((o) => !(term.slice(1) in (o.metadata?.labels ?? {})));
		else terms.push((o) => term in (o.metadata?.labels ?? {}));
	}
	for (const term of (fieldSelector ?? '').split(',').filter(Boolean)) {
		const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(term);
		if (!m) throw httpError(400, 'BadRequest', `unable to parse requirement: found '${term}'`);
		const get = (o) => m[1].split('.').reduce((v, k) => (v === undefined || v === null ? undefined : v[k]), o);
		terms.push((o) => (String(get(o) ?? '') === m[3]) === (m[2] !== '!='));
	}
	return (o) => terms.every((t) => t(o));
}

/** The collection's objects at time `at`, sorted as etcd keys are (namespace, then name). */
function objectsAt(dir, target, at) {
	const model = clusterAt(readCluster(dir), at);
	const inScope = (ns) => target.namespace === undefined || ns === target.namespace;
	let objects;
	switch (target.resource) {
		case 'nodes':
			objects = model.nodes.map((n) => nodeObject(n, model.ctx));
			break;
		case 'namespaces':
			objects = [...new Set(['default', 'kube-node-lease', 'kube-public', 'kube-system', ...model.workloads.map((w) => w.namespace)])].map((name) => ({
				apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name }, resourceVersion: '1' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
			}));
			break;
		case 'pods':
			objects = model.pods.filter((p) => inScope(p.workload.namespace)).map((p) => podObject(p, model.ctx));
			break;
		case 'daemonsets':
			objects = model.workloads.filter((w) => w.kind === 'DaemonSet' && inScope(w.namespace)).map((w) => daemonSetObject(w, model.pods, model.ctx));
			break;
		default:
			objects = model.workloads.filter((w) => w.kind === 'Deployment' && inScope(w.namespace)).map((w) => deploymentObject(w, model.pods, model.ctx));
	}
	const keep = selectorFilter(target.labelSelector, target.fieldSelector);
	return {
		initAt: model.ctx.initAt,
		objects: objects.filter(keep).sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name)),
	};
}

function parseTarget(path) {
	const url = new URL(path, 'https://apiserver.invalid');
	for (const c of COLLECTIONS) {
		const m = c.re.exec(url.pathname);
		if (!m) continue;
		const q = url.searchParams;
		return {
			...c,
			namespace: m[1],
			labelSelector: q.get('labelSelector') ?? undefined,
			fieldSelector: q.get('fieldSelector') ?? undefined,
			watch: q.get('watch') === '1' || q.get('watch') === 'true',
			limit: Number(q.get('limit') ?? 0),
			continue: q.get('continue') ?? '',
			resourceVersion: q.get('resourceVersion') ?? '',
			bookmarks: q.get('allowWatchBookmarks') === 'true',
			timeoutSeconds: Number(q.get('timeoutSeconds') ?? 1800),
		};
	}
	throw httpError(404, 'NotFound', 'the server could not find the requested resource');
}

function strip(object) {
	const { kind: _k, apiVersion: _a, ...rest } = object;
	return rest;
}

function list(dir, target, scenario) {
	let at = Date.now();
	let start = '';
	if (target.continue !== '') {
		let token;
		try {
			token = JSON.parse(Buffer.from(target.continue, 'base64').toString('utf8'));
		} catch {
			throw httpError(400, 'BadRequest', 'continue key is not valid: illegal base64 data at input byte 0');
		}
		const initAt = readCluster(dir).info?.initAt ?? 0;
		at = timeOf(Number(token.rv), initAt);
		if (Date.now() - at > (scenario.watchHistorySeconds ?? 300) * 1000) {
			throw httpError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
		}
		start = token.start;
	}
	const { initAt, objects } = objectsAt(dir, target, at);
	const rv = String(rvOf(at, initAt));
	const key = (o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
	const from = start === '' ? 0 : objects.findIndex((o) => key(o) > start);
	const rest = from < 0 ? [] : objects.slice(from);
	const page = target.limit > 0 ? rest.slice(0, target.limit) : rest;
	const metadata = { resourceVersion: rv };
	if (page.length < rest.length) {
		metadata.continue = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(rv), start: key(page.at(-1)) })).toString('base64');
		metadata.remainingItemCount = rest.length - page.length;
	}
	return `${JSON.stringify({ kind: `${target.kind}List`, apiVersion: target.apiVersion, metadata, items: page.map(strip) })}\n`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function watch(dir, target, scenario, write, closed) {
	const began = Date.now();
	const initAt = readCluster(dir).info?.initAt ?? 0;
	const fromRv = Number(target.resourceVersion);
	const nowRv = rvOf(began, initAt);
	if (target.resourceVersion !== '' && target.resourceVersion !== '0' && (!Number.isFinite(fromRv) || began - timeOf(fromRv, initAt) > (scenario.watchHistorySeconds ?? 300) * 1000)) {
		await write({ type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${target.resourceVersion} (${nowRv})`) });
		return 0;
	}
	// Without a resourceVersion the API starts with ADDED events for every object, then the changes.
	const start = target.resourceVersion === '' || target.resourceVersion === '0' ? new Map() : undefined;
	let previous = start ?? new Map(objectsAt(dir, target, timeOf(fromRv, initAt)).objects.map((o) => [`${o.metadata.namespace ?? ''}/${o.metadata.name}`, { object: o, text: comparable(o) }]));
	const bookmarkMs = (scenario.watchBookmarkSeconds ?? 60) * 1000;
	const dropMs = scenario.watchDropSeconds === undefined ? Infinity : scenario.watchDropSeconds * 1000;
	let lastBookmark = began;
	let lastRv = Number.isFinite(fromRv) ? fromRv : nowRv;
	for (;;) {
		const at = Date.now();
		if (closed()) return 0;
		if (at - began >= dropMs) throw new RawError('error: unexpected EOF');
		if (at - began >= target.timeoutSeconds * 1000) return 0;
		const current = new Map();
		const rvNow = rvOf(at, initAt);
		for (const o of objectsAt(dir, target, at).objects) current.set(`${o.metadata.namespace ?? ''}/${o.metadata.name}`, { object: o, text: comparable(o) });
		const events = [];
		for (const [key, now] of current) {
			const before = previous.get(key);
			if (before === undefined) events.push({ type: 'ADDED', object: now.object });
			else if (before.text !== now.text) events.push({ type: 'MODIFIED', object: now.object });
		}
		for (const [key, before] of previous) if (!current.has(key)) events.push({ type: 'DELETED', object: before.object });
		for (const event of events) {
			// Every event of one pass carries the pass's version: watching again from it resumes after them.
			lastRv = Math.max(lastRv, rvNow);
			event.object = { ...event.object, metadata: { ...event.object.metadata, resourceVersion: String(lastRv) } };
			await write(event);
		}
		if (target.bookmarks && at - lastBookmark >= bookmarkMs) {
			lastRv = Math.max(lastRv, rvNow);
			await write({ type: 'BOOKMARK', object: { kind: target.kind, apiVersion: target.apiVersion, metadata: { resourceVersion: String(lastRv) } } });
			lastBookmark = at;
		}
		previous = current;
		await sleep(250);
	}
}

/** `kubectl get --raw PATH`: resolves with the exit code; output goes through `write` (text). A watch
 * ends when `closed()` turns true (the HTTPS endpoint's client went away). */
export async function raw(dir, path, scenario, out, closed = () => false) {
	const target = parseTarget(path);
	if (!target.watch) {
		out(list(dir, target, scenario));
		return 0;
	}
	if (target.resource === 'namespaces') throw httpError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
	return watch(dir, target, scenario, (event) => new Promise((resolve) => out(`${JSON.stringify(event)}\n`, resolve)), closed);
}
