// Simulated kubectl for kubestrap tests (a test double, not kubectl): the sh wrapper pkg/kubectl records
// the call and applies scenario faults, then runs this. It talks to no API server: objects come from the
// simulated cluster (model.mjs, store.mjs). Supported: version; get (json, yaml, name, tables) of nodes,
// pods, daemonsets, deployments, events and stored objects; apply (client- and server-side); create;
// patch (strategic, merge); logs. Anything else fails the way kubectl fails, so a wrong command shows.

import { createRequire } from 'node:module';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { clusterAt, containerLogs, daemonSetObject, deploymentObject, events, iso, nodeObject, podObject, readCluster, TIMINGS } from './model.mjs';
import { applyObjects, BUILTIN_NAMESPACES, configMapDataAt, deleteObjects, keyOf, loadStore, patchObject, storedCrds } from './store.mjs';
import { ciliumDbg } from './cilium-dbg.mjs';
import { qualifiedName, resolveType, resources } from './resources.mjs';
import { raw, RawError } from './raw.mjs';
import { budgetObjects, budgets, evict, formatDuration, parseDuration } from './disruption.mjs';
import { ensureDefaultPool } from './calico.mjs';

const SIM = process.env.KUBESTRAP_SIM_ROOT ?? '/opt/kubestrap-sim';
const CLUSTER = process.env.KUBESTRAP_SIM_CLUSTER || join(SIM, 'cluster');
const KUSTOMIZE_VERSION = 'v5.7.1';

class KubectlError extends Error {
	constructor(message, code = 1) {
		super(message);
		this.code = code;
	}
}

function loadYaml() {
	const path = readFileSync(join(SIM, 'yaml-module'), 'utf8').trim();
	return createRequire(import.meta.url)(join(SIM, path));
}

// ---------------------------------------------------------------- flags

const VALUE_FLAGS = new Map([
	['kubeconfig', 'kubeconfig'], ['namespace', 'namespace'], ['n', 'namespace'], ['output', 'output'], ['o', 'output'],
	['filename', 'filename'], ['f', 'filename'], ['selector', 'selector'], ['l', 'selector'], ['field-selector', 'field-selector'],
	['context', 'context'], ['cluster', 'cluster'], ['user', 'user'], ['server', 'server'], ['s', 'server'],
	['request-timeout', 'request-timeout'], ['field-manager', 'field-manager'], ['type', 'type'], ['container', 'container'],
	['c', 'container'], ['tail', 'tail'], ['raw', 'raw'], ['since', 'since'], ['timeout', 'timeout'], ['v', 'v'], ['patch', 'patch'],
]);
const BOOL_FLAGS = new Map([
	['all-namespaces', 'all-namespaces'], ['A', 'all-namespaces'], ['ignore-not-found', 'ignore-not-found'],
	['server-side', 'server-side'], ['force-conflicts', 'force-conflicts'], ['client', 'client'], ['previous', 'previous'],
	['watch', 'watch'], ['w', 'watch'], ['no-headers', 'no-headers'], ['show-labels', 'show-labels'], ['timestamps', 'timestamps'],
	['ignore-daemonsets', 'ignore-daemonsets'], ['delete-emptydir-data', 'delete-emptydir-data'], ['force', 'force'], ['disable-eviction', 'disable-eviction'],
	['dry-run', 'dry-run'], ['validate', 'validate'], ['insecure-skip-tls-verify', 'insecure-skip-tls-verify'], ['follow', 'follow'],
	['wait', 'wait'],
]);

/** The verb: the first argument that is neither a flag nor a flag's separate value. */
function firstPositional(argv) {
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (!arg.startsWith('-') || arg === '-') return arg;
		const name = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
		if (!name.includes('=') && VALUE_FLAGS.has(name) && name !== 'p') i++;
	}
	return undefined;
}

function parseArgs(argv) {
	const flags = { filename: [] };
	const positional = [];
	const verb = firstPositional(argv);
	// -p is --patch for `patch` and --previous for `logs`.
	const shortP = verb === 'logs' ? 'previous' : 'patch';
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--') {
			positional.push(...argv.slice(i + 1));
			break;
		}
		if (!arg.startsWith('-') || arg === '-') {
			positional.push(arg);
			continue;
		}
		const long = arg.startsWith('--');
		let name = long ? arg.slice(2) : arg.slice(1, 2);
		let value;
		const eq = name.indexOf('=');
		if (long && eq >= 0) {
			value = name.slice(eq + 1);
			name = name.slice(0, eq);
		} else if (!long && arg.length > 2) {
			value = arg[2] === '=' ? arg.slice(3) : arg.slice(2);
		}
		let key = long ? undefined : name === 'p' ? shortP : undefined;
		let takesValue;
		if (key === 'previous') takesValue = false;
		else if (key === 'patch') takesValue = true;
		else if (VALUE_FLAGS.has(name)) {
			key = VALUE_FLAGS.get(name);
			takesValue = true;
		} else if (BOOL_FLAGS.has(name)) {
			key = BOOL_FLAGS.get(name);
			takesValue = false;
		} else {
			throw new KubectlError(long ? `error: unknown flag: --${name}\nSee 'kubectl ${verb ?? ''} --help' for usage.` : `error: unknown shorthand flag: '${name}' in ${arg}\nSee 'kubectl ${verb ?? ''} --help' for usage.`);
		}
		if (takesValue) {
			if (value === undefined) {
				if (i + 1 >= argv.length) throw new KubectlError(`error: flag needs an argument: ${long ? `--${name}` : `'${name}' in -${name}`}`);
				value = argv[++i];
			}
			if (key === 'filename') flags.filename.push(value);
			else flags[key] = value;
		} else {
			flags[key] = value === undefined ? true : value !== 'false';
		}
	}
	return { flags, positional };
}

// ---------------------------------------------------------------- the connection

function clientVersion() {
	const pkg = readFileSync(join(SIM, 'state', 'packages', 'kubectl'), 'utf8').trim();
	return `v${pkg.split('-')[0]}`;
}

