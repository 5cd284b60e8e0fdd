// Which objects belong to the CNI and the cluster's system, and which workloads must exist for a
// cluster to be usable.
import type { Cni } from './kube-types.js';

const CNI_NAME = /^(cilium|hubble|calico)/;
// Namespaces of Calico's operator install and Cilium's Helm option to move it out of kube-system.
const CNI_NAMESPACES = new Set(['calico-system', 'calico-apiserver', 'tigera-operator', 'cilium']);

export function isCniObject(namespace: string, name: string): boolean {
	return CNI_NAME.test(name) || CNI_NAMESPACES.has(namespace);
}

/** kube-system and the CNI's objects: the ones the verdict depends on. */
export function isSystemObject(namespace: string, name: string): boolean {
	return namespace === 'kube-system' || isCniObject(namespace, name);
}

/** 0 CNI, 1 kube-system, 2 the rest: the order of the table. */
export function displayGroup(namespace: string, name: string): number {
	if (isCniObject(namespace, name)) return 0;
	return namespace === 'kube-system' ? 1 : 2;
}

export interface RequiredWorkloads {
	daemonSet: string;
	deployments: string[];
}

/** In kube-system: the CNI agent DaemonSet (on every node), its operator, and CoreDNS. */
export function requiredWorkloads(cni: Cni): RequiredWorkloads {
	return cni === 'cilium'
		? { daemonSet: 'cilium', deployments: ['cilium-operator', 'coredns'] }
		: { daemonSet: 'calico-node', deployments: ['calico-kube-controllers', 'coredns'] };
}

export function compareByGroup(a: { namespace: string; name: string }, b: { namespace: string; name: string }): number {
	return displayGroup(a.namespace, a.name) - displayGroup(b.namespace, b.name) || compareText(a.namespace, b.namespace) || compareText(a.name, b.name);
}

/** Code-point order, independent of the locale the tests or users run in. */
export function compareText(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}
