// What a re-applied CNI changes in a running cluster (pure): the configuration keys, old → new, from the
// live objects and the freshly rendered ones; which of them only take effect when the agents (and the
// operator) restart, since Cilium and calico-node read their configuration at start; and the changes
// that cannot be made live at all, refused with the reason before anything is touched. Calico's
// encapsulation lives in its IP pool (calico-node creates the pool from CALICO_IPV4POOL_* once, at its
// first start), so changing it on a running cluster is an edit of that pool, ordered against the BGP
// backend change (see poolChange).
import type { Cni } from '../../spec/types.js';
import { containersOf, findObject, isFields, objectIndex, podSpec, type Fields } from '../objects.js';
import type { KubeObject } from '../yaml-stream.js';

/** What the cluster runs now, as read from the API (kube-system). */
export interface LiveCni {
	/** cilium-config data, when the ConfigMap exists */
	ciliumConfig?: Record<string, string>;
	/** calico-config data */
	calicoConfig?: Record<string, string>;
	/** literal env values of the calico-node container */
	calicoNodeEnv?: Record<string, string>;
	/** the other CNI's DaemonSet name when it runs */
	otherCni?: string;
	/** Calico's IP pools (crd.projectcalico.org/v1 IPPool), when Calico runs */
	ipPools?: IpPool[];
}

/** The fields of a Calico IP pool that kubestrap reads and edits. */
export interface IpPool {
	name: string;
	cidr: string;
	ipipMode: string;
	vxlanMode: string;
}

export interface PoolModes {
	ipipMode: string;
	vxlanMode: string;
}

/**
 * An edit of the IP pool that carries the pod subnet. `order` says when it happens relative to the
 * manifest apply and the calico-node restarts: "before" them, or "after" the agents restarted.
 */
export interface PoolChange {
	name: string;
	from: PoolModes;
	to: PoolModes;
	order: 'before' | 'after';
}

export interface KeyChange {
	/** ConfigMap or container the key lives in, e.g. "cilium-config" */
	where: string;
	key: string;
	from?: string;
	to?: string;
}

export interface CniChange {
	changes: KeyChange[];
	/** `<field path>: <reason>` lines; anything here refuses the run */
	refusals: string[];
	/** the agents must be restarted node by node for the change to take effect */
	restartAgents: boolean;
	/** the operator (cilium-operator) reads the changed keys at start too */
	restartOperator: boolean;
	/** Calico: the IP pool edit that changes the encapsulation */
	pool?: PoolChange;
}

function stringData(object: KubeObject | undefined): Record<string, string> {
	const data = object?.['data'];
	const out: Record<string, string> = {};
	if (isFields(data)) for (const [key, value] of Object.entries(data)) out[key] = String(value);
	return out;
}

export function configMapFrom(objects: readonly KubeObject[], name: string): Record<string, string> | undefined {
	const index = objectIndex(objects, 'ConfigMap', name);
	return index === -1 ? undefined : stringData(objects[index]);
}

/** Literal env values of a container (valueFrom entries are left out: they name a key, not a value). */
export function literalEnv(container: Fields): Record<string, string> {
	const out: Record<string, string> = {};
	const env = container['env'];
	for (const entry of Array.isArray(env) ? env : []) {
		if (isFields(entry) && typeof entry['name'] === 'string' && entry['value'] !== undefined) out[entry['name']] = String(entry['value']);
	}
	return out;
}

export function calicoNodeEnvOf(objects: readonly KubeObject[]): Record<string, string> {
	const container = containersOf(podSpec(findObject(objects, 'DaemonSet', 'calico-node'))).find((c) => c['name'] === 'calico-node');
	return container ? literalEnv(container) : {};
}

function diff(where: string, live: Record<string, string>, wanted: Record<string, string>): KeyChange[] {
	const keys = [...new Set([...Object.keys(live), ...Object.keys(wanted)])].sort();
	const out: KeyChange[] = [];
	for (const key of keys) {
		if (live[key] === wanted[key]) continue;
		out.push({ where, key, ...(live[key] !== undefined ? { from: live[key] } : {}), ...(wanted[key] !== undefined ? { to: wanted[key] } : {}) });
	}
	return out;
}

/** Keys that cannot change on a running cluster: the spec field to keep, and why. */
const CILIUM_FIXED: Record<string, { field: string; why: string }> = {
	ipam: { field: 'spec.network.cilium.ipam', why: 'Cilium cannot change the IPAM mode of a running cluster (pods would lose their addresses); keep the running mode or reinstall the cluster' },
	'kube-proxy-replacement': { field: 'spec.network.cilium.kubeProxyReplacement', why: "turning kube-proxy replacement on or off in a running cluster needs Cilium's documented migration (kube-proxy removed or restored on every node, its rules cleaned, the agents pointed at the API server), which kubestrap does not do; keep the running setting or reinstall the cluster" },
	'cluster-pool-ipv4-cidr': { field: 'spec.kubernetes.podSubnet', why: "the pod CIDR of a running cluster cannot change (nodes keep their allocated ranges); keep the running pod subnet or reinstall the cluster" },
};