function serverFromKubeconfig(flags) {
	const path = flags.kubeconfig ?? process.env.KUBECONFIG ?? join(process.env.HOME ?? '/root', '.kube', 'config');
	if (!existsSync(path)) {
		throw new KubectlError([
			'E0101 00:00:00.000000 memcache.go:265] couldn\'t get current server API group list: Get "http://localhost:8080/api?timeout=32s": dial tcp 127.0.0.1:8080: connect: connection refused',
			'The connection to the server localhost:8080 was refused - did you specify the right host or port?',
		].join('\n'));
	}
	let text;
	try {
		text = readFileSync(path, 'utf8');
	} catch (error) {
		throw new KubectlError(`error: error loading config file "${path}": open ${path}: ${error.code === 'EACCES' ? 'permission denied' : error.message}`);
	}
	return /^\s*server:\s*https:\/\/(\S+)/m.exec(text)?.[1] ?? '';
}

function connect(flags) {
	const server = serverFromKubeconfig(flags);
	const endpoint = existsSync(join(CLUSTER, 'endpoint')) ? readFileSync(join(CLUSTER, 'endpoint'), 'utf8').trim() : undefined;
	const scenario = readJsonFile(join(CLUSTER, 'scenario.json')) ?? {};
	if (endpoint === undefined || server !== endpoint || scenario.apiUnreachable === true) {
		throw new KubectlError([
			`E0101 00:00:00.000000 memcache.go:265] "Unhandled Error" err="couldn't get current server API group list: Get \\"https://${server}/api?timeout=32s\\": dial tcp ${server}: connect: connection refused"`,
			`The connection to the server ${server} was refused - did you specify the right host or port?`,
		].join('\n'));
	}
}

function readJsonFile(file) {
	try {
		return JSON.parse(readFileSync(file, 'utf8'));
	} catch {
		return undefined;
	}
}

// ---------------------------------------------------------------- output

function sortKeys(_key, value) {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
	const out = {};
	for (const k of Object.keys(value).sort()) out[k] = value[k];
	return out;
}

/** kubectl prints unstructured objects with sorted keys and four-space indentation. */
function printJson(value) {
	return `${JSON.stringify(value, sortKeys, 4)}\n`;
}

function printYaml(value) {
	const YAML = loadYaml();
	return YAML.stringify(JSON.parse(JSON.stringify(value, sortKeys)), { lineWidth: 0 });
}

function age(fromIso, now) {
	const seconds = Math.max(0, Math.floor((now - Date.parse(fromIso)) / 1000));
	if (seconds < 120) return `${seconds}s`;
	const minutes = Math.floor(seconds / 60);
	if (minutes < 10) return `${minutes}m${seconds % 60 ? `${seconds % 60}s` : ''}`;
	if (minutes < 180) return `${minutes}m`;
	const hours = Math.floor(minutes / 60);
	if (hours < 48) return `${hours}h`;
	return `${Math.floor(hours / 24)}d`;
}

function table(rows) {
	const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
	return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? String(cell) : String(cell).padEnd(widths[i] + 3))).join('').trimEnd()).join('\n') + '\n';
}

