// The object store of the simulated API server (test double, not Kubernetes): what `kubectl apply`,
// `patch` and the harness's seed call wrote, kept as JSON files in the harness-wide cluster dir.
// Every write goes through a lock dir so concurrent kubectl calls on several hosts cannot lose one.
//   objects.json    { resourceVersion, objects: { "<kind>.<group>/<namespace>/<name>": Record } }
//   workloads.json  the DaemonSet and Deployment records only (what the readiness poll needs, kept small)
//   patches.jsonl   one line per `kubectl patch`: { t, key, type, patch, changed }
// Record: { key, kind, group, namespace, name, generation, resourceVersion, createdAt, updatedAt,
//           managers: string[], object, revisions?: [{ hash, at, generation, template }] } (the last two
//           pod templates of a DaemonSet or Deployment, so a rollout can show the old pods terminating),
//           history?: [{ at, data }] (a ConfigMap's last versions, for what a pod read at its start)
// generation and resourceVersion change only when the stored content changes, so a re-apply of the
// same manifests is visibly a no-op.

import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmdirSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';

import { hasGeneration, qualifiedName, resourceFor, resources } from './resources.mjs';
import { customInvalid } from './ippool.mjs';

const LOCK_TIMEOUT_MS = 10_000;
const STALE_LOCK_MS = 30_000;
const FIRST_RESOURCE_VERSION = 1000;

export function keyOf(resource, namespace, name) {
	return `${resource.kind}.${resource.group}/${resource.namespaced ? namespace : ''}/${name}`;
}

function readJson(file, fallback) {
	try {
		return JSON.parse(readFileSync(file, 'utf8'));
	} catch (error) {
		if (error.code === 'ENOENT') return fallback;
		throw error;
	}
}

export function loadStore(dir) {
	return readJson(join(dir, 'objects.json'), { resourceVersion: FIRST_RESOURCE_VERSION, objects: {} });
}

/** DaemonSet and Deployment records (the poll path reads only this small file). */
export function loadWorkloads(dir) {
	return readJson(join(dir, 'workloads.json'), []);
}

function writeAtomic(file, text) {
	const temporary = `${file}.${process.pid}.tmp`;
	writeFileSync(temporary, text, { mode: 0o644 });
	renameSync(temporary, file);
}

function saveStore(dir, store) {
	writeAtomic(join(dir, 'objects.json'), JSON.stringify(store));
	// Bare Pods too: the model runs them like the workloads' pods.
	const workloads = Object.values(store.objects).filter((rec) => (rec.group === 'apps' && (rec.kind === 'DaemonSet' || rec.kind === 'Deployment')) || (rec.group === '' && rec.kind === 'Pod'));
	writeAtomic(join(dir, 'workloads.json'), JSON.stringify(workloads));
}