// The pool's encapsulation settings (CALICO_IPV4POOL_IPIP/VXLAN, calico_backend) are no longer here: a
// change of them becomes an edit of the IP pool (poolChange).
const CALICO_FIXED: Record<string, { field: string; why: string }> = {
	CALICO_IPV4POOL_CIDR: CILIUM_FIXED['cluster-pool-ipv4-cidr']!,
};

const ENCAPSULATION = 'spec.network.calico.encapsulation';

/** The spec's encapsulation a pool's modes amount to (for "keep …" in a refusal). */
function encapsulationOf(modes: PoolModes): string {
	if (modes.ipipMode !== 'Never') return `ipip${modes.ipipMode === 'CrossSubnet' ? ' with crossSubnet: true' : ''}`;
	if (modes.vxlanMode !== 'Never') return `vxlan${modes.vxlanMode === 'CrossSubnet' ? ' with crossSubnet: true' : ''}`;
	return 'none';
}

/** The pool modes a calico-node container's env asks for (its CALICO_IPV4POOL_* values). */
function modesOf(containerEnv: Record<string, string>): PoolModes {
	return { ipipMode: containerEnv['CALICO_IPV4POOL_IPIP'] ?? 'Never', vxlanMode: containerEnv['CALICO_IPV4POOL_VXLAN'] ?? 'Never' };
}

function sameModes(a: PoolModes, b: PoolModes): boolean {
	return a.ipipMode === b.ipipMode && a.vxlanMode === b.vxlanMode;
}

/**
 * The IP pool edit a changed encapsulation needs, or the refusal when kubestrap cannot make it safely.
 * The pool to edit is the one whose spec.cidr is the pod subnet (calico-node's default-ipv4-ippool); the
 * encapsulation is refused when no pool carries the pod subnet, or when other pools exist (their traffic
 * would keep the old encapsulation). Nothing is refused when nothing needs to change.
 *
 * The order follows Calico's docs: IP-in-IP and unencapsulated pools get their routes from BGP (BIRD,
 * calico_backend "bird"), while Felix programs the routes of VXLAN pools itself ("Cluster route
 * programming", networking/configuring/vxlan-ipip.mdx); a VXLAN-only cluster may turn BIRD off with
 * calico_backend "vxlan" and the bird probes dropped (getting-started/.../config-options.mdx, "Switching
 * from IP-in-IP to VXLAN"), and after install the encapsulation is changed on the IPPool resource, not
 * through CALICO_IPV4POOL_* (same page). Felix watches the pools and restarts itself when their
 * encapsulation changes (felix/calc/encapsulation_resolver.go). So BIRD must run whenever a pool needs
 * it: when the change turns BIRD off (to VXLAN) the pool is edited first, while BIRD still runs; when it
 * turns BIRD on (from VXLAN to IP-in-IP or none) the pool is edited only after every calico-node
 * restarted with BIRD.
 */
export function poolChange(live: LiveCni, rendered: readonly KubeObject[]): { pool?: PoolChange; refusals: string[] } {
	const nodeEnv = calicoNodeEnvOf(rendered);
	const wanted = modesOf(nodeEnv);
	const cidr = nodeEnv['CALICO_IPV4POOL_CIDR'] ?? '';
	const pools = live.ipPools ?? [];
	const own = pools.filter((p) => p.cidr === cidr);
	const current = own[0];
	// Without a pool, calico-node has not created one yet: it will, from the env the apply sets.
	const running = current ? { ipipMode: current.ipipMode, vxlanMode: current.vxlanMode } : modesOf(live.calicoNodeEnv ?? {});
	if (sameModes(running, wanted)) return { refusals: [] };
	const keep = `keep the running encapsulation (${encapsulationOf(running)}) or change the pools with calicoctl as Calico's docs describe`;
	const list = pools.map((p) => `${p.name} ${p.cidr}`).join(', ');
	if (!current) {
		if (pools.length === 0) return { refusals: [] };
		return { refusals: [`${ENCAPSULATION}: no IPPool has spec.cidr ${cidr} (the pod subnet) to change (found: ${list}); kubestrap changes the encapsulation only on the pool it installed; ${keep}`] };
	}
	if (pools.length > 1) {
		return { refusals: [`${ENCAPSULATION}: the cluster has ${pools.length} IP pools (${list}); kubestrap changes the encapsulation only when the pod subnet's pool is the only one, since the others would keep the old encapsulation; ${keep}`] };
	}
	const bird = (mode: PoolModes): boolean => mode.vxlanMode === 'Never';
	const backend = live.calicoConfig?.['calico_backend'] ?? 'bird';
	const order = bird(wanted) && backend !== 'bird' ? 'after' : 'before';
	return { pool: { name: current.name, from: running, to: wanted, order }, refusals: [] };
}

