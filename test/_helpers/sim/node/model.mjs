// The simulated cluster (a test double, not Kubernetes): nodes, pods, DaemonSets, Deployments, events
// and container logs computed from the harness-wide cluster dir and the clock on every call. Nothing runs in
// the background: a pod is "Running" because enough time passed since its workload was applied.
//
// Inputs (cluster dir, written by the simulated kubeadm, kubectl and the harness):
//   info.json            kubeadm init: { version, initAt, kubeProxy, coreDNS, podSubnet, serviceSubnet }
//   nodes/<name>         role of each joined node; node-info/<name>.json: address, kernel, os, joinedAt, …
//   workloads.json       applied DaemonSets and Deployments with their template revisions (store.mjs)
//   scenario.json        what the test asked for (README "Cluster scenarios"); flips.json: readiness flips
//   cni-ready            older tests: every node Ready without a CNI
//
// Timeline (milliseconds at speed 1, divided by scenario.speed): a pod is scheduled when a node takes it,
// its sandbox and images take `create`, each init container `initStep`, then its containers run and turn
// Ready after `ready` (`cniReady` for the CNI agent). A node is Ready `nodeReady` after the CNI pod on it.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { canonical, loadStore, loadWorkloads, shortHash } from './store.mjs';
import { datapath, playScript, probeScript } from './network.mjs';

export const TIMINGS = {
	create: 400,
	initStep: 150,
	ready: 600,
	cniReady: 800,
	nodeReady: 200,
	crashRun: 1000,
	errImagePull: 2000,
	backoff: 10_000,
	backoffMax: 300_000,
	terminate: 1000,
};

const CNI_DAEMONSETS = ['kube-system/cilium', 'kube-system/calico-node'];
const NOT_READY_MESSAGE = 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized';
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const ETCD_IMAGE = 'registry.k8s.io/etcd:3.6.5-0';
const COREDNS_IMAGE = 'registry.k8s.io/coredns/coredns:v1.12.1';
const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10.1';

// ---------------------------------------------------------------- small helpers

function readJson(file, fallback) {
	try {
		return JSON.parse(readFileSync(file, 'utf8'));
	} catch (error) {
		if (error.code === 'ENOENT') return fallback;
		throw error;
	}
}

function hash(...parts) {
	return createHash('sha256').update(parts.join('\0')).digest();
}

function suffix(length, ...parts) {
	const bytes = hash(...parts);
	let out = '';
	for (let i = 0; i < length; i++) out += NAME_ALPHABET[bytes[i] % NAME_ALPHABET.length];
	return out;
}

