// The datapath a check explains failures with: from the spec when there is one, else read from the
// cluster (cilium-config, the calico-node DaemonSet's pool settings, the kube-proxy DaemonSet).
import type { Cluster } from '../../spec/types.js';
import type { Datapath } from './types.js';

export function datapathFromSpec(cluster: Cluster, kubeProxy: boolean): Datapath {
	const { network, target } = cluster.spec;
	if (network.cni === 'cilium') {
		const c = network.cilium;
		return { cni: 'cilium', mode: c.tunnel === 'disabled' ? 'native' : c.tunnel, crossSubnet: false, kubeProxyReplacement: c.kubeProxyReplacement, kubeProxy, ipam: c.ipam, target };
	}
	const c = network.calico;
	return { cni: 'calico', mode: c.encapsulation, crossSubnet: c.crossSubnet, kubeProxyReplacement: false, kubeProxy, target };
}

type Json = Record<string, unknown>;

function record(value: unknown): Json {
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

/**
 * From the live cluster: `ciliumConfig` is `get configmap cilium-config -o json` (empty when absent),
 * `calicoNode` is `get daemonset calico-node -o json` (empty when absent).
 */
export function datapathFromCluster(ciliumConfig: string, calicoNode: string, kubeProxy: boolean): Datapath | undefined {
	if (ciliumConfig.trim() !== '') {
		const data = record(record(JSON.parse(ciliumConfig))['data']);
		const native = data['routing-mode'] === 'native' || data['tunnel'] === 'disabled';
		const protocol = data['tunnel-protocol'] === 'geneve' || data['tunnel'] === 'geneve' ? 'geneve' : 'vxlan';
		return {
			cni: 'cilium', mode: native ? 'native' : protocol, crossSubnet: false,
			kubeProxyReplacement: data['kube-proxy-replacement'] === 'true' || data['kube-proxy-replacement'] === 'strict',
			kubeProxy, ...(typeof data['ipam'] === 'string' ? { ipam: data['ipam'] } : {}), target: data['ipam'] === 'eni' ? 'aws' : 'unknown',
		};
	}
	if (calicoNode.trim() !== '') {
		const containers = (record(record(record(record(JSON.parse(calicoNode))['spec'])['template'])['spec'])['containers'] ?? []) as Json[];
		const env = new Map<string, string>();
		for (const c of containers) for (const e of (c['env'] ?? []) as Json[]) if (typeof e['name'] === 'string' && typeof e['value'] === 'string') env.set(e['name'], e['value']);
		const ipip = env.get('CALICO_IPV4POOL_IPIP') ?? 'Always';
		const vxlan = env.get('CALICO_IPV4POOL_VXLAN') ?? 'Never';
		const mode = ipip !== 'Never' ? 'ipip' : vxlan !== 'Never' ? 'vxlan' : 'none';
		const crossSubnet = (mode === 'ipip' ? ipip : vxlan) === 'CrossSubnet';
		return { cni: 'calico', mode, crossSubnet, kubeProxyReplacement: false, kubeProxy, target: 'unknown' };
	}
	return undefined;
}
