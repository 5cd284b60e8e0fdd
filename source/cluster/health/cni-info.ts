// Which CNI runs, which release (from the agent's image tag) and how its datapath is set up: for
// Cilium from the cilium-config ConfigMap, for Calico from the calico-node environment kubestrap
// renders (the pool modes apply when the default IP pool is first created).
import { obj, str } from './json-read.js';
import type { Cni, ContainerSpec, KubeDaemonSet, Snapshot } from './kube-types.js';
import { parseJsonObject } from './snapshot.js';
import { oneLine } from './text.js';

export interface CniInfo {
	cni: Cni | 'none';
	/** from the agent image's tag, e.g. "1.20.1" */
	release?: string;
	/**
	 * Cilium: ipam, routing ("tunnel vxlan" | "tunnel geneve" | "native"), kubeProxyReplacement
	 * ("true" | "false"), nativeRoutingCIDR when set. Calico: encapsulation ("ipip" | "vxlan" | "none"),
	 * crossSubnet ("true" | "false").
	 */
	datapath: Record<string, string>;
}

/** "quay.io/cilium/cilium:v1.20.1@sha256:…" → "1.20.1"; undefined without a tag. */
export function releaseOf(image: string): string | undefined {
	const name = image.split('@')[0] ?? '';
	const colon = name.lastIndexOf(':');
	if (colon === -1 || colon < name.lastIndexOf('/')) return undefined;
	const tag = name.slice(colon + 1);
	return tag === '' ? undefined : oneLine(tag.replace(/^v(?=\d)/, ''));
}

function agent(snapshot: Snapshot, name: string): KubeDaemonSet | undefined {
	return snapshot.daemonSets.find((ds) => ds.metadata.namespace === 'kube-system' && ds.metadata.name === name);
}

function mainContainer(ds: KubeDaemonSet, preferred: string): ContainerSpec | undefined {
	const containers = ds.spec.template.containers;
	return containers.find((c) => c.name === preferred) ?? containers[0];
}

function ciliumDatapath(configMap: string): Record<string, string> {
	if (configMap.trim() === '') return {};
	const data = obj(parseJsonObject(configMap, 'kubectl get configmap cilium-config'), 'data');
	const value = (key: string): string => oneLine(str(data, key));
	const datapath: Record<string, string> = {};
	if (value('ipam') !== '') datapath['ipam'] = value('ipam');
	// routing-mode since Cilium 1.14; before it the single "tunnel" key (vxlan | geneve | disabled).
	const mode = value('routing-mode');
	const legacy = value('tunnel');
	if (mode === 'native' || (mode === '' && legacy === 'disabled')) datapath['routing'] = 'native';
	else if (mode === 'tunnel' || (mode === '' && legacy !== '')) datapath['routing'] = `tunnel ${value('tunnel-protocol') || (legacy !== '' ? legacy : 'vxlan')}`;
	else if (mode !== '') datapath['routing'] = mode;
	if (value('kube-proxy-replacement') !== '') datapath['kubeProxyReplacement'] = value('kube-proxy-replacement');
	if (value('ipv4-native-routing-cidr') !== '') datapath['nativeRoutingCIDR'] = value('ipv4-native-routing-cidr');
	return datapath;
}

/** A pool mode from the env: Always | CrossSubnet | Never ("Off" means Never, unset is Never). */
function poolMode(container: ContainerSpec | undefined, name: string): string {
	const value = container?.env.find((e) => e.name === name)?.value ?? 'Never';
	return value === 'Off' ? 'Never' : value;
}

function calicoDatapath(container: ContainerSpec | undefined): Record<string, string> {
	const ipip = poolMode(container, 'CALICO_IPV4POOL_IPIP');
	const vxlan = poolMode(container, 'CALICO_IPV4POOL_VXLAN');
	const encapsulation = ipip !== 'Never' ? 'ipip' : vxlan !== 'Never' ? 'vxlan' : 'none';
	const mode = encapsulation === 'ipip' ? ipip : encapsulation === 'vxlan' ? vxlan : 'Never';
	return { encapsulation, crossSubnet: String(mode === 'CrossSubnet') };
}

/** `ciliumConfigMap` is `kubectl get configmap cilium-config -o json` output, or "" when there is none. */
export function cniInfo(snapshot: Snapshot, ciliumConfigMap: string): CniInfo {
	const cilium = agent(snapshot, 'cilium');
	if (cilium) {
		const container = mainContainer(cilium, 'cilium-agent');
		return { cni: 'cilium', release: container && releaseOf(container.image), datapath: ciliumDatapath(ciliumConfigMap) };
	}
	const calico = agent(snapshot, 'calico-node');
	if (calico) {
		const container = mainContainer(calico, 'calico-node');
		return { cni: 'calico', release: container && releaseOf(container.image), datapath: calicoDatapath(container) };
	}
	return { cni: 'none', datapath: {} };
}