function sleepSync(ms) {
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs fn(store) under the store lock; saves when fn returns { changed: true }. */
export function withStore(dir, fn) {
	const lock = join(dir, 'objects.lock');
	const deadline = Date.now() + LOCK_TIMEOUT_MS;
	for (;;) {
		try {
			mkdirSync(lock);
			break;
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
			try {
				if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmdirSync(lock);
			} catch {
				// Released meanwhile.
			}
			if (Date.now() > deadline) throw new Error('the simulated API server is busy (store lock held too long)');
			sleepSync(10);
		}
	}
	try {
		const store = loadStore(dir);
		const result = fn(store);
		if (result?.changed) saveStore(dir, store);
		return result;
	} finally {
		rmdirSync(lock);
	}
}

export function canonical(value) {
	if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		return `{${Object.keys(value).sort().filter((k) => value[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
	}
	return JSON.stringify(value);
}

export function shortHash(text, length = 10) {
	return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** The object without what the server sets, for "did the content change" comparisons. */
function content(object) {
	const { metadata = {}, status: _status, ...rest } = object;
	const { uid: _u, resourceVersion: _rv, generation: _g, creationTimestamp: _c, managedFields: _m, ...meta } = metadata;
	return canonical({ ...rest, metadata: meta });
}

/** What the API server fills in on write (the subset the simulated cluster relies on). */
function defaulted(object, resource) {
	const out = structuredClone(object);
	out.metadata ??= {};
	if (resource.kind === 'Secret') {
		out.type ??= 'Opaque';
		if (out.stringData && typeof out.stringData === 'object') {
			out.data ??= {};
			for (const [k, v] of Object.entries(out.stringData)) out.data[k] = Buffer.from(String(v)).toString('base64');
			delete out.stringData;
		}
	}
	if (resource.kind === 'Deployment' && resource.group === 'apps') {
		out.spec ??= {};
		out.spec.replicas ??= 1;
	}
	if (resource.kind === 'Service' && resource.group === '') {
		out.spec ??= {};
		out.spec.type ??= 'ClusterIP';
		out.spec.sessionAffinity ??= 'None';
		out.spec.ipFamilies ??= ['IPv4'];
		out.spec.ipFamilyPolicy ??= 'SingleStack';
		out.spec.internalTrafficPolicy ??= 'Cluster';
		if (out.spec.type === 'NodePort' || out.spec.type === 'LoadBalancer') out.spec.externalTrafficPolicy ??= 'Cluster';
	}
	return out;
}

/** The n-th address of an IPv4 CIDR. */
function nthAddress(cidr, n) {
	const [base] = cidr.split('/');
	const value = base.split('.').reduce((acc, part) => acc * 256 + Number(part), 0) + n;
	return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/**
 * ClusterIP and NodePort allocation as the API server does it: a free address of the service subnet
 * (.1 is the kubernetes Service, .10 kube-dns) and a free port of 30000-32767, kept on later writes.
 */
function allocateService(store, object, existing, serviceSubnet) {
	const spec = object.spec ?? (object.spec = {});
	const old = existing?.object.spec;
	const services = Object.values(store.objects).filter((rec) => rec.kind === 'Service' && rec.group === '' && rec !== existing);
	const usedIps = new Set(services.map((rec) => rec.object.spec?.clusterIP));
	if (spec.clusterIP === undefined || spec.clusterIP === '') {
		if (old?.clusterIP) spec.clusterIP = old.clusterIP;
		else {
			let n = 11;
			while (usedIps.has(nthAddress(serviceSubnet, n))) n++;
			spec.clusterIP = nthAddress(serviceSubnet, n);
		}
	}
	if (spec.clusterIP !== 'None') spec.clusterIPs ??= [spec.clusterIP];
	if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
		const usedPorts = new Set(services.flatMap((rec) => (rec.object.spec?.ports ?? []).map((p) => p.nodePort)));
		(spec.ports ?? []).forEach((port, i) => {
			if (port.nodePort !== undefined) return;
			const kept = old?.ports?.[i]?.nodePort;
			let candidate = kept ?? 30000 + (Number.parseInt(shortHash(`${object.metadata.namespace}/${object.metadata.name}/${i}`, 6), 16) % 2768);
			while (kept === undefined && usedPorts.has(candidate)) candidate = 30000 + ((candidate - 30000 + 1) % 2768);
			port.nodePort = candidate;
			usedPorts.add(candidate);
		});
	}
}

function isPlainObject(value) {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Maps merge key by key (null deletes); lists of objects with a name merge by name; other lists replace. */
export function strategicMerge(base, patch) {
	if (!isPlainObject(patch)) return structuredClone(patch);
	const out = isPlainObject(base) ? structuredClone(base) : {};
	for (const [k, v] of Object.entries(patch)) {
		if (v === null) {
			delete out[k];
		} else if (Array.isArray(v) && Array.isArray(out[k]) && v.every((item) => isPlainObject(item) && typeof item.name === 'string')) {
			const merged = [...out[k]];
			for (const item of v) {
				const at = merged.findIndex((old) => isPlainObject(old) && old.name === item.name);
				if (item.$patch === 'delete') {
					if (at >= 0) merged.splice(at, 1);
				} else if (at >= 0) {
					merged[at] = strategicMerge(merged[at], item);
				} else {
					merged.push(structuredClone(item));
				}
			}
			out[k] = merged;
		} else if (isPlainObject(v)) {
			out[k] = strategicMerge(out[k], v);
		} else {
			out[k] = structuredClone(v);
		}
	}
	return out;
}

/** RFC 7386 JSON merge patch. */
function mergePatch(base, patch) {
	if (!isPlainObject(patch)) return structuredClone(patch);
	const out = isPlainObject(base) ? structuredClone(base) : {};
	for (const [k, v] of Object.entries(patch)) {
		if (v === null) delete out[k];
		else out[k] = mergePatch(out[k], v);
	}
	return out;
}

function templateHash(object) {
	return shortHash(canonical(object.spec?.template ?? {}), 16);
}

function isWorkload(resource) {
	return resource.group === 'apps' && (resource.kind === 'DaemonSet' || resource.kind === 'Deployment');
}

/** Writes object into the store when its content differs; returns { record, action }. */
function put(store, resource, object, manager, now, { complete = false } = {}) {
	const namespace = resource.namespaced ? object.metadata.namespace : undefined;
	const key = keyOf(resource, namespace, object.metadata.name);
	const existing = store.objects[key];
	let next = defaulted(object, resource);
	if (resource.namespaced) next.metadata.namespace = namespace;
	else delete next.metadata.namespace;
	if (existing) {
		// An apply by the only manager replaces its fields; with other writers (a patch, a seed) their fields
		// stay unless the applied config sets them. A patch result is already the complete object.
		const others = existing.managers.some((m) => m !== manager);
		if (others && !complete) next = strategicMerge(stripServerFields(existing.object), next);
		if (content(next) === content(existing.object)) {
			if (!existing.managers.includes(manager)) existing.managers.push(manager);
			return { record: existing, action: 'unchanged', changed: false };
		}
		store.resourceVersion += 1;
		const generation = existing.generation + 1;
		next.metadata.uid = existing.object.metadata.uid;
		next.metadata.creationTimestamp = existing.object.metadata.creationTimestamp;
		next.metadata.resourceVersion = String(store.resourceVersion);
		if (hasGeneration(resource)) next.metadata.generation = generation;
		const record = {
			...existing,
			generation,
			resourceVersion: String(store.resourceVersion),
			updatedAt: now,
			managers: existing.managers.includes(manager) ? existing.managers : [...existing.managers, manager],
			object: next,
		};
		if (resource.kind === 'ConfigMap') record.history = configHistory(existing.history, next, now);
		if (isWorkload(resource)) {
			const hash = templateHash(next);
			const revisions = existing.revisions ?? [];
			if (revisions.at(-1)?.hash !== hash) record.revisions = [...revisions, { hash, at: now, generation, template: next.spec?.template }].slice(-2);
		}
		store.objects[key] = record;
		return { record, action: 'configured', changed: true };
	}
	store.resourceVersion += 1;
	next.metadata.uid = randomUUID();
	next.metadata.creationTimestamp = new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
	next.metadata.resourceVersion = String(store.resourceVersion);
	if (hasGeneration(resource)) next.metadata.generation = 1;
	const record = {
		key,
		kind: resource.kind,
		group: resource.group,
		namespace: namespace ?? '',
		name: object.metadata.name,
		generation: 1,
		resourceVersion: String(store.resourceVersion),
		createdAt: now,
		updatedAt: now,
		managers: [manager],
		object: next,
	};
	if (isWorkload(resource)) record.revisions = [{ hash: templateHash(next), at: now, generation: 1, template: next.spec?.template }];
	if (resource.kind === 'ConfigMap') record.history = configHistory(undefined, next, now);
	store.objects[key] = record;
	return { record, action: 'created', changed: true };
}

/**
 * A ConfigMap's data over time (the last 10 versions): programs that read their configuration at start
 * (the Cilium agent, calico-node) run with the version that was current when their container started.
 */
function configHistory(history, next, now) {
	return [...(history ?? []), { at: now, data: next.data ?? {} }].slice(-10);
}

/** The data a ConfigMap record held at time t (ms), from its history; undefined before it existed. */
export function configMapDataAt(record, t) {
	const versions = record?.history ?? (record ? [{ at: record.createdAt, data: record.object.data ?? {} }] : []);
	return versions.filter((v) => v.at <= t).at(-1)?.data;
}

function stripServerFields(object) {
	const out = structuredClone(object);
	if (out.metadata) {
		delete out.metadata.uid;
		delete out.metadata.resourceVersion;
		delete out.metadata.generation;
		delete out.metadata.creationTimestamp;
	}
	delete out.status;
	return out;
}

export function storedCrds(store) {
	return Object.values(store.objects).filter((rec) => rec.kind === 'CustomResourceDefinition').map((rec) => rec.object);
}

export const BUILTIN_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

export function namespaceExists(store, namespace) {
	return BUILTIN_NAMESPACES.includes(namespace) || store.objects[`Namespace.//${namespace}`] !== undefined;
}

/**
 * kubectl apply of decoded documents, in file order (a Namespace earlier in the file exists for later
 * objects; kinds are mapped before anything is written, so a custom resource whose CRD is in the same file
 * fails as with kubectl). Returns stdout lines and error lines; errors do not stop the other objects.
 */
export function applyObjects(dir, documents, { manager, serverSide, file, defaultNamespace, now = Date.now() }) {
	const serviceSubnet = readJson(join(dir, 'info.json'), {})?.serviceSubnet ?? '10.96.0.0/12';
	return withStore(dir, (store) => {
		const all = resources(storedCrds(store));
		const lines = [];
		const errors = [];
		let changed = false;
		const mapped = documents.map((object) => {
			const resource = resourceFor(all, object.apiVersion, object.kind);
			if (!resource) {
				errors.push(`error: resource mapping not found for name: "${object.metadata.name}" namespace: "${object.metadata.namespace ?? ''}" from "${file}": no matches for kind "${object.kind}" in version "${object.apiVersion}"\nensure CRDs are installed first`);
			}
			return { object, resource };
		});
		for (const { object, resource } of mapped) {
			if (!resource) continue;
			const copy = structuredClone(object);
			if (resource.namespaced) {
				copy.metadata.namespace ??= defaultNamespace;
				if (!namespaceExists(store, copy.metadata.namespace)) {
					errors.push(serverSide
						? `Error from server (NotFound): namespaces "${copy.metadata.namespace}" not found`
						: `Error from server (NotFound): error when creating "${file}": namespaces "${copy.metadata.namespace}" not found`);
					continue;
				}
			}
			if (!serverSide) {
				copy.metadata.annotations = { ...copy.metadata.annotations, 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(object)}\n` };
			}
			if (resource.kind === 'Service' && resource.group === '') {
				copy.spec = { type: 'ClusterIP', ...copy.spec };
				allocateService(store, copy, store.objects[keyOf(resource, copy.metadata.namespace, copy.metadata.name)], serviceSubnet);
			}
			const invalid = customInvalid(resource, copy);
			if (invalid) {
				errors.push(serverSide ? invalid : `Error from server (Invalid): error when creating "${file}": ${invalid}`);
				continue;
			}
			const result = put(store, resource, copy, manager, now);
			changed ||= result.changed;
			lines.push(`${qualifiedName(resource, copy.metadata.name)} ${serverSide ? 'serverside-applied' : result.action}`);
		}
		return { changed, lines, errors };
	});
}

/**
 * kubectl delete of named objects. A Namespace takes everything in it along (the namespace controller's
 * work, done at once here: a real namespace stays Terminating for a while). Returns { lines, errors }.
 */
export function deleteObjects(dir, resource, namespace, names, { ignoreNotFound = false } = {}) {
	return withStore(dir, (store) => {
		const lines = [];
		const errors = [];
		let changed = false;
		for (const name of names) {
			const key = keyOf(resource, namespace, name);
			if (!store.objects[key]) {
				if (!ignoreNotFound) errors.push(`Error from server (NotFound): ${resource.plural}${resource.group ? `.${resource.group}` : ''} "${name}" not found`);
				continue;
			}
			delete store.objects[key];
			if (resource.kind === 'Namespace' && resource.group === '') {
				for (const [other, rec] of Object.entries(store.objects)) if (rec.namespace === name) delete store.objects[other];
			}
			changed = true;
			lines.push(`${resource.singular ?? resource.kind.toLowerCase()}${resource.group ? `.${resource.group}` : ''} "${name}" deleted${namespace && resource.namespaced ? ` from ${namespace} namespace` : ''}`);
		}
		return { changed, lines, errors };
	});
}

/** kubectl patch: returns { line } or { error }. */
export function patchObject(dir, resource, namespace, name, type, patch, now = Date.now()) {
	return withStore(dir, (store) => {
		const key = keyOf(resource, namespace, name);
		const existing = store.objects[key];
		if (!existing) return { error: `Error from server (NotFound): ${resource.plural}${resource.group ? `.${resource.group}` : ''} "${name}" not found` };
		const base = stripServerFields(existing.object);
		const next = type === 'merge' ? mergePatch(base, patch) : strategicMerge(base, patch);
		next.metadata = { ...next.metadata, name, ...(resource.namespaced ? { namespace } : {}) };
		const invalid = customInvalid(resource, next);
		if (invalid) return { error: invalid };
		const result = put(store, resource, next, 'kubectl-patch', now, { complete: true });
		appendFileSync(join(dir, 'patches.jsonl'), `${JSON.stringify({ t: now, key, type, patch, changed: result.changed })}\n`);
		return {
			changed: result.changed,
			line: `${qualifiedName(resource, name)} patched${result.changed ? '' : ' (no change)'}`,
		};
	});
}

/**
 * Stores an object as if another client had created it (harness: a pre-existing aws-node DaemonSet;
 * calico-node: its default IP pool). `unless(store)` true leaves the store as it is (checked under the lock).
 */
export function seedObject(dir, object, now = Date.now(), { manager = 'seed', unless } = {}) {
	return withStore(dir, (store) => {
		const resource = resourceFor(resources(storedCrds(store)), object.apiVersion, object.kind);
		if (!resource) throw new Error(`no such kind ${object.apiVersion} ${object.kind}`);
		if (unless?.(store)) return { changed: false };
		const copy = structuredClone(object);
		if (resource.namespaced) copy.metadata.namespace ??= 'default';
		const result = put(store, resource, copy, manager, now, { complete: true });
		return { changed: result.changed, record: result.record };
	});
}