function uuid(...parts) {
	const h = hash(...parts).toString('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function iso(ms) {
	return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function micro(ms) {
	return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function matchLabels(labels, selector) {
	if (!selector) return true;
	for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels?.[k] !== v) return false;
	for (const expr of selector.matchExpressions ?? []) if (!matchExpression(labels ?? {}, expr)) return false;
	return true;
}

function matchExpression(labels, { key, operator, values = [] }) {
	const has = Object.hasOwn(labels, key);
	switch (operator) {
		case 'In': return has && values.includes(labels[key]);
		case 'NotIn': return !has || !values.includes(labels[key]);
		case 'Exists': return has;
		case 'DoesNotExist': return !has;
		case 'Gt': return has && Number(labels[key]) > Number(values[0]);
		case 'Lt': return has && Number(labels[key]) < Number(values[0]);
		default: return false;
	}
}

function tolerates(tolerations, taint) {
	return (tolerations ?? []).some((tol) => {
		if (tol.effect && tol.effect !== taint.effect) return false;
		if (!tol.key) return tol.operator === 'Exists';
		if (tol.key !== taint.key) return false;
		return tol.operator === 'Exists' || (tol.value ?? '') === (taint.value ?? '');
	});
}

/** Tolerations the DaemonSet controller adds to every pod it creates. */
function daemonTolerations(spec) {
	const added = [
		{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
		{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
		{ key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
		{ key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
		{ key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
		{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
	];
	if (spec.hostNetwork) added.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
	return [...(spec.tolerations ?? []), ...added];
}

function nodeAffinityMatches(spec, node) {
	if (!matchLabels(node.labels, { matchLabels: spec.nodeSelector ?? {} })) return false;
	const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
	if (!terms || terms.length === 0) return true;
	return terms.some((term) => (term.matchExpressions ?? []).every((expr) => matchExpression(node.labels, expr))
		&& (term.matchFields ?? []).every((expr) => matchExpression({ 'metadata.name': node.name }, expr)));
}

function hostPorts(spec) {
	const ports = [];
	for (const c of spec.containers ?? []) {
		for (const p of c.ports ?? []) {
			const port = p.hostPort ?? (spec.hostNetwork ? p.containerPort : undefined);
			if (port) ports.push(`${p.protocol ?? 'TCP'}/${port}`);
		}
	}
	return ports;
}

function priorityOf(spec) {
	if (spec.priorityClassName === 'system-node-critical') return 2000001000;
	if (spec.priorityClassName === 'system-cluster-critical') return 2000000000;
	return spec.priority ?? 0;
}

function qosClass(spec) {
	const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
	const any = containers.some((c) => Object.keys(c.resources?.requests ?? {}).length + Object.keys(c.resources?.limits ?? {}).length > 0);
	if (!any) return 'BestEffort';
	const guaranteed = containers.every((c) => ['cpu', 'memory'].every((r) => c.resources?.limits?.[r] !== undefined
		&& (c.resources?.requests?.[r] === undefined || c.resources.requests[r] === c.resources.limits[r])));
	return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** What the runtime reports as imageID: the repository with the digest, without the tag. */
function imageId(image) {
	const [named, digest] = image.split('@');
	const colon = named.lastIndexOf(':');
	const repo = colon > named.lastIndexOf('/') ? named.slice(0, colon) : named;
	return `${repo}@${digest ?? `sha256:${hash('image', image).toString('hex')}`}`;
}

function backoff(k, speed) {
	return Math.min(TIMINGS.backoff * 2 ** k, TIMINGS.backoffMax) / speed;
}

// ---------------------------------------------------------------- inputs

function listDir(dir) {
	try {
		return readdirSync(dir);
	} catch (error) {
		if (error.code === 'ENOENT') return [];
		throw error;
	}
}

function mtime(file) {
	try {
		return statSync(file).mtimeMs;
	} catch {
		return undefined;
	}
}

function asList(value) {
	if (value === undefined || value === null || value === false) return [];
	return Array.isArray(value) ? value : [value];
}

/** Everything the model reads, from the cluster dir. */
export function readCluster(dir) {
	const info = readJson(join(dir, 'info.json'), undefined);
	const scenario = readJson(join(dir, 'scenario.json'), {});
	const flips = readJson(join(dir, 'flips.json'), []);
	const nodes = listDir(join(dir, 'nodes')).map((name) => {
		const role = readFileSync(join(dir, 'nodes', name), 'utf8').trim();
		const extra = readJson(join(dir, 'node-info', `${name}.json`), {});
		const cordonedAt = mtime(join(dir, 'cordoned', name));
		return { name, role, joinedAt: extra.joinedAt ?? mtime(join(dir, 'nodes', name)) ?? 0, ...extra, ...(cordonedAt !== undefined ? { cordonedAt } : {}) };
	});
	const workloads = loadWorkloads(dir);
	// The network model needs Services and cilium-config: read the whole store only when bare pods may probe.
	let services = [];
	let ciliumConfig;
	let ipPools = [];
	if (workloads.some((w) => w.kind === 'Pod')) {
		const objects = Object.values(loadStore(dir).objects);
		services = objects.filter((rec) => rec.kind === 'Service' && rec.group === '').map((rec) => rec.object);
		ciliumConfig = objects.find((rec) => rec.kind === 'ConfigMap' && rec.namespace === 'kube-system' && rec.name === 'cilium-config')?.object.data;
		ipPools = objects.filter((rec) => rec.kind === 'IPPool' && rec.group === 'crd.projectcalico.org').map((rec) => rec.object);
	}
	return { dir, info, scenario, flips, nodes, workloads, services, ciliumConfig, ipPools, cniReadyAt: mtime(join(dir, 'cni-ready')), deletions: podDeletions(dir) };
}

// ---------------------------------------------------------------- the model

/** Pods, nodes, workloads and events of the simulated cluster at time `now` (ms). */
export function clusterAt(input, now) {
	const { info, scenario } = input;
	const speed = scenario.speed > 0 ? scenario.speed : 1;
	const since = scenario.since ?? {};
	const version = info?.version ?? 'v1.35.0';
	const initAt = info?.initAt ?? 0;
	const ctx = { now, speed, version, initAt, scenario, since, flips: input.flips, deletions: input.deletions ?? [], podSubnet: info?.podSubnet ?? '10.244.0.0/16' };

	const nodes = input.nodes
		.filter((n) => n.joinedAt <= now)
		.sort((a, b) => a.joinedAt - b.joinedAt || a.name.localeCompare(b.name))
		.map((n, index) => nodeModel(n, index, ctx));
	ctx.nodes = nodes;
	for (const node of nodes) {
		const forced = asList(scenario.nodeNotReady).find((entry) => entry?.node === node.name);
		if (forced) node.forced = { at: Math.max(since.nodeNotReady ?? 0, node.joinedAt), message: forced.message ?? 'Kubelet stopped posting node status.' };
		// kubeadm reset stopped its kubelet: the Node stays until deleted, and turns NotReady.
		if (!node.forced && node.stoppedAt !== undefined && node.stoppedAt <= now) node.forced = { at: node.stoppedAt, message: 'Kubelet stopped posting node status.' };
		kubeletSkew(node, ctx);
	}

	const workloads = [...systemWorkloads(ctx, info), ...input.workloads.map(storedWorkload), ...extraWorkloads(ctx)];
	ctx.workloadsAll = workloads;
	const faults = faultsFor(scenario);
	const pods = [];
	ctx.pods = pods;
	ctx.perNode = new Map();

	for (const node of nodes) {
		if (node.role !== 'control-plane') continue;
		for (const pod of staticPods(node, ctx)) {
			timeline(pod, ctx);
			place(pod, ctx);
		}
	}

	// CNI agents first: the nodes' readiness follows them, and everything else follows the nodes.
	const isCni = (w) => w.kind === 'DaemonSet' && CNI_DAEMONSETS.includes(`${w.namespace}/${w.name}`);
	for (const w of workloads.filter(isCni)) daemonPods(w, ctx, faults);
	for (const node of nodes) {
		if (input.cniReadyAt !== undefined) {
			node.readyAt = Math.max(node.joinedAt, Math.min(input.cniReadyAt, now));
			continue;
		}
		const agentReady = pods.filter((p) => p.node === node && isCni(p.workload) && p.firstReadyAt !== undefined)
			.map((p) => p.firstReadyAt).sort((a, b) => a - b)[0];
		if (agentReady !== undefined) {
			node.readyAt = agentReady + TIMINGS.nodeReady / speed;
			node.cniWorkload = pods.find((p) => p.node === node && isCni(p.workload))?.workload;
		}
	}
	for (const w of workloads.filter((w) => w.kind === 'DaemonSet' && !isCni(w))) daemonPods(w, ctx, faults);
	for (const w of workloads.filter((w) => w.kind === 'Deployment')) deploymentPods(w, ctx, faults);
	for (const w of workloads.filter((w) => w.kind === 'Pod')) barePod(w, ctx, faults);
	playProbes(input, ctx);

	const visible = pods.filter((p) => p.createdAt <= now && (p.goneAt === undefined || p.goneAt > now));
	for (const pod of visible) pod.status = podStatus(pod, ctx);
	return { ctx, nodes, pods: visible, workloads };
}

/** Adds a pod to the cluster (and to its node's list, which the scheduler filters read). */
function place(pod, ctx) {
	ctx.pods.push(pod);
	if (pod.node) {
		const list = ctx.perNode.get(pod.node) ?? [];
		list.push(pod);
		ctx.perNode.set(pod.node, list);
	}
}

function nodeModel(n, index, ctx) {
	const arch = n.arch === 'aarch64' ? 'arm64' : 'amd64';
	const labels = {
		'beta.kubernetes.io/arch': arch,
		'beta.kubernetes.io/os': 'linux',
		'kubernetes.io/arch': arch,
		'kubernetes.io/hostname': n.name,
		'kubernetes.io/os': 'linux',
	};
	if (n.role === 'control-plane') {
		labels['node-role.kubernetes.io/control-plane'] = '';
		labels['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
	}
	const [a = '10', b = '244'] = ctx.podSubnet.split('/')[0].split('.');
	return {
		...n,
		index,
		labels,
		uid: uuid('node', n.name, String(n.joinedAt)),
		address: n.address ?? '127.0.0.1',
		podCIDR: `${a}.${b}.${index}.0/24`,
		cpTaint: n.role === 'control-plane' && n.untainted !== true,
	};
}

/**
 * An upgrade's kubelet restart (node/upgrade.mjs): a kubelet newer than the API server cannot register, so the
 * Node keeps its old version and turns NotReady from that restart until the API server reaches its minor.
 */
function kubeletSkew(node, ctx) {
	if (node.kubeletPending === undefined) return;
	const minor = (v) => Number(String(v).replace(/^v/, '').split('.')[1]);
	if (minor(node.kubeletPending) <= minor(ctx.version)) node.kubeletVersion = node.kubeletPending;
	else if (!node.forced && node.kubeletPendingAt <= ctx.now) node.forced = { at: node.kubeletPendingAt, message: 'Kubelet stopped posting node status.' };
}

function nodeReadyAt(node, t) {
	if (node.forced && t >= node.forced.at) return false;
	return node.readyAt !== undefined && t >= node.readyAt;
}

function taintsAt(node, t) {
	const taints = [];
	if (node.cpTaint) taints.push({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' });
	if (node.cordonedAt !== undefined && t >= node.cordonedAt) taints.push({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: iso(node.cordonedAt) });
	if (!nodeReadyAt(node, t)) {
		taints.push({ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' });
		if (node.forced && t >= node.forced.at) taints.push({ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: iso(node.forced.at) });
	}
	return taints;
}

/** Times at which what a node accepts can change (joins, readiness). */
function changeTimes(ctx) {
	const times = new Set();
	for (const node of ctx.nodes) {
		times.add(node.joinedAt);
		if (node.readyAt !== undefined) times.add(node.readyAt);
		if (node.forced) times.add(node.forced.at);
	}
	return [...times].sort((a, b) => a - b);
}

// ---------------------------------------------------------------- workloads

function storedWorkload(rec) {
	const object = rec.object;
	return {
		kind: rec.kind,
		namespace: rec.namespace,
		name: rec.name,
		uid: object.metadata.uid,
		generation: rec.generation,
		object,
		revisions: rec.revisions ?? [{ hash: 'initial', at: rec.createdAt, generation: rec.generation }],
		replicas: rec.kind === 'Deployment' ? object.spec?.replicas ?? 1 : undefined,
		// A bare Pod is its own template.
		templateOf: (rev) => rec.kind === 'Pod' ? { metadata: object.metadata, spec: object.spec } : rev?.template ?? object.spec?.template ?? {},
	};
}

function synthetic(kind, namespace, name, at, object, replicas) {
	return {
		kind, namespace, name,
		uid: uuid(kind, namespace, name, String(at)),
		generation: 1,
		object,
		revisions: [{ hash: shortHash(canonical(object.spec.template), 16), at, generation: 1 }],
		replicas,
		templateOf: (rev) => rev?.template ?? object.spec.template,
		system: true,
	};
}

/** kube-proxy's pod template at a Kubernetes version (what kubeadm writes into its DaemonSet). */
function kubeProxyTemplate(labels, version) {
	return {
		metadata: { labels },
		spec: {
			containers: [{
				name: 'kube-proxy',
				image: `registry.k8s.io/kube-proxy:${version}`,
				command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--hostname-override=$(NODE_NAME)'],
				env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } }],
				securityContext: { privileged: true },
			}],
			hostNetwork: true,
			nodeSelector: { 'kubernetes.io/os': 'linux' },
			priorityClassName: 'system-node-critical',
			serviceAccountName: 'kube-proxy',
			tolerations: [{ operator: 'Exists' }],
		},
	};
}

function systemWorkloads(ctx, info) {
	if (!info) return [];
	const out = [];
	const meta = (name, labels) => ({ name, namespace: 'kube-system', labels, annotations: { 'deprecated.daemonset.template.generation': '1' } });
	if (info.kubeProxy !== false) {
		const labels = { 'k8s-app': 'kube-proxy' };
		const template = kubeProxyTemplate(labels, ctx.version);
		const proxy = synthetic('DaemonSet', 'kube-system', 'kube-proxy', ctx.initAt, {
			apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta('kube-proxy', labels),
			spec: {
				revisionHistoryLimit: 10,
				selector: { matchLabels: labels },
				template,
				updateStrategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: 'RollingUpdate' },
			},
		});
		// `kubeadm upgrade apply` rewrote the DaemonSet with the new image (node/upgrade.mjs keeps the version before):
		// its pods roll from the old template to the new one, one node at a time.
		if (info.upgradedAt !== undefined && info.previousVersion && info.previousVersion !== ctx.version) {
			const before = kubeProxyTemplate(labels, info.previousVersion);
			proxy.generation = 2;
			proxy.revisions = [
				{ hash: shortHash(canonical(before), 16), at: info.previousAt ?? ctx.initAt, generation: 1, template: before },
				{ hash: shortHash(canonical(template), 16), at: info.upgradedAt, generation: 2, template },
			];
		}
		out.push(proxy);
	}
	if (info.coreDNS !== false) {
		const labels = { 'k8s-app': 'kube-dns' };
		out.push(synthetic('Deployment', 'kube-system', 'coredns', ctx.initAt, {
			apiVersion: 'apps/v1', kind: 'Deployment',
			metadata: { name: 'coredns', namespace: 'kube-system', labels, annotations: { 'deployment.kubernetes.io/revision': '1' } },
			spec: {
				replicas: 2,
				selector: { matchLabels: labels },
				strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 }, type: 'RollingUpdate' },
				template: {
					metadata: { labels },
					spec: {
						affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ podAffinityTerm: { labelSelector: { matchExpressions: [{ key: 'k8s-app', operator: 'In', values: ['kube-dns'] }] }, topologyKey: 'kubernetes.io/hostname' }, weight: 100 }] } },
						containers: [{
							name: 'coredns',
							image: COREDNS_IMAGE,
							args: ['-conf', '/etc/coredns/Corefile'],
							ports: [{ containerPort: 53, name: 'dns', protocol: 'UDP' }, { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' }, { containerPort: 9153, name: 'metrics', protocol: 'TCP' }],
							readinessProbe: { httpGet: { path: '/ready', port: 8181, scheme: 'HTTP' } },
							resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
						}],
						dnsPolicy: 'Default',
						nodeSelector: { 'kubernetes.io/os': 'linux' },
						priorityClassName: 'system-cluster-critical',
						serviceAccountName: 'coredns',
						tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' }],
					},
				},
			},
		}, 2));
	}
	return out;
}

function extraWorkloads(ctx) {
	const count = Number(ctx.scenario.extraPods ?? 0);
	if (!(count > 0)) return [];
	const labels = { app: 'pause' };
	// A scenario set before kubeadm init takes effect with the cluster.
	return [synthetic('Deployment', 'default', 'pause', Math.max(ctx.since.extraPods ?? 0, ctx.initAt), {
		apiVersion: 'apps/v1', kind: 'Deployment',
		metadata: { name: 'pause', namespace: 'default', labels, annotations: { 'deployment.kubernetes.io/revision': '1' } },
		spec: {
			replicas: count,
			selector: { matchLabels: labels },
			template: { metadata: { labels }, spec: { containers: [{ name: 'pause', image: PAUSE_IMAGE }] } },
		},
	}, count)];
}

// ---------------------------------------------------------------- faults from the scenario

function faultsFor(scenario) {
	const faults = [];
	for (const entry of asList(scenario.imagePullBackOff)) {
		const f = typeof entry === 'string' ? { workload: entry } : entry;
		if (f?.workload) faults.push({ type: 'pull', workload: f.workload, container: f.container, message: f.message });
	}
	for (const f of asList(scenario.crashLoop)) {
		if (f?.workload) faults.push({ type: 'crash', workload: f.workload, container: f.container, exitCode: f.exitCode ?? 1, logs: f.logs ?? [] });
	}
	return faults;
}

/** The fault a pod's containers have: { type, index (in init+main order), … } or undefined. */
function podFault(workload, spec, faults) {
	const fault = faults.find((f) => f.workload === workload.name || f.workload === `${workload.namespace}/${workload.name}`);
	if (!fault) return undefined;
	const all = [...(spec.initContainers ?? []).map((c) => ({ c, init: true })), ...(spec.containers ?? []).map((c) => ({ c, init: false }))];
	let index;
	if (fault.container) index = all.findIndex((x) => x.c.name === fault.container);
	else if (fault.type === 'pull') index = 0;
	else index = all.findIndex((x) => !x.init);
	if (index < 0) return undefined;
	return { ...fault, index, container: all[index].c.name };
}

// ---------------------------------------------------------------- pods

function basePod(workload, template, { name, uid, node, createdAt, scheduledAt, ownerReferences, extraLabels, revision }) {
	return {
		workload,
		template,
		spec: template.spec ?? {},
		name,
		uid,
		node,
		createdAt,
		scheduledAt,
		ownerReferences,
		labels: { ...(template.metadata?.labels ?? {}), ...extraLabels },
		annotations: template.metadata?.annotations,
		revision,
	};
}

function staticPods(node, ctx) {
	// `kubeadm upgrade apply|node` rewrote this node's manifests (node/upgrade.mjs): the kubelet restarted them.
	const version = node.controlPlaneVersion ?? ctx.version;
	const since = node.controlPlaneAt ?? node.joinedAt;
	const components = [
		['etcd', ETCD_IMAGE, ['etcd', '--advertise-client-urls=https://' + node.address + ':2379', '--data-dir=/var/lib/etcd']],
		['kube-apiserver', `registry.k8s.io/kube-apiserver:${version}`, ['kube-apiserver', `--advertise-address=${node.address}`, '--secure-port=6443']],
		['kube-controller-manager', `registry.k8s.io/kube-controller-manager:${version}`, ['kube-controller-manager', '--leader-elect=true']],
		['kube-scheduler', `registry.k8s.io/kube-scheduler:${version}`, ['kube-scheduler', '--leader-elect=true']],
	];
	return components.map(([component, image, command]) => {
		const name = `${component}-${node.name}`;
		const configHash = hash('static', name, version).toString('hex').slice(0, 32);
		const template = {
			metadata: {
				labels: { component, tier: 'control-plane' },
				annotations: { 'kubernetes.io/config.hash': configHash, 'kubernetes.io/config.mirror': configHash, 'kubernetes.io/config.seen': micro(since), 'kubernetes.io/config.source': 'file' },
			},
			spec: {
				containers: [{ name: component, image, command, resources: { requests: { cpu: component === 'kube-apiserver' ? '250m' : '100m' } } }],
				hostNetwork: true,
				priorityClassName: 'system-node-critical',
				tolerations: [{ effect: 'NoExecute', operator: 'Exists' }],
			},
		};
		const pod = basePod({ kind: 'Node', namespace: 'kube-system', name: node.name, uid: node.uid, static: true }, template, {
			name,
			uid: uuid('pod', name, String(since)),
			node,
			createdAt: since,
			scheduledAt: since,
			ownerReferences: [{ apiVersion: 'v1', controller: true, kind: 'Node', name: node.name, uid: node.uid }],
			extraLabels: {},
		});
		pod.static = true;
		return pod;
	});
}

/** Whether the DaemonSet controller wants a pod of `spec` on `node` at time t (a new pod: NoSchedule taints count). */
function daemonShouldRun(spec, node, t) {
	if (!nodeAffinityMatches(spec, node)) return false;
	const tolerations = daemonTolerations(spec);
	return taintsAt(node, t).every((taint) => (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') || tolerates(tolerations, taint));
}

/**
 * How many pods of `desired` nodes a DaemonSet's RollingUpdate may have unavailable: a number, or a percentage
 * of the desired nodes rounded up (intstr.GetScaledValueFromIntOrPercent with roundUp, as the DaemonSet
 * controller calls it). The API server defaults a missing value to 1; 0 (with maxSurge 0) the controller
 * reads as 1.
 */
export function maxUnavailableOf(dsSpec, desired) {
	const value = dsSpec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
	const percent = typeof value === 'string' && /^\d+%$/.test(value.trim()) ? Number(value.trim().slice(0, -1)) : undefined;
	const scaled = percent !== undefined ? Math.ceil((percent * desired) / 100) : Number(value);
	return Number.isInteger(scaled) && scaled > 0 ? scaled : 1;
}

/** A sorted list of unique times with an O(log n) insert (the controller's wake-ups). */
function timeQueue() {
	const times = [];
	return {
		add(t) {
			if (!Number.isFinite(t)) return;
			let lo = 0;
			let hi = times.length;
			while (lo < hi) {
				const mid = (lo + hi) >> 1;
				if (times[mid] < t) lo = mid + 1;
				else hi = mid;
			}
			if (times[lo] !== t) times.splice(lo, 0, t);
		},
		next: () => times.shift(),
		peek: () => times[0],
	};
}

/**
 * The pods of a DaemonSet, played as the DaemonSet controller makes them, from the recorded times alone: the
 * controller acts at every moment something it watches changes (a template revision, a node joining or
 * turning Ready, a pod turning available or gone, a `kubectl delete pod`), and in between nothing happens.
 *
 * At each such moment, as pkg/controller/daemon does with maxSurge 0: a pod that is gone frees its node; a
 * node that should run the DaemonSet and has no pod (not even a Terminating one) gets a pod of the current
 * template; a pod on a node that should no longer run it is deleted. Then, with `updateStrategy.type:
 * RollingUpdate` (the default), the rolling update: a node without a pod, or with a pod of the current
 * template that is not available (Ready for `minReadySeconds`), counts as unavailable; an old pod that is not
 * available is deleted at once (and does not count in that pass, as in the controller's code); of the
 * available old pods as many are deleted as `maxUnavailable` (maxUnavailableOf) leaves room for. Their
 * replacements come once they are gone, and the next ones are deleted when the unavailable count drops.
 * `OnDelete` replaces nothing until a pod is deleted. The controller walks a Go map, so which old pods go
 * first is not specified; here they go in node name order. Deviations: maxSurge > 0 is played as 0; the
 * store keeps the last two templates, so a pod of an older one counts as of the older of the two.
 */
function daemonPods(w, ctx, faults) {
	const now = ctx.now;
	const speed = ctx.speed;
	const dsSpec = w.object.spec ?? {};
	const rolling = (dsSpec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
	const minReady = (Number(dsSpec.minReadySeconds) > 0 ? Number(dsSpec.minReadySeconds) * 1000 : 0) / speed;
	const revisions = w.revisions;
	const start = revisions[0]?.at ?? 0;
	// Per revision: its template, pod spec and tolerations, worked out once.
	const revs = revisions.map((rev) => {
		const template = w.templateOf(rev);
		const spec = template.spec ?? {};
		return { rev, template, spec, tolerations: daemonTolerations(spec), fault: podFault(w, spec, faults) };
	});
	const nodes = [...ctx.nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
	const slots = new Map(nodes.map((node) => [node, { pod: undefined, made: new Map() }]));
	const deletions = ctx.deletions.filter((d) => d.namespace === w.namespace && d.at >= start && d.at <= now);
	const flipTimes = ctx.flips.filter((f) => f.at >= start && f.at <= now);
	const out = [];
	const queue = timeQueue();
	for (const t of [start, ...revisions.map((r) => r.at), ...changeTimes(ctx), ...deletions.map((d) => d.at)]) if (t >= start && t <= now) queue.add(t);
	for (const f of flipTimes) {
		queue.add(f.at);
		queue.add(f.at + minReady);
	}

	const make = (node, r, at) => {
		const slot = slots.get(node);
		// A pod that replaces another one on the node gets a new name and uid, as the controller gives it.
		const incarnation = slot.made.get(r.rev.hash) ?? 0;
		slot.made.set(r.rev.hash, incarnation + 1);
		const again = incarnation === 0 ? [] : [String(incarnation)];
		const pod = basePod(w, r.template, {
			name: `${w.name}-${suffix(5, w.uid, node.name, r.rev.hash, ...again)}`,
			uid: uuid('pod', w.uid, node.name, r.rev.hash, ...again),
			node,
			createdAt: at,
			scheduledAt: at,
			ownerReferences: [{ apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: true, kind: 'DaemonSet', name: w.name, uid: w.uid }],
			extraLabels: { 'controller-revision-hash': suffix(10, w.uid, r.rev.hash), 'pod-template-generation': String(r.rev.generation) },
			revision: r.rev,
		});
		pod.spec = {
			...r.spec,
			tolerations: r.tolerations,
			affinity: { ...(r.spec.affinity ?? {}), nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node.name] }] }] } } },
		};
		pod.fault = r.fault;
		timeline(pod, ctx);
		slot.pod = pod;
		out.push(pod);
		queue.add(pod.readyAt);
		queue.add(pod.readyAt + minReady);
		return pod;
	};
	const remove = (pod, at) => {
		pod.deletedAt = at;
		pod.goneAt = at + TIMINGS.terminate / speed;
		queue.add(pod.goneAt);
	};
	// Available as the controller reads it: Ready (not flipped, its node not down) for minReadySeconds.
	const available = (pod, t) => {
		if (pod.deletedAt !== undefined || !(pod.readyAt <= t)) return false;
		if (pod.node.forced && t >= pod.node.forced.at) return false;
		let since = pod.readyAt;
		let flipped = false;
		for (const f of flipTimes) {
			if (f.pod !== pod.name || f.at > t) continue;
			flipped = !flipped;
			since = Math.max(since, f.at);
		}
		return !flipped && t >= since + minReady;
	};

	// Node affinity does not change with time: worked out once per template and node.
	const fits = revs.map((r) => new Map(nodes.map((node) => [node, nodeAffinityMatches(r.spec, node)])));
	const byName = new Map();
	const runs = new Map();
	for (let t = queue.next(); t !== undefined && t <= now; t = queue.next()) {
		let index = 0;
		for (let i = 0; i < revs.length; i++) if (revs[i].rev.at <= t) index = i;
		const current = revs[index];
		for (const d of deletions) {
			if (d.at !== t) continue;
			const pod = byName.get(d.name);
			if (pod && slots.get(pod.node).pod === pod && pod.deletedAt === undefined && pod.createdAt <= t) remove(pod, t);
		}
		let desired = 0;
		for (const node of nodes) {
			runs.set(node, false);
			if (node.joinedAt > t) continue;
			const slot = slots.get(node);
			if (slot.pod?.goneAt !== undefined && slot.pod.goneAt <= t) slot.pod = undefined;
			// A new pod needs every NoSchedule/NoExecute taint tolerated; a running one only the NoExecute ones.
			const fit = fits[index].get(node);
			const taints = fit ? taintsAt(node, t) : [];
			const run = fit && taints.every((taint) => (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') || tolerates(current.tolerations, taint));
			const stay = fit && taints.every((taint) => taint.effect !== 'NoExecute' || tolerates(current.tolerations, taint));
			runs.set(node, run);
			if (run) desired++;
			if (!slot.pod) {
				if (run) byName.set(make(node, current, t).name, slot.pod);
			} else if (slot.pod.deletedAt === undefined && !stay) {
				remove(slot.pod, t);
			}
		}
		if (!rolling) continue;
		let unavailable = 0;
		const replace = [];
		const candidates = [];
		for (const node of nodes) {
			if (!runs.get(node)) continue;
			const pod = slots.get(node).pod;
			if (!pod || pod.deletedAt !== undefined) unavailable++;
			else if (pod.revision.hash === current.rev.hash) {
				if (!available(pod, t)) unavailable++;
			} else if (!available(pod, t)) replace.push(pod);
			else candidates.push(pod);
		}
		const room = Math.max(0, Math.min(maxUnavailableOf(dsSpec, desired) - unavailable, candidates.length));
		for (const pod of [...replace, ...candidates.slice(0, room)]) remove(pod, t);
	}
	for (const pod of out) place(pod, ctx);
}

/** `kubectl delete pod` calls: { namespace, name, at } per line of pod-deletions.jsonl (kubectl.mjs writes it). */
function podDeletions(dir) {
	let text;
	try {
		text = readFileSync(join(dir, 'pod-deletions.jsonl'), 'utf8');
	} catch (error) {
		if (error.code === 'ENOENT') return [];
		throw error;
	}
	return text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

/** Why `node` cannot take `pod` at time t (the first failing scheduler filter), or undefined. */
function filterReason(pod, node, t, ctx) {
	const spec = pod.spec;
	for (const taint of taintsAt(node, t)) {
		if ((taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !tolerates(spec.tolerations, taint)) {
			return { reason: `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`, preemption: 'Preemption is not helpful for scheduling' };
		}
	}
	if (!nodeAffinityMatches(spec, node)) {
		return { reason: "node(s) didn't match Pod's node affinity/selector", preemption: 'Preemption is not helpful for scheduling' };
	}
	const wanted = hostPorts(spec);
	const antiAffinity = spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
	if (wanted.length === 0 && antiAffinity.length === 0) return undefined;
	const here = (ctx.perNode.get(node) ?? []).filter((p) => p !== pod && p.scheduledAt <= t && (p.goneAt === undefined || p.goneAt > t));
	if (wanted.length > 0 && here.some((p) => hostPorts(p.spec).some((port) => wanted.includes(port)))) {
		return { reason: "node(s) didn't have free ports for the requested pod ports", preemption: 'No preemption victims found for incoming pod' };
	}
	for (const term of antiAffinity) {
		if (here.some((p) => matchLabels(p.labels, term.labelSelector))) {
			return { reason: "node(s) didn't match pod anti-affinity rules", preemption: 'No preemption victims found for incoming pod' };
		}
	}
	return undefined;
}

/** The scheduler's FailedScheduling message for a pod no node takes at time t. */
function unschedulableMessage(pod, t, ctx) {
	const nodes = ctx.nodes.filter((n) => n.joinedAt <= t);
	if (nodes.length === 0) return 'no nodes available to schedule pods';
	const reasons = new Map();
	const preemption = new Map();
	for (const node of nodes) {
		const why = filterReason(pod, node, t, ctx);
		if (!why) continue;
		reasons.set(why.reason, (reasons.get(why.reason) ?? 0) + 1);
		preemption.set(why.preemption, (preemption.get(why.preemption) ?? 0) + 1);
	}
	const join = (map) => [...map].map(([text, n]) => `${n} ${text}`).sort().join(', ');
	return `0/${nodes.length} nodes are available: ${join(reasons)}. preemption: 0/${nodes.length} nodes are available: ${join(preemption)}.`;
}

function deploymentPods(w, ctx, faults) {
	const current = w.revisions.at(-1);
	const previous = w.revisions.length > 1 ? w.revisions.at(-2) : undefined;
	const make = (rev, created, terminating) => {
		const template = w.templateOf(rev);
		const fault = podFault(w, template.spec ?? {}, faults);
		const hashText = suffix(10, w.uid, rev.hash);
		const rsName = `${w.name}-${hashText}`;
		const rsUid = uuid('rs', w.uid, rev.hash);
		for (let replica = 0; replica < (w.replicas ?? 1); replica++) {
			const name = `${rsName}-${suffix(5, rsUid, String(replica))}`;
			const pod = basePod(w, template, {
				name,
				uid: uuid('pod', rsUid, String(replica)),
				node: undefined,
				createdAt: created,
				scheduledAt: undefined,
				ownerReferences: [{ apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: true, kind: 'ReplicaSet', name: rsName, uid: rsUid }],
				extraLabels: { 'pod-template-hash': hashText },
				revision: rev,
			});
			pod.replicaSet = { name: rsName, uid: rsUid };
			pod.fault = fault;
			if (terminating !== undefined) {
				pod.deletedAt = terminating;
				pod.goneAt = terminating + TIMINGS.terminate / ctx.speed;
			}
			schedule(pod, ctx, load);
			timeline(pod, ctx);
			place(pod, ctx);
		}
	};
	// Pods of this Deployment per node, for spreading replicas like the scheduler's default scoring.
	const load = new Map();
	if (previous) make(previous, previous.at, current.at);
	make(current, current.at);
}

/**
 * A Pod created directly (kubectl create/apply of kind Pod). Only pods with spec.nodeName are simulated:
 * they skip the scheduler, as on a real cluster; pods for the scheduler stay Pending.
 */
function barePod(w, ctx, faults) {
	const template = w.templateOf();
	const spec = template.spec ?? {};
	const node = ctx.nodes.find((n) => n.name === spec.nodeName);
	const createdAt = w.revisions[0]?.at ?? 0;
	const pod = basePod(w, template, {
		name: w.name,
		uid: w.uid,
		node,
		createdAt,
		scheduledAt: node ? Math.max(createdAt, node.joinedAt) : undefined,
		ownerReferences: undefined,
		extraLabels: {},
		revision: w.revisions[0],
	});
	pod.bare = true;
	pod.fault = podFault(w, spec, faults);
	if (!node) pod.attempts = [createdAt];
	timeline(pod, ctx);
	place(pod, ctx);
}

/** The IP a pod gets: its node's address with host networking, else one of its node's pod CIDR. */
function podIp(pod) {
	if (pod.spec.hostNetwork) return pod.node.address;
	return `${pod.node.podCIDR.split('.').slice(0, 3).join('.')}.${2 + (hash('ip', pod.uid)[0] % 250)}`;
}

/** Client pods of `kubestrap check` run their probe scripts through the network model (network.mjs). */
function playProbes(input, ctx) {
	const players = ctx.pods.filter((p) => p.bare && p.node && probeScript(p));
	if (players.length === 0) return;
	for (const pod of ctx.pods) if (pod.node) pod.ip = podIp(pod);
	const net = {
		dp: datapath({ ciliumConfig: input.ciliumConfig, workloads: ctx.workloadsAll ?? [] }),
		scenario: ctx.scenario,
		serviceSubnet: input.info?.serviceSubnet ?? '10.96.0.0/12',
		services: input.services ?? [],
		nodes: ctx.nodes,
		pods: ctx.pods,
		speed: ctx.speed,
	};
	net.serviceLayer = input.info?.kubeProxy !== false || net.dp.kpr;
	for (const pod of players) {
		if (!Number.isFinite(pod.m0)) continue;
		const run = playScript(net, pod, probeScript(pod), pod.m0);
		pod.script = run.lines;
		pod.endAt = run.end;
		pod.terminationMessage = run.message;
	}
}

/** Places a Deployment pod on the least loaded node that takes it, at the first time one does. */
function schedule(pod, ctx, load) {
	// The scheduler tries again when a node changes and when a pod leaves one (its host ports free up).
	const gone = ctx.pods.map((p) => p.goneAt).filter((t) => Number.isFinite(t));
	const later = [...new Set([...changeTimes(ctx), ...gone])].filter((t) => t > pod.createdAt).sort((a, b) => a - b);
	const times = [pod.createdAt, ...later].filter((t) => t <= ctx.now);
	for (const t of times) {
		const feasible = ctx.nodes.filter((node) => node.joinedAt <= t && !filterReason(pod, node, t, ctx));
		if (feasible.length === 0) continue;
		const count = (node) => load.get(node) ?? 0;
		feasible.sort((a, b) => count(a) - count(b) || a.index - b.index);
		pod.node = feasible[0];
		pod.scheduledAt = t;
		load.set(pod.node, count(pod.node) + 1);
		return;
	}
	pod.attempts = times;
}

/** When each phase of a scheduled pod begins (ms), given its fault. */
function timeline(pod, ctx) {
	if (pod.scheduledAt === undefined) return;
	const s = ctx.speed;
	if (pod.static) {
		Object.assign(pod, { startAt: pod.scheduledAt, c0: pod.scheduledAt, m0: pod.scheduledAt, readyAt: pod.scheduledAt, firstReadyAt: pod.scheduledAt });
		return;
	}
	// Without host networking the sandbox needs the node's CNI.
	let startAt = pod.scheduledAt;
	if (!pod.spec.hostNetwork) {
		const netAt = pod.node.readyAt;
		startAt = netAt === undefined ? Infinity : Math.max(startAt, netAt);
	}
	const inits = pod.spec.initContainers ?? [];
	const c0 = startAt + TIMINGS.create / s;
	const m0 = c0 + (inits.length * TIMINGS.initStep) / s;
	const isCni = CNI_DAEMONSETS.includes(`${pod.workload.namespace}/${pod.workload.name}`);
	let readyAt = m0 + (isCni ? TIMINGS.cniReady : TIMINGS.ready) / s;
	if (pod.fault) readyAt = Infinity;
	Object.assign(pod, { startAt, c0, m0, readyAt, firstReadyAt: readyAt <= ctx.now ? readyAt : undefined });
}

// ---------------------------------------------------------------- pod status at `now`

function containerState(pod, c, index, initCount, ctx) {
	const now = ctx.now;
	const s = ctx.speed;
	const init = index < initCount;
	const fault = pod.fault;
	const startOf = (i) => (i < initCount ? pod.c0 + (i * TIMINGS.initStep) / s : pod.m0);
	// A failing init container holds back everything after it; a failing main container only itself.
	const blocked = fault !== undefined && fault.index < initCount && index > fault.index;
	const begin = startOf(index);
	const base = { name: c.name, image: c.image, imageID: '', ready: false, restartCount: 0, started: false, state: {}, lastState: {} };
	const cid = (run) => `containerd://${hash('cid', pod.uid, c.name, String(run)).toString('hex')}`;

	if (now < pod.c0 || blocked || now < begin) {
		base.state = { waiting: { reason: initCount === 0 ? 'ContainerCreating' : 'PodInitializing' } };
		return base;
	}
	if (fault && fault.index === index) {
		if (fault.type === 'pull') {
			const error = fault.message ?? `rpc error: code = NotFound desc = failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": ${c.image}: not found`;
			let attempt = begin;
			let k = 0;
			while (attempt + backoff(k, s) <= now) {
				attempt += backoff(k, s);
				k++;
			}
			const showing = now < attempt + TIMINGS.errImagePull / s;
			base.state = showing
				? { waiting: { reason: 'ErrImagePull', message: error } }
				: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}": ErrImagePull: ${error}` } };
			base.pull = { attempts: k + 1, first: begin, last: attempt, error, backoffs: showing ? k : k + 1 };
			return base;
		}
		// Crash loop: run k starts at r_k, exits after crashRun, restarts after the back-off.
		const runFor = TIMINGS.crashRun / s;
		let r = begin;
		let k = 0;
		while (r + runFor + backoff(k, s) <= now) {
			r += runFor + backoff(k, s);
			k++;
		}
		const terminated = (runStart, run) => ({
			terminated: { containerID: cid(run), exitCode: fault.exitCode, finishedAt: iso(runStart + runFor), reason: fault.exitCode === 137 ? 'OOMKilled' : 'Error', startedAt: iso(runStart) },
		});
		const previousStart = k > 0 ? r - runFor - backoff(k - 1, s) : undefined;
		base.imageID = imageId(c.image);
		base.restartCount = k;
		base.containerID = cid(k);
		if (now < r + runFor) {
			base.state = { running: { startedAt: iso(r) } };
			base.started = true;
			if (previousStart !== undefined) base.lastState = terminated(previousStart, k - 1);
			base.crash = { runs: k + 1, crashes: k, first: begin, lastStart: r, lastCrash: previousStart === undefined ? undefined : previousStart + runFor };
		} else {
			base.state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(backoff(k, 1) / 1000)}s restarting failed container=${c.name} pod=${pod.name}_${pod.workload.namespace}(${pod.uid})` } };
			base.lastState = terminated(r, k);
			base.crash = { runs: k + 1, crashes: k + 1, first: begin, lastStart: r, lastCrash: r + runFor };
		}
		return base;
	}
	base.imageID = imageId(c.image);
	base.containerID = cid(0);
	if (init) {
		const end = begin + TIMINGS.initStep / s;
		if (now < end) {
			base.state = { running: { startedAt: iso(begin) } };
			base.started = true;
		} else {
			base.state = { terminated: { containerID: cid(0), exitCode: 0, finishedAt: iso(end), reason: 'Completed', startedAt: iso(begin) } };
			base.ready = true;
		}
		return base;
	}
	if (pod.endAt !== undefined && now >= pod.endAt) {
		// restartPolicy Never: the script ran to its end and the container exited 0.
		base.state = { terminated: { containerID: cid(0), exitCode: 0, finishedAt: iso(pod.endAt), ...(pod.terminationMessage ? { message: pod.terminationMessage } : {}), reason: 'Completed', startedAt: iso(begin) } };
		return base;
	}
	base.state = { running: { startedAt: iso(begin) } };
	base.started = true;
	base.ready = now >= (fault ? pod.m0 + TIMINGS.ready / s : pod.readyAt);
	base.readySince = fault ? pod.m0 + TIMINGS.ready / s : pod.readyAt;
	return base;
}

function flipsOf(pod, ctx) {
	return ctx.flips.filter((f) => f.pod === pod.name && f.at <= ctx.now).map((f) => f.at).sort((a, b) => a - b);
}

function podStatus(pod, ctx) {
	const now = ctx.now;
	const conditions = [];
	const cond = (type, status, at, reason, message) => conditions.push({
		lastProbeTime: null, lastTransitionTime: iso(at), ...(message ? { message } : {}), ...(reason ? { reason } : {}), status, type,
	});
	if (pod.scheduledAt === undefined || pod.scheduledAt > now) {
		const message = unschedulableMessage(pod, now, ctx);
		cond('PodScheduled', 'False', pod.createdAt, 'Unschedulable', message);
		return { phase: 'Pending', conditions, qosClass: qosClass(pod.spec), unschedulable: message };
	}
	const inits = pod.spec.initContainers ?? [];
	const mains = pod.spec.containers ?? [];
	const initStatuses = inits.map((c, i) => containerState(pod, c, i, inits.length, ctx));
	const mainStatuses = mains.map((c, i) => containerState(pod, c, inits.length + i, inits.length, ctx));
	const flips = flipsOf(pod, ctx);
	const flipped = flips.length % 2 === 1;
	const nodeDown = pod.node.forced && now >= pod.node.forced.at;
	const terminating = pod.deletedAt !== undefined && now >= pod.deletedAt;
	for (const st of mainStatuses) {
		if (st.ready && (flipped || terminating)) st.ready = false;
	}
	const initialized = initStatuses.every((st) => st.state.terminated?.exitCode === 0);
	const allReady = mainStatuses.every((st) => st.ready) && !nodeDown;
	const sandboxAt = pod.startAt + TIMINGS.create / 2 / ctx.speed;
	const allStarted = mainStatuses.every((st) => st.state.running || st.state.terminated || st.restartCount > 0);

	cond('PodReadyToStartContainers', now >= sandboxAt ? 'True' : 'False', now >= sandboxAt ? sandboxAt : pod.scheduledAt);
	if (initialized) cond('Initialized', 'True', inits.length === 0 ? pod.scheduledAt : pod.m0);
	else cond('Initialized', 'False', pod.scheduledAt, 'ContainersNotInitialized', `containers with incomplete status: [${inits.filter((_, i) => !initStatuses[i].state.terminated).map((c) => c.name).join(' ')}]`);
	const readySince = Math.max(pod.readyAt === Infinity ? 0 : pod.readyAt, flips.at(-1) ?? 0, terminating ? pod.deletedAt : 0, nodeDown ? pod.node.forced.at : 0);
	const unready = mains.filter((_, i) => !mainStatuses[i].ready).map((c) => c.name);
	if (allReady) {
		cond('Ready', 'True', readySince);
		cond('ContainersReady', 'True', readySince);
	} else {
		const at = Math.max(pod.scheduledAt, flips.at(-1) ?? 0, terminating ? pod.deletedAt : 0, nodeDown ? pod.node.forced.at : 0);
		if (unready.length > 0) {
			cond('Ready', 'False', at, 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`);
			cond('ContainersReady', 'False', at, 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`);
		} else {
			cond('Ready', 'False', at);
			cond('ContainersReady', 'True', readySince);
		}
	}
	cond('PodScheduled', 'True', pod.scheduledAt);

	// Running once every container has started (a crash-looping one counts: it restarts); Succeeded when
	// a pod that is not restarted (restartPolicy Never) has every container exited 0.
	const completed = mainStatuses.length > 0 && mainStatuses.every((st) => st.state.terminated?.exitCode === 0) && pod.endAt !== undefined;
	const phase = completed ? 'Succeeded' : allStarted && initialized ? 'Running' : 'Pending';
	if (completed) {
		for (const c of conditions) if (c.type === 'Ready' || c.type === 'ContainersReady') Object.assign(c, { status: 'False', reason: 'PodCompleted', lastTransitionTime: iso(pod.endAt) }, { message: undefined });
		for (const c of conditions) if (c.message === undefined) delete c.message;
	}
	const hostIP = pod.node.address;
	const podIP = pod.spec.hostNetwork ? hostIP : now >= sandboxAt ? podIp(pod) : undefined;
	const status = {
		conditions,
		hostIP,
		hostIPs: [{ ip: hostIP }],
		phase,
		...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
		qosClass: qosClass(pod.spec),
		startTime: iso(pod.scheduledAt),
	};
	if (inits.length > 0) status.initContainerStatuses = initStatuses;
	status.containerStatuses = mainStatuses;
	return status;
}

// ---------------------------------------------------------------- API objects

function stripInternal(st) {
	const { pull: _p, crash: _c, readySince: _r, ...rest } = st;
	return rest;
}

function resourceVersion(ctx, at) {
	return String(100_000 + Math.max(0, Math.floor(at - ctx.initAt)));
}

function lastChange(pod) {
	const times = [pod.createdAt];
	for (const c of pod.status.conditions) times.push(Date.parse(c.lastTransitionTime));
	return Math.max(...times.filter(Number.isFinite));
}

export function podObject(pod, ctx) {
	const metadata = {
		creationTimestamp: iso(pod.createdAt),
		...(pod.deletedAt !== undefined && ctx.now >= pod.deletedAt ? { deletionGracePeriodSeconds: pod.spec.terminationGracePeriodSeconds ?? 30, deletionTimestamp: iso(pod.deletedAt + 1000 * (pod.spec.terminationGracePeriodSeconds ?? 30)) } : {}),
		...(pod.static || pod.bare ? {} : { generateName: pod.name.slice(0, pod.name.length - 5) }),
		labels: pod.labels,
		...(pod.annotations ? { annotations: pod.annotations } : {}),
		name: pod.name,
		namespace: pod.workload.namespace,
		...(pod.ownerReferences ? { ownerReferences: pod.ownerReferences } : {}),
		resourceVersion: resourceVersion(ctx, lastChange(pod)),
		uid: pod.uid,
	};
	const spec = {
		...pod.spec,
		...(pod.node && pod.scheduledAt <= ctx.now ? { nodeName: pod.node.name } : {}),
		dnsPolicy: pod.spec.dnsPolicy ?? 'ClusterFirst',
		enableServiceLinks: pod.spec.enableServiceLinks ?? true,
		preemptionPolicy: 'PreemptLowerPriority',
		priority: priorityOf(pod.spec),
		restartPolicy: pod.spec.restartPolicy ?? 'Always',
		schedulerName: pod.spec.schedulerName ?? 'default-scheduler',
		securityContext: pod.spec.securityContext ?? {},
		serviceAccount: pod.spec.serviceAccountName ?? 'default',
		serviceAccountName: pod.spec.serviceAccountName ?? 'default',
		terminationGracePeriodSeconds: pod.spec.terminationGracePeriodSeconds ?? 30,
	};
	const { unschedulable: _u, ...status } = pod.status;
	if (status.initContainerStatuses) status.initContainerStatuses = status.initContainerStatuses.map(stripInternal);
	if (status.containerStatuses) status.containerStatuses = status.containerStatuses.map(stripInternal);
	return { apiVersion: 'v1', kind: 'Pod', metadata, spec, status };
}

export function nodeObject(node, ctx) {
	const now = ctx.now;
	const ready = nodeReadyAt(node, now);
	const taints = taintsAt(node, now);
	const conditions = [
		['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
		['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
		['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
	].map(([type, status, reason, message]) => ({ lastHeartbeatTime: iso(now), lastTransitionTime: iso(node.joinedAt), message, reason, status, type }));
	let readyCondition;
	if (ready) {
		readyCondition = { lastHeartbeatTime: iso(now), lastTransitionTime: iso(node.readyAt), message: 'kubelet is posting ready status', reason: 'KubeletReady', status: 'True', type: 'Ready' };
	} else if (node.forced && now >= node.forced.at) {
		readyCondition = { lastHeartbeatTime: iso(node.forced.at), lastTransitionTime: iso(node.forced.at), message: node.forced.message, reason: 'NodeStatusUnknown', status: 'Unknown', type: 'Ready' };
		if (node.forced.message !== 'Kubelet stopped posting node status.') Object.assign(readyCondition, { lastHeartbeatTime: iso(now), reason: 'KubeletNotReady', status: 'False' });
	} else {
		readyCondition = { lastHeartbeatTime: iso(now), lastTransitionTime: iso(node.joinedAt), message: NOT_READY_MESSAGE, reason: 'KubeletNotReady', status: 'False', type: 'Ready' };
	}
	conditions.push(readyCondition);
	if (node.cniWorkload && node.readyAt !== undefined && now >= node.readyAt) {
		const calico = node.cniWorkload.name === 'calico-node';
		conditions.unshift({ lastHeartbeatTime: iso(node.readyAt), lastTransitionTime: iso(node.readyAt), message: calico ? 'Calico is running on this node' : 'Cilium is running on this node', reason: calico ? 'CalicoIsUp' : 'CiliumIsUp', status: 'False', type: 'NetworkUnavailable' });
	}
	return {
		apiVersion: 'v1',
		kind: 'Node',
		metadata: {
			annotations: {
				'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///var/run/containerd/containerd.sock',
				'node.alpha.kubernetes.io/ttl': '0',
				'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
			},
			creationTimestamp: iso(node.joinedAt),
			labels: node.labels,
			name: node.name,
			resourceVersion: resourceVersion(ctx, Math.max(node.joinedAt, ready ? node.readyAt : 0, node.forced?.at ?? 0)),
			uid: node.uid,
		},
		spec: { podCIDR: node.podCIDR, podCIDRs: [node.podCIDR], ...(taints.length > 0 ? { taints } : {}), ...(node.cordonedAt !== undefined && now >= node.cordonedAt ? { unschedulable: true } : {}) },
		status: {
			addresses: [{ address: node.address, type: 'InternalIP' }, { address: node.name, type: 'Hostname' }],
			allocatable: { cpu: '2', 'ephemeral-storage': '46414214108', 'hugepages-2Mi': '0', memory: '3908604Ki', pods: '110' },
			capacity: { cpu: '2', 'ephemeral-storage': '50362412Ki', 'hugepages-2Mi': '0', memory: '4011004Ki', pods: '110' },
			conditions,
			daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
			nodeInfo: {
				architecture: node.arch === 'aarch64' ? 'arm64' : 'amd64',
				bootID: uuid('boot', node.name),
				containerRuntimeVersion: node.containerRuntimeVersion ?? 'containerd://1.7.24',
				kernelVersion: node.kernel ?? '6.8.0-60-generic',
				kubeProxyVersion: '',
				kubeletVersion: node.kubeletVersion ?? ctx.version,
				machineID: hash('machine', node.name).toString('hex').slice(0, 32),
				operatingSystem: 'linux',
				osImage: node.osImage ?? 'Debian GNU/Linux 12 (bookworm)',
				systemUUID: uuid('system', node.name),
			},
		},
	};
}

function countReady(pods, now) {
	return pods.filter((p) => p.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True') && !(p.deletedAt !== undefined && now >= p.deletedAt)).length;
}

function workloadMetadata(w, ctx) {
	const object = w.object;
	const meta = { ...object.metadata };
	if (w.system) {
		Object.assign(meta, {
			creationTimestamp: iso(ctx.initAt),
			generation: w.generation,
			resourceVersion: resourceVersion(ctx, ctx.initAt),
			uid: w.uid,
		});
	}
	return meta;
}

export function daemonSetObject(w, pods, ctx) {
	const now = ctx.now;
	const mine = pods.filter((p) => p.workload === w);
	const spec = w.templateOf(w.revisions.at(-1)).spec ?? {};
	const desired = ctx.nodes.filter((n) => daemonShouldRun(spec, n, now)).length;
	const live = mine.filter((p) => !(p.deletedAt !== undefined && now >= p.deletedAt));
	const ready = countReady(live, now);
	// Available: Ready for minReadySeconds (from the Ready condition's transition, as the controller reads it).
	const minReady = (Number(w.object.spec?.minReadySeconds) > 0 ? Number(w.object.spec.minReadySeconds) * 1000 : 0) / ctx.speed;
	const available = minReady === 0 ? ready : live.filter((p) => {
		const condition = p.status.conditions.find((c) => c.type === 'Ready' && c.status === 'True');
		return condition !== undefined && Date.parse(condition.lastTransitionTime) + minReady <= now;
	}).length;
	const updated = live.filter((p) => p.revision?.hash === w.revisions.at(-1).hash).length;
	const status = {
		currentNumberScheduled: live.length,
		desiredNumberScheduled: desired,
		...(available > 0 ? { numberAvailable: available } : {}),
		numberMisscheduled: 0,
		numberReady: ready,
		...(desired - available > 0 ? { numberUnavailable: desired - available } : {}),
		observedGeneration: w.generation,
		...(updated > 0 ? { updatedNumberScheduled: updated } : {}),
	};
	return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: workloadMetadata(w, ctx), spec: w.object.spec, status };
}

export function deploymentObject(w, pods, ctx) {
	const now = ctx.now;
	const mine = pods.filter((p) => p.workload === w);
	const live = mine.filter((p) => !(p.deletedAt !== undefined && now >= p.deletedAt));
	const ready = countReady(live, now);
	const current = w.revisions.at(-1);
	const updated = live.filter((p) => p.revision === current).length;
	const replicas = w.replicas ?? 1;
	const rsName = mine.find((p) => p.revision === current)?.replicaSet?.name ?? w.name;
	const available = ready;
	const created = iso(current.at);
	const conditions = [
		available >= Math.max(1, replicas - 1) || replicas === 0
			? { lastTransitionTime: created, lastUpdateTime: created, message: 'Deployment has minimum availability.', reason: 'MinimumReplicasAvailable', status: 'True', type: 'Available' }
			: { lastTransitionTime: created, lastUpdateTime: created, message: 'Deployment does not have minimum availability.', reason: 'MinimumReplicasUnavailable', status: 'False', type: 'Available' },
		available >= replicas && updated === replicas
			? { lastTransitionTime: created, lastUpdateTime: iso(now), message: `ReplicaSet "${rsName}" has successfully progressed.`, reason: 'NewReplicaSetAvailable', status: 'True', type: 'Progressing' }
			: { lastTransitionTime: created, lastUpdateTime: iso(now), message: `ReplicaSet "${rsName}" is progressing.`, reason: 'ReplicaSetUpdated', status: 'True', type: 'Progressing' },
	];
	const status = {
		...(available > 0 ? { availableReplicas: available } : {}),
		conditions,
		observedGeneration: w.generation,
		...(ready > 0 ? { readyReplicas: ready } : {}),
		replicas: live.length,
		...(replicas - available > 0 ? { unavailableReplicas: replicas - available } : {}),
		...(updated > 0 ? { updatedReplicas: updated } : {}),
	};
	return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: workloadMetadata(w, ctx), spec: w.object.spec, status };
}

// ---------------------------------------------------------------- events

function involved(pod, fieldPath) {
	return { apiVersion: 'v1', kind: 'Pod', name: pod.name, namespace: pod.workload.namespace, uid: pod.uid, ...(fieldPath ? { fieldPath } : {}) };
}

function kubeletEvent(obj, node, reason, type, message, first, last, count) {
	return { involvedObject: obj, reason, type, message, first, last, count, source: { component: 'kubelet', host: node.name }, reportingComponent: 'kubelet', reportingInstance: node.name };
}

/** Every event of the simulated cluster up to now, as core/v1 Event objects. */
export function events(model) {
	const { ctx, pods, nodes } = model;
	const now = ctx.now;
	const raw = [];
	for (const node of nodes) {
		const obj = { kind: 'Node', name: node.name, uid: node.name, apiVersion: 'v1' };
		raw.push({ involvedObject: obj, reason: 'RegisteredNode', type: 'Normal', message: `Node ${node.name} event: Registered Node ${node.name} in Controller`, first: node.joinedAt, last: node.joinedAt, count: 1, source: { component: 'node-controller' }, reportingComponent: 'node-controller', reportingInstance: '' });
		if (node.readyAt !== undefined && node.readyAt <= now) raw.push(kubeletEvent(obj, node, 'NodeReady', 'Normal', `Node ${node.name} status is now: NodeReady`, node.readyAt, node.readyAt, 1));
		if (node.forced && node.forced.at <= now) raw.push({ involvedObject: obj, reason: 'NodeNotReady', type: 'Normal', message: `Node ${node.name} status is now: NodeNotReady`, first: node.forced.at, last: node.forced.at, count: 1, source: { component: 'node-controller' }, reportingComponent: 'node-controller', reportingInstance: '' });
	}
	for (const pod of pods) {
		if (pod.static) continue;
		const ns = pod.workload.namespace;
		const owner = pod.ownerReferences?.[0];
		if (owner) raw.push({ involvedObject: { apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, namespace: ns, uid: owner.uid }, reason: 'SuccessfulCreate', type: 'Normal', message: `Created pod: ${pod.name}`, first: pod.createdAt, last: pod.createdAt, count: 1, source: { component: owner.kind === 'DaemonSet' ? 'daemonset-controller' : 'replicaset-controller' }, reportingComponent: owner.kind === 'DaemonSet' ? 'daemonset-controller' : 'replicaset-controller', reportingInstance: '' });
		const pending = pod.scheduledAt === undefined || pod.scheduledAt > now;
		const tried = (pod.attempts ?? []).filter((t) => t <= now);
		if (pending || tried.length > 0 || pod.scheduledAt > pod.createdAt) {
			const attempts = pending ? Math.max(1, tried.length) : Math.max(1, changeTimesBefore(ctx, pod.createdAt, pod.scheduledAt));
			const lastAt = pending ? (tried.at(-1) ?? pod.createdAt) : pod.scheduledAt - 1;
			raw.push({ involvedObject: involved(pod), reason: 'FailedScheduling', type: 'Warning', message: pending ? pod.status.unschedulable : unschedulableMessage(pod, lastAt, ctx), first: pod.createdAt, last: lastAt, count: attempts, scheduler: true });
		}
		if (pending) continue;
		raw.push({ involvedObject: involved(pod), reason: 'Scheduled', type: 'Normal', message: `Successfully assigned ${ns}/${pod.name} to ${pod.node.name}`, first: pod.scheduledAt, last: pod.scheduledAt, count: 1, scheduler: true });
		if (pod.startAt > pod.scheduledAt && pod.scheduledAt + TIMINGS.create / ctx.speed <= now) {
			const until = Math.min(now, pod.startAt);
			const count = Math.max(1, Math.floor((until - pod.scheduledAt) / (TIMINGS.create / ctx.speed)));
			raw.push(kubeletEvent(involved(pod), pod.node, 'FailedCreatePodSandBox', 'Warning', `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "${hash('sandbox', pod.uid).toString('hex')}": cni plugin not initialized`, pod.scheduledAt, until, count));
		}
		const inits = pod.spec.initContainers ?? [];
		const statuses = [...(pod.status.initContainerStatuses ?? []), ...(pod.status.containerStatuses ?? [])];
		[...inits, ...(pod.spec.containers ?? [])].forEach((c, i) => {
			const st = statuses[i];
			if (!st) return;
			const fieldPath = i < inits.length ? `spec.initContainers{${c.name}}` : `spec.containers{${c.name}}`;
			const obj = involved(pod, fieldPath);
			if (st.pull) {
				const { attempts, first, last, error, backoffs } = st.pull;
				raw.push(kubeletEvent(obj, pod.node, 'Pulling', 'Normal', `Pulling image "${c.image}"`, first, last, attempts));
				raw.push(kubeletEvent(obj, pod.node, 'Failed', 'Warning', `Failed to pull image "${c.image}": ${error}`, first, last, attempts));
				raw.push(kubeletEvent(obj, pod.node, 'Failed', 'Warning', 'Error: ErrImagePull', first, last, attempts));
				if (backoffs > 0) {
					const at = first + TIMINGS.errImagePull / ctx.speed;
					raw.push(kubeletEvent(obj, pod.node, 'BackOff', 'Normal', `Back-off pulling image "${c.image}"`, at, Math.max(at, Math.min(now, last + TIMINGS.errImagePull / ctx.speed)), backoffs));
					raw.push(kubeletEvent(obj, pod.node, 'Failed', 'Warning', 'Error: ImagePullBackOff', at, Math.max(at, Math.min(now, last + TIMINGS.errImagePull / ctx.speed)), backoffs));
				}
				return;
			}
			if (!st.containerID) return;
			const runs = st.crash ? st.crash.runs : 1;
			const first = st.crash ? st.crash.first : Date.parse(st.state.running?.startedAt ?? st.state.terminated?.startedAt ?? iso(pod.c0));
			const last = st.crash?.lastStart ?? first;
			raw.push(kubeletEvent(obj, pod.node, 'Pulled', 'Normal', `Container image "${c.image}" already present on machine`, first, last, runs));
			raw.push(kubeletEvent(obj, pod.node, 'Created', 'Normal', `Created container: ${c.name}`, first, last, runs));
			raw.push(kubeletEvent(obj, pod.node, 'Started', 'Normal', `Started container ${c.name}`, first, last, runs));
			if (st.crash && st.crash.crashes > 0) {
				const backAt = st.crash.first + TIMINGS.crashRun / ctx.speed;
				raw.push(kubeletEvent(obj, pod.node, 'BackOff', 'Warning', `Back-off restarting failed container ${c.name} in pod ${pod.name}_${ns}(${pod.uid})`, backAt, Math.max(backAt, st.crash.lastCrash), st.crash.crashes));
			}
		});
		for (const at of flipsOf(pod, ctx).filter((_, i) => i % 2 === 0)) {
			const c = pod.spec.containers?.[0];
			raw.push(kubeletEvent(involved(pod, `spec.containers{${c?.name}}`), pod.node, 'Unhealthy', 'Warning', 'Readiness probe failed: HTTP probe failed with statuscode: 503', at, at, 1));
		}
		if (pod.deletedAt !== undefined && pod.deletedAt <= now) {
			for (const c of pod.spec.containers ?? []) raw.push(kubeletEvent(involved(pod, `spec.containers{${c.name}}`), pod.node, 'Killing', 'Normal', `Stopping container ${c.name}`, pod.deletedAt, pod.deletedAt, 1));
		}
	}
	return raw.filter((e) => e.first <= now).map((e) => eventObject(e, ctx));
}

function changeTimesBefore(ctx, from, to) {
	return 1 + changeTimes(ctx).filter((t) => t > from && t < to).length;
}

function eventObject(e, ctx) {
	const ns = e.involvedObject.namespace ?? 'default';
	const name = `${e.involvedObject.name}.${hash('event', e.involvedObject.uid, e.reason, e.message.slice(0, 40), e.involvedObject.fieldPath ?? '').toString('hex').slice(0, 16)}`;
	const metadata = { creationTimestamp: iso(e.first), name, namespace: ns, resourceVersion: resourceVersion(ctx, e.last), uid: uuid('event', name) };
	if (e.scheduler) {
		// Scheduler events come through events.k8s.io/v1: eventTime and series instead of timestamps/count.
		return {
			action: e.reason === 'Scheduled' ? 'Binding' : 'Scheduling',
			apiVersion: 'v1',
			eventTime: micro(e.first),
			firstTimestamp: null,
			involvedObject: e.involvedObject,
			kind: 'Event',
			lastTimestamp: null,
			message: e.message,
			metadata,
			reason: e.reason,
			reportingComponent: 'default-scheduler',
			reportingInstance: 'default-scheduler-' + (ctx.nodes.find((n) => n.role === 'control-plane')?.name ?? 'control-plane'),
			...(e.count > 1 ? { series: { count: e.count, lastObservedTime: micro(e.last) } } : {}),
			source: {},
			type: e.type,
		};
	}
	return {
		apiVersion: 'v1',
		count: e.count,
		eventTime: null,
		firstTimestamp: iso(e.first),
		involvedObject: e.involvedObject,
		kind: 'Event',
		lastTimestamp: iso(e.last),
		message: e.message,
		metadata,
		reason: e.reason,
		reportingComponent: e.reportingComponent,
		reportingInstance: e.reportingInstance,
		source: e.source,
		type: e.type,
	};
}

// ---------------------------------------------------------------- logs

/** Log lines of a container, as `kubectl logs` prints them, or an error message kubectl would print. */
export function containerLogs(model, namespace, podName, containerName, previous) {
	const pod = model.pods.find((p) => p.name === podName && p.workload.namespace === namespace);
	if (!pod) return { error: `Error from server (NotFound): pods "${podName}" not found` };
	const all = [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])];
	const statuses = [...(pod.status.initContainerStatuses ?? []), ...(pod.status.containerStatuses ?? [])];
	const index = all.findIndex((c) => c.name === containerName);
	if (index < 0) return { error: `Error from server (BadRequest): container ${containerName} is not valid for pod ${podName}` };
	const st = statuses[index];
	if (!st) return { error: `Error from server (BadRequest): container "${containerName}" in pod "${podName}" is waiting to start: ContainerCreating` };
	const crash = pod.fault?.type === 'crash' && pod.fault.index === index ? pod.fault : undefined;
	if (previous) {
		if (!st.lastState.terminated) return { error: `Error from server (BadRequest): previous terminated container "${containerName}" in pod "${podName}" not found` };
		return { lines: crash?.logs ?? [] };
	}
	if (!st.containerID) {
		const reason = st.state.waiting?.reason ?? 'ContainerCreating';
		const detail = reason === 'ImagePullBackOff' || reason === 'ErrImagePull' ? 'trying and failing to pull image' : reason;
		return { error: `Error from server (BadRequest): container "${containerName}" in pod "${podName}" is waiting to start: ${detail}` };
	}
	if (crash) return { lines: crash.logs ?? [] };
	if (pod.script) return { lines: pod.script.filter((line) => line.at <= model.ctx.now).map((line) => line.text) };
	const started = st.state.running?.startedAt ?? st.state.terminated?.startedAt ?? iso(model.ctx.now);
	return {
		lines: [
			`time="${started}" level=info msg="Starting ${containerName} (simulated by the kubestrap test hosts)"`,
			`time="${started}" level=info msg="${containerName} is running on node ${pod.node.name}"`,
		],
	};
}
