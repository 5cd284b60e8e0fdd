// What a re-applied CNI changes in a running cluster (pure): the configuration keys, old → new, from the
// live objects and the freshly rendered ones; which of them only take effect when the agents (and the
// operator) restart, since Cilium and calico-node read their configuration at start; and the changes
// that cannot be made live at all, refused with the reason before anything is touched.
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

const CALICO_FIXED: Record<string, { field: string; why: string }> = {
	CALICO_IPV4POOL_CIDR: CILIUM_FIXED['cluster-pool-ipv4-cidr']!,
	CALICO_IPV4POOL_IPIP: { field: 'spec.network.calico.encapsulation', why: "Calico creates its IP pool once from these settings, so changing the encapsulation of a running cluster means editing the IPPool (and the BGP backend), which kubestrap does not do; keep the running encapsulation or change the pool as Calico's docs describe" },
	CALICO_IPV4POOL_VXLAN: { field: 'spec.network.calico.encapsulation', why: '' },
	calico_backend: { field: 'spec.network.calico.encapsulation', why: '' },
};

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
	refusals.push(...refusalsOf(changes, CALICO_FIXED));
	// calico-node reads calico-config (veth_mtu → the CNI and tunnel MTUs) through env at start; a changed
	// env of its own changes the pod template, so the DaemonSet replaces those pods by itself.
	// calico-kube-controllers reads none of these keys.
	return { changes, refusals, restartAgents: config.length > 0, restartOperator: false };
}

/** Plan lines: one per changed key, old → new. */
export function changeLines(change: CniChange): string[] {
	return change.changes.map((c) => `${c.where} ${c.key}: ${c.from === undefined ? '(unset)' : JSON.stringify(c.from)} → ${c.to === undefined ? '(removed)' : JSON.stringify(c.to)}`);
}