function refusalsOf(changes: readonly KeyChange[], fixed: Record<string, { field: string; why: string }>): string[] {
	const lines = new Map<string, string>();
	for (const change of changes) {
		const rule = fixed[change.key];
		// A key that only appears or goes follows another change (ipam: kubernetes drops the cluster-pool keys).
		if (!rule || change.from === undefined || change.to === undefined) continue;
		const why = rule.why || (Object.values(fixed).find((r) => r.field === rule.field && r.why)?.why ?? '');
		if (!lines.has(rule.field)) lines.set(rule.field, `${rule.field}: the cluster runs ${change.key} ${JSON.stringify(change.from ?? '')}, the spec asks for ${JSON.stringify(change.to ?? '')}: ${why}`);
	}
	return [...lines.values()];
}

export function cniChange(cni: Cni, live: LiveCni, rendered: readonly KubeObject[]): CniChange {
	const refusals: string[] = [];
	if (live.otherCni) {
		refusals.push(`spec.network.cni: the cluster already runs ${cni === 'cilium' ? 'Calico' : 'Cilium'} (DaemonSet kube-system/${live.otherCni}); switching the CNI of a live cluster is not supported — keep cni: ${cni === 'cilium' ? 'calico' : 'cilium'} or reinstall the cluster`);
	}
	if (cni === 'cilium') {
		if (!live.ciliumConfig) return { changes: [], refusals, restartAgents: false, restartOperator: false };
		const changes = diff('cilium-config', live.ciliumConfig, configMapFrom(rendered, 'cilium-config') ?? {});
		refusals.push(...refusalsOf(changes, CILIUM_FIXED));
		// The agent and the operator both read cilium-config once, at start.
		return { changes, refusals, restartAgents: changes.length > 0, restartOperator: changes.length > 0 };
	}
	if (!live.calicoConfig) return { changes: [], refusals, restartAgents: false, restartOperator: false };
	const config = diff('calico-config', live.calicoConfig, configMapFrom(rendered, 'calico-config') ?? {});
	const env = diff('calico-node env', live.calicoNodeEnv ?? {}, calicoNodeEnvOf(rendered));
	const changes = [...config, ...env];
	const fixed = refusalsOf(changes, CALICO_FIXED);
	refusals.push(...fixed);
	// A pod subnet change is refused already: no pool of the new subnet to look for.
	const pool = fixed.length === 0 ? poolChange(live, rendered) : { refusals: [] };
	refusals.push(...pool.refusals);
	if (pool.pool) {
		for (const key of ['ipipMode', 'vxlanMode'] as const) {
			if (pool.pool.from[key] !== pool.pool.to[key]) changes.push({ where: `IPPool ${pool.pool.name}`, key, from: pool.pool.from[key], to: pool.pool.to[key] });
		}
	}
	// calico-node reads calico-config (veth_mtu → the CNI and tunnel MTUs, calico_backend → BIRD) through
	// env at start; a changed env of its own changes the pod template, so the DaemonSet replaces those pods
	// by itself. A pool edit is followed by the same restarts, so that success means every calico-node runs
	// with the new pool and backend. calico-kube-controllers reads none of these keys.
	return { changes, refusals, restartAgents: config.length > 0 || pool.pool !== undefined, restartOperator: false, ...(pool.pool ? { pool: pool.pool } : {}) };
}

/**
 * An encapsulation change on a running cluster goes through the checks a first install of the new spec
 * would pass: what the cloud checks found about the Calico fields (security groups without IP protocol 4
 * or 4789/udp, source/destination check for unencapsulated traffic) refuses it. Day-two commands only warn
 * about those findings otherwise.
 */
export function encapsulationProblems(change: CniChange, findings: readonly { path: string; message: string }[]): string[] {
	if (!change.pool) return [];
	return findings.filter((f) => f.path.startsWith('spec.network.calico.')).map((f) => `${f.path}: ${f.message}`);
}

/** Plan lines: one per changed key, old → new. */
export function changeLines(change: CniChange): string[] {
	return change.changes.map((c) => `${c.where} ${c.key}: ${c.from === undefined ? '(unset)' : JSON.stringify(c.from)} → ${c.to === undefined ? '(removed)' : JSON.stringify(c.to)}`);
}
