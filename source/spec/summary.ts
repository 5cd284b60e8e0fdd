// One-line and key-value descriptions of a valid cluster, for `validate` and the review screen.
import { CALICO_VERSION, CILIUM_VERSION, resolveKubernetesVersion } from './versions.js';
import type { Cluster } from './types.js';

function plural(n: number, word: string): string {
	return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function networkSummary(cluster: Cluster): string {
	const { network } = cluster.spec;
	if (network.cni === 'calico') {
		const c = network.calico;
		const encap = c.encapsulation === 'none' ? 'no encapsulation' : `${c.encapsulation}${c.crossSubnet ? ' cross-subnet' : ''}`;
		return `Calico ${CALICO_VERSION} (${encap}, MTU ${c.mtu === 0 ? 'auto' : c.mtu})`;
	}
	const c = network.cilium;
	const parts = [
		`ipam ${c.ipam}`,
		c.tunnel === 'disabled' ? 'native routing' : `${c.tunnel} tunnel`,
		`policy ${c.enablePolicy}`,
		c.disableMasquerade ? 'no masquerade' : 'masquerade',
		c.kubeProxyReplacement ? 'kube-proxy replacement' : 'kube-proxy',
		c.hubble ? 'Hubble' : 'no Hubble',
	];
	return `Cilium ${CILIUM_VERSION} (${parts.join(', ')})`;
}

export function hostsSummary(cluster: Cluster): string {
	const { spec } = cluster;
	if (spec.target === 'aws') {
		const aws = spec.aws;
		const by = aws && aws.instanceIds.length > 0 ? plural(aws.instanceIds.length, 'instance') : 'instances tagged ' + Object.entries(aws?.instanceTags ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
		return `AWS ${aws?.region ?? '?'}: ${by}`;
	}
	const controlPlanes = spec.hosts.filter((h) => h.role === 'control-plane').length;
	return `baremetal: ${plural(controlPlanes, 'control plane')} + ${plural(spec.hosts.length - controlPlanes, 'worker')}`;
}

export function clusterSummary(cluster: Cluster): string {
	const version = resolveKubernetesVersion(cluster.spec.kubernetes.version, cluster.spec.network.cni);
	const k8s = typeof version === 'string' ? cluster.spec.kubernetes.version : (version.patch ?? `${version.minor.minor} (newest patch)`);
	return `${cluster.metadata.name}: ${hostsSummary(cluster)}, Kubernetes ${k8s}, ${networkSummary(cluster)}`;
}