/** The STATUS column of `kubectl get pods` (kubectl's printPod, simplified). */
export function podStatusText(pod) {
	const st = pod.status;
	let reason = st.reason ?? st.phase;
	const inits = st.initContainerStatuses ?? [];
	let initializing = false;
	for (let i = 0; i < inits.length; i++) {
		const c = inits[i];
		if (c.state.terminated?.exitCode === 0) continue;
		initializing = true;
		if (c.state.terminated) reason = `Init:${c.state.terminated.reason || `ExitCode:${c.state.terminated.exitCode}`}`;
		else if (c.state.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
		else reason = `Init:${i}/${inits.length}`;
		break;
	}
	if (!initializing) {
		let hasRunning = false;
		for (const c of [...(st.containerStatuses ?? [])].reverse()) {
			if (c.state.waiting?.reason) reason = c.state.waiting.reason;
			else if (c.state.terminated) reason = c.state.terminated.reason || `ExitCode:${c.state.terminated.exitCode}`;
			else if (c.ready && c.state.running) hasRunning = true;
		}
		if (reason === 'Completed' && hasRunning) reason = 'Running';
	}
	if (pod.metadata.deletionTimestamp) reason = 'Terminating';
	return reason;
}

function printTable(resource, items, flags, now) {
	const withNs = flags['all-namespaces'] && resource.namespaced;
	const ns = (o) => (withNs ? [o.metadata.namespace] : []);
	const nsHead = withNs ? ['NAMESPACE'] : [];
	let rows;
	switch (resource.kind) {
		case 'Node':
			rows = [['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'], ...items.map((o) => {
				const ready = o.status.conditions.find((c) => c.type === 'Ready')?.status === 'True';
				const roles = Object.keys(o.metadata.labels).filter((l) => l.startsWith('node-role.kubernetes.io/')).map((l) => l.slice(24)).join(',') || '<none>';
				return [o.metadata.name, ready ? 'Ready' : 'NotReady', roles, age(o.metadata.creationTimestamp, now), o.status.nodeInfo.kubeletVersion];
			})];
			break;
		case 'Pod':
			rows = [[...nsHead, 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], ...items.map((o) => {
				const cs = o.status.containerStatuses ?? [];
				const restarts = cs.reduce((sum, c) => sum + c.restartCount, 0);
				const last = cs.map((c) => c.lastState?.terminated?.finishedAt).filter(Boolean).sort().at(-1);
				return [...ns(o), o.metadata.name, `${cs.filter((c) => c.ready).length}/${o.spec.containers.length}`, podStatusText(o),
					last ? `${restarts} (${age(last, now)} ago)` : String(restarts), age(o.metadata.creationTimestamp, now)];
			})];
			break;
		case 'DaemonSet':
			rows = [[...nsHead, 'NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'], ...items.map((o) => [
				...ns(o), o.metadata.name, o.status.desiredNumberScheduled, o.status.currentNumberScheduled, o.status.numberReady,
				o.status.updatedNumberScheduled ?? 0, o.status.numberAvailable ?? 0,
				Object.entries(o.spec.template.spec.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>', age(o.metadata.creationTimestamp, now),
			])];
			break;
		case 'Deployment':
			rows = [[...nsHead, 'NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'], ...items.map((o) => [
				...ns(o), o.metadata.name, `${o.status.readyReplicas ?? 0}/${o.spec.replicas}`, o.status.updatedReplicas ?? 0, o.status.availableReplicas ?? 0, age(o.metadata.creationTimestamp, now),
			])];
			break;
		case 'Event':
			rows = [[...nsHead, 'LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'], ...items.map((o) => [
				...ns(o), age(o.lastTimestamp ?? o.series?.lastObservedTime ?? o.eventTime, now), o.type, o.reason,
				`${o.involvedObject.kind.toLowerCase()}/${o.involvedObject.name}`, o.message,
			])];
			break;
		default:
			// CRDs, and custom resources whose CRD defines no printer columns, get the API server's default table.
			if (resource.kind === 'CustomResourceDefinition' || (resource.custom && !resource.printerColumns)) {
				rows = [[...nsHead, 'NAME', 'CREATED AT'], ...items.map((o) => [...ns(o), o.metadata.name, o.metadata.creationTimestamp])];
				break;
			}
			rows = [[...nsHead, 'NAME', 'AGE'], ...items.map((o) => [...ns(o), o.metadata.name, age(o.metadata.creationTimestamp, now)])];
	}
	if (flags['no-headers']) rows.shift();
	return rows.length === 0 ? '' : table(rows);
}

// ---------------------------------------------------------------- selectors

function labelSelector(text) {
	const terms = text.split(',').filter(Boolean).map((term) => {
		let m;
		if ((m = /^([^!=]+)!=(.*)$/.exec(term))) return (l) => l[m[1].trim()] !== m[2].trim();
		if ((m = /^([^=]+)==?(.*)$/.exec(term))) return (l) => l[m[1].trim()] === m[2].trim();
		if (term.startsWith('!')) return (l) => !(term.slice(1) in l);
		return (l) => term in l;
	});
	return (object) => terms.every((t) => t(object.metadata?.labels ?? {}));
}

function fieldSelector(text) {
	const path = (object, dotted) => dotted.split('.').reduce((v, k) => (v === undefined || v === null ? undefined : v[k]), object);
	const terms = text.split(',').filter(Boolean).map((term) => {
		const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(term);
		if (!m) throw new KubectlError(`error: invalid selector: '${text}'; can't understand '${term}'`);
		const [, key, op, value] = m;
		return (o) => (String(path(o, key) ?? '') === value) === (op !== '!=');
	});
	return (object) => terms.every((t) => t(object));
}

// ---------------------------------------------------------------- verbs

function modelNow() {
	return clusterAt(readCluster(CLUSTER), Date.now());
}

/** All objects of one resource type, as the API server would list them. */
function listObjects(resource, state) {
	switch (resource.kind) {
		case 'Node':
			return state.model().nodes.map((n) => nodeObject(n, state.model().ctx));
		case 'Pod':
			return state.model().pods.map((p) => podObject(p, state.model().ctx));
		case 'DaemonSet':
			return state.model().workloads.filter((w) => w.kind === 'DaemonSet').map((w) => daemonSetObject(w, state.model().pods, state.model().ctx));
		case 'Deployment':
			return state.model().workloads.filter((w) => w.kind === 'Deployment').map((w) => deploymentObject(w, state.model().pods, state.model().ctx));
		case 'Event':
			return events(state.model());
		case 'PodDisruptionBudget':
			return budgetObjects(state.store(), state.model().pods.map((p) => podObject(p, state.model().ctx)), iso(Date.now()));
		case 'Namespace': {
			const stored = Object.values(state.store().objects).filter((rec) => rec.kind === 'Namespace').map((rec) => rec.object);
			const info = readJsonFile(join(CLUSTER, 'info.json'));
			const builtin = BUILTIN_NAMESPACES.map((name) => ({
				apiVersion: 'v1', kind: 'Namespace',
				metadata: { creationTimestamp: iso(info?.initAt ?? 0), labels: { 'kubernetes.io/metadata.name': name }, name, resourceVersion: '1', uid: `00000000-0000-4000-a000-${Buffer.from(name).toString('hex').padEnd(12, '0').slice(0, 12)}` },
				spec: { finalizers: ['kubernetes'] },
				status: { phase: 'Active' },
			}));
			return [...builtin, ...stored.map((o) => ({ ...o, status: { phase: 'Active' } }))];
		}
		default:
			return Object.values(state.store().objects)
				.filter((rec) => rec.kind === resource.kind && rec.group === resource.group)
				.map((rec) => rec.object);
	}
}

function byNamespaceAndName(a, b) {
	return (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name);
}

function lazyState() {
	let model;
	let store;
	return {
		model: () => (model ??= modelNow()),
		store: () => (store ??= loadStore(CLUSTER)),
	};
}

function get(flags, args, out) {
	if (flags.raw !== undefined) {
		if (args.length > 0) throw new KubectlError('error: arguments may not be passed when --raw is specified');
		if (flags.output) throw new KubectlError('error: --raw and --output are mutually exclusive');
		const scenario = readJsonFile(join(CLUSTER, 'scenario.json')) ?? {};
		// Streamed: a watch prints each event as it happens.
		process.stdout.on('error', () => process.exit(0));
		return raw(CLUSTER, flags.raw, scenario, (text, done) => process.stdout.write(text, done)).catch((error) => {
			if (error instanceof RawError) throw new KubectlError(error.message, error.code);
			throw error;
		});
	}
	if (flags.watch) throw new KubectlError('error: --watch is not supported by the simulated kubectl of the kubestrap test hosts');
	if (args.length === 0) {
		throw new KubectlError('You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).\nSee \'kubectl get -h\' for help and examples');
	}
	const output = flags.output ?? '';
	if (!['', 'json', 'yaml', 'name', 'wide'].includes(output)) {
		throw new KubectlError(`error: unable to match a printer suitable for the output format "${output}", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml`);
	}
	const state = lazyState();
	const all = resources(storedCrds(state.store()));
	// "type[,type] [name…]" or "type/name …"
	const requests = [];
	if (args[0].includes('/')) {
		for (const arg of args) {
			const [type, name] = arg.split('/');
			if (!name) throw new KubectlError(`error: arguments in resource/name form must have a single resource and name`);
			requests.push({ type, names: [name] });
		}
	} else {
		for (const type of args[0].split(',').filter(Boolean)) requests.push({ type, names: args.slice(1) });
	}
	const namespace = flags.namespace ?? 'default';
	const selectLabels = flags.selector ? labelSelector(flags.selector) : () => true;
	const selectFields = flags['field-selector'] ? fieldSelector(flags['field-selector']) : () => true;
	const found = [];
	const errors = [];
	for (const request of requests) {
		const resource = resolveType(all, request.type);
		if (!resource) throw new KubectlError(`error: the server doesn't have a resource type "${request.type}"`);
		let items = listObjects(resource, state)
			.filter((o) => !resource.namespaced || flags['all-namespaces'] || o.metadata.namespace === namespace)
			.filter(selectLabels)
			.filter(selectFields)
			.sort(byNamespaceAndName);
		if (request.names.length > 0) {
			const named = [];
			for (const name of request.names) {
				const item = items.find((o) => o.metadata.name === name);
				if (item) named.push(item);
				else if (!flags['ignore-not-found']) errors.push(`Error from server (NotFound): ${resource.plural}${resource.group ? `.${resource.group}` : ''} "${name}" not found`);
			}
			items = named;
		}
		found.push({ resource, items });
	}
	const items = found.flatMap((f) => f.items.map((item) => ({ resource: f.resource, item })));
	const single = requests.length === 1 && requests[0].names.length === 1;
	if (output === 'json' || output === 'yaml') {
		const print = output === 'json' ? printJson : printYaml;
		if (single) {
			if (items[0]) out.stdout(print(items[0].item));
		} else if (!(flags['ignore-not-found'] && requests.every((r) => r.names.length > 0) && items.length === 0)) {
			out.stdout(print({ apiVersion: 'v1', items: items.map((x) => x.item), kind: 'List', metadata: { resourceVersion: '' } }));
		}
	} else if (output === 'name') {
		out.stdout(items.map(({ resource, item }) => `${qualifiedName(resource, item.metadata.name)}\n`).join(''));
	} else {
		const now = Date.now();
		for (const f of found) {
			if (f.items.length > 0) out.stdout(printTable(f.resource, f.items, flags, now));
		}
		if (items.length === 0 && errors.length === 0 && requests.every((r) => r.names.length === 0)) {
			out.stderr(flags['all-namespaces'] || found.every((f) => !f.resource.namespaced) ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`);
		}
	}
	if (errors.length > 0) throw new KubectlError(errors.join('\n'));
}

function decodeFile(file, text) {
	const YAML = loadYaml();
	const objects = [];
	let docs;
	try {
		// kubectl reads YAML 1.1 (sigs.k8s.io/yaml): "yes" is a boolean, 0644 is octal.
		docs = YAML.parseAllDocuments(text, { version: '1.1', merge: true });
	} catch (error) {
		throw new KubectlError(`error: error parsing ${file}: ${error.message}`);
	}
	for (const doc of Array.isArray(docs) ? docs : [docs]) {
		if (doc.errors.length > 0) throw new KubectlError(`error: error parsing ${file}: error converting YAML to JSON: yaml: ${doc.errors[0].message}`);
		const value = doc.toJS({ maxAliasCount: 100 });
		if (value === null || value === undefined) continue;
		if (typeof value !== 'object' || Array.isArray(value)) {
			throw new KubectlError(`error: error parsing ${file}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type map[string]interface {}`);
		}
		if (!value.kind) throw new KubectlError(`error: unable to decode "${file}": Object 'Kind' is missing in '${JSON.stringify(value)}'`);
		if (!value.apiVersion) throw new KubectlError(`error: unable to decode "${file}": Object 'apiVersion' is missing in '${JSON.stringify(value)}'`);
		if (value.kind === 'List' && Array.isArray(value.items)) {
			objects.push(...value.items);
			continue;
		}
		if (!value.metadata?.name) throw new KubectlError(`error: error when retrieving current configuration of:\nResource: "${value.kind}", Name: "", Namespace: ""\nfrom server for: "${file}": resource name may not be empty`);
		objects.push(value);
	}
	return objects;
}

function readInputs(flags) {
	if (flags.filename.length === 0) throw new KubectlError('error: must specify one of -f and -k');
	return flags.filename.map((file) => {
		const path = file === '-' ? process.env.SIM_STDIN_FILE : file;
		if (!path || !existsSync(path)) throw new KubectlError(`error: the path "${file}" does not exist`);
		const text = readFileSync(path, 'utf8');
		// The raw files as applied, for tests written before the object store existed.
		mkdirSync(join(CLUSTER, 'applied'), { recursive: true });
		writeFileSync(join(CLUSTER, 'applied', `${process.hrtime.bigint()}.yaml`), text);
		return { file: file === '-' ? 'STDIN' : file, objects: decodeFile(file === '-' ? 'STDIN' : file, text) };
	});
}

function apply(flags, out) {
	const inputs = readInputs(flags);
	if (inputs.every((input) => input.objects.length === 0)) throw new KubectlError('error: no objects passed to apply');
	const serverSide = flags['server-side'] === true;
	const errors = [];
	for (const { file, objects } of inputs) {
		const result = applyObjects(CLUSTER, objects, {
			manager: flags['field-manager'] ?? (serverSide ? 'kubectl' : 'kubectl-client-side-apply'),
			serverSide,
			file,
			defaultNamespace: flags.namespace ?? 'default',
		});
		out.stdout(result.lines.map((line) => `${line}\n`).join(''));
		errors.push(...result.errors);
	}
	if (errors.length > 0) throw new KubectlError(errors.join('\n'));
}

function create(flags, out) {
	const inputs = readInputs(flags);
	const errors = [];
	for (const { file, objects } of inputs) {
		const store = loadStore(CLUSTER);
		const all = resources(storedCrds(store));
		const fresh = [];
		for (const object of objects) {
			const resource = all.find((r) => r.kind === object.kind);
			const ns = resource?.namespaced ? object.metadata.namespace ?? flags.namespace ?? 'default' : undefined;
			if (resource && store.objects[keyOf(resource, ns, object.metadata.name)]) {
				errors.push(`Error from server (AlreadyExists): error when creating "${file}": ${resource.plural}${resource.group ? `.${resource.group}` : ''} "${object.metadata.name}" already exists`);
			} else {
				fresh.push(object);
			}
		}
		const result = applyObjects(CLUSTER, fresh, { manager: 'kubectl-create', serverSide: false, file, defaultNamespace: flags.namespace ?? 'default' });
		out.stdout(result.lines.map((line) => `${line.replace(/ (created|configured|unchanged)$/, ' created')}\n`).join(''));
		errors.push(...result.errors);
	}
	if (errors.length > 0) throw new KubectlError(errors.join('\n'));
}

function patch(flags, args, out) {
	const [type, name] = args[0]?.includes('/') ? args[0].split('/') : [args[0], args[1]];
	if (!type || !name) throw new KubectlError("error: must specify one of -f and -k or a resource and name\nSee 'kubectl patch -h' for help and examples");
	if (flags.patch === undefined) throw new KubectlError("error: must specify -p to patch\nSee 'kubectl patch -h' for help and examples");
	const patchType = flags.type ?? 'strategic';
	if (!['strategic', 'merge', 'json'].includes(patchType)) throw new KubectlError(`error: --type must be one of [json merge strategic], not "${patchType}"`);
	if (patchType === 'json') throw new KubectlError('error: --type=json patches are not supported by the simulated kubectl of the kubestrap test hosts');
	let body;
	try {
		body = JSON.parse(flags.patch);
	} catch {
		try {
			body = loadYaml().parse(flags.patch);
		} catch (error) {
			throw new KubectlError(`error: unable to parse "${flags.patch}": yaml: ${error.message}`);
		}
	}
	if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new KubectlError(`error: unable to parse "${flags.patch}": json: cannot unmarshal into Go value of type map[string]interface {}`);
	const resource = resolveType(resources(storedCrds(loadStore(CLUSTER))), type);
	if (!resource) throw new KubectlError(`error: the server doesn't have a resource type "${type}"`);
	// The API server has no strategic merge for custom resources (they carry no patch strategy).
	if (resource.custom && patchType === 'strategic') {
		throw new KubectlError('Error from server (UnsupportedMediaType): the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
	}
	const result = patchObject(CLUSTER, resource, resource.namespaced ? flags.namespace ?? 'default' : undefined, name, patchType, body);
	if (result.error) throw new KubectlError(result.error);
	out.stdout(`${result.line}\n`);
}

function remove(flags, args, out) {
	if (flags.filename.length > 0 || flags.selector || flags['all-namespaces']) throw new KubectlError('error: kubectl delete with -f, -l or -A is not supported by the simulated kubectl of the kubestrap test hosts (name the objects)');
	const requests = [];
	if (args[0]?.includes('/')) {
		for (const arg of args) {
			const [type, name] = arg.split('/');
			requests.push({ type, names: [name] });
		}
	} else if (args.length > 1) {
		requests.push({ type: args[0], names: args.slice(1) });
	}
	if (requests.length === 0) throw new KubectlError("error: resource(s) were provided, but no name was specified");
	const all = resources(storedCrds(loadStore(CLUSTER)));
	const errors = [];
	for (const request of requests) {
		const resource = resolveType(all, request.type);
		if (!resource) throw new KubectlError(`error: the server doesn't have a resource type "${request.type}"`);
		if (resource.kind === 'Namespace' && request.names.some((n) => BUILTIN_NAMESPACES.includes(n))) {
			throw new KubectlError(`Error from server (Forbidden): namespaces "${request.names.find((n) => BUILTIN_NAMESPACES.includes(n))}" is forbidden: this namespace may not be deleted`);
		}
		const result = deleteObjects(CLUSTER, resource, resource.namespaced ? flags.namespace ?? 'default' : undefined, request.names, { ignoreNotFound: flags['ignore-not-found'] === true });
		out.stdout(result.lines.map((line) => `${line}\n`).join(''));
		errors.push(...result.errors);
	}
	if (errors.length > 0) throw new KubectlError(errors.join('\n'));
}

function logs(flags, args, out) {
	if (flags.follow) throw new KubectlError('error: --follow is not supported by the simulated kubectl of the kubestrap test hosts');
	const target = args[0];
	if (!target) throw new KubectlError("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples");
	const podName = target.startsWith('pod/') ? target.slice(4) : target.startsWith('pods/') ? target.slice(5) : target;
	if (podName.includes('/')) throw new KubectlError(`error: logs of "${target}" are not supported by the simulated kubectl of the kubestrap test hosts (name a pod)`);
	const namespace = flags.namespace ?? 'default';
	const model = modelNow();
	const pod = model.pods.find((p) => p.name === podName && p.workload.namespace === namespace);
	let container = flags.container ?? args[1];
	if (container === undefined && pod) {
		const mains = pod.spec.containers ?? [];
		container = pod.annotations?.['kubectl.kubernetes.io/default-container'] ?? mains[0]?.name;
		const listing = [...mains.map((c) => c.name), ...(pod.spec.initContainers ?? []).map((c) => `${c.name} (init)`)];
		if (listing.length > 1) out.stderr(`Defaulted container "${container}" out of: ${listing.join(', ')}\n`);
	}
	const result = containerLogs(model, namespace, podName, container ?? '', flags.previous === true);
	if (result.error) throw new KubectlError(result.error);
	let lines = result.lines;
	const tail = flags.tail === undefined ? -1 : Number(flags.tail);
	if (!Number.isInteger(tail)) throw new KubectlError(`error: invalid argument "${flags.tail}" for "--tail" flag: strconv.ParseInt: parsing "${flags.tail}": invalid syntax`);
	if (tail >= 0) lines = lines.slice(Math.max(0, lines.length - tail));
	out.stdout(lines.map((line) => `${line}\n`).join(''));
}

function version(flags, out, withServer) {
	const client = clientVersion();
	const info = (v) => ({ buildDate: '2026-01-01T00:00:00Z', compiler: 'gc', gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean', gitVersion: v, goVersion: 'go1.25.5', major: '1', minor: v.split('.')[1], platform: 'linux/amd64' });
	const server = withServer ? (readJsonFile(join(CLUSTER, 'info.json'))?.version ?? client) : undefined;
	if (flags.output === 'json' || flags.output === 'yaml') {
		const doc = { clientVersion: info(client), kustomizeVersion: KUSTOMIZE_VERSION, ...(server ? { serverVersion: info(server) } : {}) };
		out.stdout(flags.output === 'json' ? printJson(doc) : printYaml(doc));
		return;
	}
	out.stdout(`Client Version: ${client}\nKustomize Version: ${KUSTOMIZE_VERSION}\n${server ? `Server Version: ${server}\n` : ''}`);
}

// ---------------------------------------------------------------- nodes: cordon, drain, delete

function nodeNamed(name) {
	if (!existsSync(join(CLUSTER, 'nodes', name))) throw new KubectlError(`Error from server (NotFound): nodes "${name}" not found`);
}

function cordonNode(name) {
	mkdirSync(join(CLUSTER, 'cordoned'), { recursive: true });
	if (existsSync(join(CLUSTER, 'cordoned', name))) return false;
	writeFileSync(join(CLUSTER, 'cordoned', name), '');
	return true;
}

function cordon(flags, args, out, on) {
	const [name] = args;
	if (!name) throw new KubectlError('error: resource(s) were provided, but no name was specified');
	nodeNamed(name);
	if (on) out.stdout(cordonNode(name) ? `node/${name} cordoned\n` : `node/${name} already cordoned\n`);
	else {
		const had = existsSync(join(CLUSTER, 'cordoned', name));
		rmSync(join(CLUSTER, 'cordoned', name), { force: true });
		out.stdout(had ? `node/${name} uncordoned\n` : `node/${name} already uncordoned\n`);
	}
}

/** kubectl drain: cordon, then evict what may be evicted; DaemonSet pods need --ignore-daemonsets, emptyDir pods --delete-emptydir-data. */
function drain(flags, args, out) {
	const [name] = args;
	if (!name) throw new KubectlError('error: USAGE: drain NODE [flags]\nSee \'kubectl drain -h\' for help and examples');
	nodeNamed(name);
	const model = modelNow();
	const node = model.nodes.find((n) => n.name === name);
	const pods = model.pods.filter((p) => p.node?.name === name).map((p) => podObject(p, model.ctx));
	out.stdout(cordonNode(name) ? `node/${name} cordoned\n` : `node/${name} already cordoned\n`);
	const owner = (pod) => pod.metadata.ownerReferences?.[0]?.kind;
	const id = (pod) => `${pod.metadata.namespace}/${pod.metadata.name}`;
	const mirror = pods.filter((p) => owner(p) === 'Node' || p.metadata.annotations?.['kubernetes.io/config.mirror']);
	const daemon = pods.filter((p) => owner(p) === 'DaemonSet');
	const rest = pods.filter((p) => !mirror.includes(p) && !daemon.includes(p));
	const problems = [];
	if (daemon.length > 0 && !flags['ignore-daemonsets']) problems.push(`cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${daemon.map(id).join(', ')}`);
	const local = rest.filter((p) => (p.spec.volumes ?? []).some((v) => v.emptyDir));
	if (local.length > 0 && !flags['delete-emptydir-data']) problems.push(`cannot delete Pods with local storage (use --delete-emptydir-data to override): ${local.map(id).join(', ')}`);
	const bare = rest.filter((p) => !owner(p));
	if (bare.length > 0 && !flags.force) problems.push(`cannot delete Pods that declare no controller (use --force to override): ${bare.map(id).join(', ')}`);
	if (problems.length > 0) {
		throw new KubectlError(`error: unable to drain node "${name}" due to error: ${problems.join(', ')}, continuing command...\nThere are pending nodes to be drained:\n ${name}\n${problems.join('\n')}`);
	}
	if (daemon.length > 0) out.stderr(`Warning: ignoring DaemonSet-managed Pods: ${daemon.map(id).join(', ')}\n`);
	// A node whose kubelet is gone never confirms a pod's deletion: the eviction waits out the timeout.
	if (node?.forced && rest.length > 0) {
		for (const pod of rest) out.stdout(`evicting pod ${id(pod)}\n`);
		const timeout = formatDuration(parseDuration(flags.timeout ?? '0s') || 0);
		throw new KubectlError(`error: unable to drain node "${name}" due to error: [${rest.map((p) => `error when waiting for pod "${p.metadata.name}" in namespace "${p.metadata.namespace}" to terminate: global timeout reached: ${timeout}`).join(', ')}], continuing command...\nThere are pending nodes to be drained:\n ${name}`);
	}
	return evictPods(flags, name, rest, model, out);
}

/**
 * Evictions as kubectl drain makes them: a pod whose PodDisruptionBudget allows no disruption is refused
 * (429) and retried every 5 s until it may go or --timeout passes (0: forever). The cluster scenario's
 * `drainTimeScale` scales the real waits (not the printed durations), so a test sees a 5m timeout in seconds.
 */
async function evictPods(flags, name, pods, model, out) {
	const timeoutText = flags.timeout ?? '0s';
	const timeoutMs = parseDuration(timeoutText);
	if (Number.isNaN(timeoutMs)) throw new KubectlError(`error: invalid argument "${timeoutText}" for "--timeout" flag: time: invalid duration "${timeoutText}"`);
	const scale = readJsonFile(join(CLUSTER, 'scenario.json'))?.drainTimeScale ?? 1;
	const started = Date.now();
	const id = (pod) => `${pod.metadata.namespace}/${pod.metadata.name}`;
	const podsNow = (m) => m.pods.map((p) => podObject(p, m.ctx));
	let list = budgets(loadStore(CLUSTER), podsNow(model));
	let pending = [];
	for (const pod of pods) {
		out.stdout(`evicting pod ${id(pod)}\n`);
		if (evict(list, pod)) out.stdout(`pod/${pod.metadata.name} evicted\n`);
		else pending.push(pod);
	}
	while (pending.length > 0) {
		for (const pod of pending) out.stderr(`error when evicting pods/"${pod.metadata.name}" -n "${pod.metadata.namespace}" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.\n`);
		await new Promise((resolve) => setTimeout(resolve, 5000 * scale));
		if (timeoutMs > 0 && Date.now() - started >= timeoutMs * scale) {
			const errors = pending.map((pod) => `error when evicting pods/"${pod.metadata.name}" -n "${pod.metadata.namespace}": global timeout reached: ${formatDuration(timeoutMs)}`);
			const aggregate = errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
			// kubectl then lists the pods still on the node, `pod/NAME` a line.
			out.stderr(`There are pending pods in node "${name}" when an error occurred: ${aggregate}\n${pending.map((pod) => `pod/${pod.metadata.name}\n`).join('')}`);
			throw new KubectlError(`error: unable to drain node "${name}" due to error: ${aggregate}, continuing command...\nThere are pending nodes to be drained:\n ${name}\n${errors.join('\n')}`);
		}
		list = budgets(loadStore(CLUSTER), podsNow(modelNow()));
		const still = [];
		for (const pod of pending) {
			out.stdout(`evicting pod ${id(pod)}\n`);
			if (evict(list, pod)) out.stdout(`pod/${pod.metadata.name} evicted\n`);
			else still.push(pod);
		}
		pending = still;
	}
	out.stdout(`node/${name} drained\n`);
}

function deleteNode(flags, args, out) {
	const [type, ...names] = args;
	if (!['node', 'nodes', 'no'].includes(type ?? '') && !(type ?? '').startsWith('node/')) {
		throw new KubectlError(`error: "kubectl delete ${type ?? ''}" is not supported by the simulated kubectl of the kubestrap test hosts (only nodes)`);
	}
	if (type?.startsWith('node/')) names.unshift(type.slice('node/'.length));
	for (const name of names) {
		if (!existsSync(join(CLUSTER, 'nodes', name))) {
			if (flags['ignore-not-found']) continue;
			throw new KubectlError(`Error from server (NotFound): nodes "${name}" not found`);
		}
		const infoFile = join(CLUSTER, 'node-info', `${name}.json`);
		const info = readJsonFile(infoFile) ?? {};
		out.stdout(`node "${name}" deleted\n`);
		rmSync(join(CLUSTER, 'cordoned', name), { force: true });
		if (info.stoppedAt === undefined) {
			// The kubelet still runs there: it registers the Node again at once.
			writeFileSync(infoFile, `${JSON.stringify({ ...info, joinedAt: Date.now() })}\n`);
			continue;
		}
		rmSync(join(CLUSTER, 'nodes', name), { force: true });
		rmSync(infoFile, { force: true });
	}
}

// ---------------------------------------------------------------- exec: etcdctl in an etcd static pod

function etcdMembers() {
	const file = join(CLUSTER, 'etcd', 'members');
	if (!existsSync(file)) return [];
	return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => {
		const [id, name, peer, client] = line.split(' ');
		return { id, name, peer, client };
	});
}

function etcdctl(argv, out) {
	const flags = {};
	const words = [];
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg.startsWith('--')) {
			const [key, inline] = arg.slice(2).split(/=(.*)/s);
			flags[key] = inline ?? argv[++i];
		} else if (arg === '-w') flags['write-out'] = argv[++i];
		else words.push(arg);
	}
	// Without the client certificate the etcd of a kubeadm cluster refuses TLS; etcdctl retries until its deadline.
	if (!flags.cacert || !flags.cert || !flags.key) {
		throw new KubectlError('{"level":"warn","msg":"retrying of unary invoker failed","error":"rpc error: code = DeadlineExceeded desc = latest balancer error: last connection error: connection error: desc = \\"error reading server preface: remote error: tls: certificate required\\""}\nError: context deadline exceeded\ncommand terminated with exit code 1');
	}
	const members = etcdMembers();
	const clusterId = (members[0]?.id ?? '0').split('').reverse().join('');
	const [group, verb, arg] = words;
	if (group === 'member' && verb === 'list') {
		const format = flags['write-out'] ?? 'simple';
		if (format !== 'simple') throw new KubectlError(`Error: -w ${format} is not simulated by the kubestrap test hosts (use -w simple)\ncommand terminated with exit code 1`);
		for (const m of members) out.stdout(`${m.id}, started, ${m.name}, ${m.peer}, ${m.client}, false\n`);
		return;
	}
	if (group === 'member' && verb === 'remove') {
		if (!arg || !/^[0-9a-f]+$/.test(arg)) throw new KubectlError(`Error: bad member ID arg (strconv.ParseUint: parsing "${arg ?? ''}": invalid syntax), expecting ID in Hex\ncommand terminated with exit code 1`);
		if (!members.some((m) => m.id === arg)) throw new KubectlError('Error: etcdserver: member not found\ncommand terminated with exit code 1');
		writeFileSync(join(CLUSTER, 'etcd', 'members'), members.filter((m) => m.id !== arg).map((m) => `${m.id} ${m.name} ${m.peer} ${m.client}\n`).join(''));
		out.stdout(`Member ${arg} removed from cluster ${clusterId}\n`);
		return;
	}
	throw new KubectlError(`Error: etcdctl ${words.join(' ')} is not simulated by the kubestrap test hosts\ncommand terminated with exit code 1`);
}

function exec(flags, args, out) {
	const [podName, ...command] = args;
	if (!podName) throw new KubectlError('error: expected \'exec POD_NAME COMMAND [ARG1] [ARG2] ... [ARGN]\'.\nPOD_NAME and COMMAND are required arguments for the exec command');
	const namespace = flags.namespace ?? 'default';
	const model = modelNow();
	const pod = model.pods.find((p) => p.name === podName && podObject(p, model.ctx).metadata.namespace === namespace);
	if (!pod) throw new KubectlError(`Error from server (NotFound): pods "${podName}" not found`);
	if (pod.workload.kind === 'DaemonSet' && pod.workload.name === 'cilium' && (command[0] === 'cilium-dbg' || command[0] === 'cilium')) {
		return execCiliumDbg(flags, pod, model, command, out);
	}
	if (!podName.startsWith('etcd-') || command[0] !== 'etcdctl') {
		throw new KubectlError(`error: exec of "${command.join(' ')}" in ${podName} is not supported by the simulated kubectl of the kubestrap test hosts (only etcdctl in an etcd pod)`);
	}
	if (pod.node?.forced) throw new KubectlError('error: unable to upgrade connection: container not found ("etcd")');
	etcdctl(command.slice(1), out);
}

/**
 * cilium-dbg in a Cilium agent pod: it answers from the agent's running configuration, which is the
 * cilium-config ConfigMap as it was when the agent container started (the agent reads it once, at start).
 */
function execCiliumDbg(flags, pod, model, command, out) {
	const container = flags.container ?? pod.annotations?.['kubectl.kubernetes.io/default-container'] ?? pod.spec.containers?.[0]?.name;
	const index = (pod.spec.containers ?? []).findIndex((c) => c.name === container);
	if (index < 0) throw new KubectlError(`Error from server (BadRequest): container ${container} is not valid for pod ${pod.name}`);
	const state = pod.status.containerStatuses?.[index]?.state;
	if (!state?.running) throw new KubectlError(`error: unable to upgrade connection: container not found ("${container}")`);
	if (pod.deletedAt !== undefined && model.ctx.now >= pod.deletedAt) throw new KubectlError(`error: unable to upgrade connection: container not found ("${container}")`);
	const record = loadStore(CLUSTER).objects['ConfigMap./kube-system/cilium-config'];
	const data = configMapDataAt(record, pod.m0) ?? {};
	const result = ciliumDbg(command.slice(1), data);
	if (result.error) throw new KubectlError(`${result.error}\ncommand terminated with exit code 1`);
	out.stdout(result.text);
}

/** kubectl delete pod: the API marks the pod Terminating; its controller replaces it (model.mjs). kubectl waits until it is gone. */
function deletePods(flags, args, out) {
	const [type, ...rest] = args;
	const names = type.includes('/') ? [type.split('/')[1], ...rest] : rest;
	if (names.length === 0) throw new KubectlError('error: resource(s) were provided, but no name was specified');
	const namespace = flags.namespace ?? 'default';
	const model = modelNow();
	const errors = [];
	let wait = 0;
	for (const name of names) {
		const pod = model.pods.find((p) => p.name === name && p.workload.namespace === namespace);
		if (pod?.bare) {
			remove(flags, [`pod/${name}`], out);
			continue;
		}
		if (!pod) {
			if (!flags['ignore-not-found']) errors.push(`Error from server (NotFound): pods "${name}" not found`);
			continue;
		}
		if (pod.deletedAt === undefined || pod.deletedAt > model.ctx.now) {
			appendFileSync(join(CLUSTER, 'pod-deletions.jsonl'), `${JSON.stringify({ namespace, name, at: Date.now() })}\n`);
		}
		out.stdout(`pod "${name}" deleted from ${namespace} namespace\n`);
		wait = Math.max(wait, TIMINGS.terminate / model.ctx.speed);
	}
	// kubectl delete waits (--wait=true) until the pods are gone.
	if (wait > 0 && flags.wait !== false) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
	if (errors.length > 0) throw new KubectlError(errors.join('\n'));
}

/** kubectl rollout restart: patches the pod template's restartedAt annotation, so the controller rolls the pods. */
function rollout(flags, args, out) {
	const [action, target] = args;
	if (action !== 'restart') throw new KubectlError(`error: "kubectl rollout ${action ?? ''}" is not supported by the simulated kubectl of the kubestrap test hosts (only restart)`);
	const [type, name] = (target ?? '').split('/');
	if (!type || !name) throw new KubectlError('error: required resource not specified');
	const resource = resolveType(resources(storedCrds(loadStore(CLUSTER))), type);
	if (!resource || !['Deployment', 'DaemonSet', 'StatefulSet'].includes(resource.kind)) throw new KubectlError(`error: no restarter for ${type}`);
	const body = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') } } } } };
	const result = patchObject(CLUSTER, resource, flags.namespace ?? 'default', name, 'strategic', body);
	if (result.error) throw new KubectlError(result.error);
	out.stdout(`${resource.kind.toLowerCase()}.${resource.group}/${name} restarted\n`);
}

const KNOWN_VERBS = ['annotate', 'api-resources', 'api-versions', 'attach', 'auth', 'autoscale', 'certificate', 'cluster-info', 'completion',
	'config', 'cordon', 'cp', 'debug', 'describe', 'diff', 'drain', 'edit', 'events', 'exec', 'explain', 'expose', 'kustomize',
	'label', 'plugin', 'port-forward', 'proxy', 'replace', 'run', 'scale', 'set', 'taint', 'top', 'uncordon', 'wait'];

export function main(argv, out) {
	const { flags, positional } = parseArgs(argv);
	const [verb, ...args] = positional;
	if (verb === undefined) throw new KubectlError('kubectl controls the Kubernetes cluster manager.\n\nerror: no command given (simulated kubectl)');
	if (verb === 'version' && flags.client) return version(flags, out, false);
	const handlers = {
		version: () => version(flags, out, true),
		get: () => get(flags, args, out),
		apply: () => apply(flags, out),
		create: () => create(flags, out),
		patch: () => patch(flags, args, out),
		logs: () => logs(flags, args, out),
		cordon: () => cordon(flags, args, out, true),
		uncordon: () => cordon(flags, args, out, false),
		drain: () => drain(flags, args, out),
		// Nodes are the cluster's own model (kubelets re-register); every other kind lives in the object store.
		delete: () => (/^(nodes?|no)(\/|$)/.test(args[0] ?? '') ? deleteNode(flags, args, out) : /^(pods?|po)(\/|$)/.test(args[0] ?? '') ? deletePods(flags, args, out) : remove(flags, args, out)),
		rollout: () => rollout(flags, args, out),
		exec: () => exec(flags, args, out),
	};
	const handler = handlers[verb];
	if (!handler) {
		if (KNOWN_VERBS.includes(verb)) throw new KubectlError(`error: "kubectl ${verb}" is not supported by the simulated kubectl of the kubestrap test hosts`);
		throw new KubectlError(`error: unknown command "${verb}" for "kubectl"`);
	}
	connect(flags);
	// calico-node's first start created the default IP pool by now (nothing runs in the background).
	if (args.some((arg) => /ippool/i.test(arg))) ensureDefaultPool(CLUSTER, Date.now());
	return handler();
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const chunks = { stdout: [], stderr: [] };
	const out = { stdout: (text) => chunks.stdout.push(text), stderr: (text) => chunks.stderr.push(text) };
	const fail = (error) => {
		if (error instanceof KubectlError) {
			out.stderr(`${error.message}\n`);
			return error.code;
		}
		out.stderr(`error: simulated kubectl failed: ${error.stack ?? error}\n`);
		return 1;
	};
	const finish = (code) => {
		if (process.env.SIM_STDIN_FILE) rmSync(process.env.SIM_STDIN_FILE, { force: true });
		process.stderr.write(chunks.stderr.join(''));
		process.stdout.write(chunks.stdout.join(''), () => process.exit(code));
	};
	let result;
	let code = 0;
	try {
		result = main(process.argv.slice(2), out);
	} catch (error) {
		code = fail(error);
	}
	if (result instanceof Promise) result.then((exit) => finish(exit ?? 0), (error) => finish(fail(error)));
	else finish(code);
}
