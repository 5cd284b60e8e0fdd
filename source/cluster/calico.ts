// Calico: the pinned manifest install of the release (Kubernetes API datastore), edited for the spec.
import type { Cluster } from '../spec/types.js';
import type { NodeCounts } from './counts.js';
import { MANIFEST_FILES, readManifest, type ManifestFile } from './manifests.js';
import { configMapData, fieldsAt, findContainer, findObject, podSpec, setEnv, type Fields } from './objects.js';
import type { KubeObject } from './yaml-stream.js';

/** Calico's docs: Typha above 50 nodes (essential above 100 with the Kubernetes datastore). */
export const TYPHA_NODE_THRESHOLD = 50;

/**
 * Calico's sizing rule for Typha: one replica per 200 nodes, at least 3 in production, at most 20,
 * and fewer replicas than nodes (Typha pods are host-networked on port 5473, one per node).
 */
export function typhaReplicas(nodes: number): number {
	const wanted = Math.min(20, Math.max(3, Math.ceil(nodes / 200)));
	return Math.max(1, Math.min(wanted, nodes - 1));
}

export function calicoManifestFile(cluster: Cluster, counts: NodeCounts): ManifestFile {
	if (counts.nodes > TYPHA_NODE_THRESHOLD) return MANIFEST_FILES.calicoTypha;
	return cluster.spec.network.calico.encapsulation === 'vxlan' ? MANIFEST_FILES.calicoVxlan : MANIFEST_FILES.calico;
}

function calicoNode(objects: readonly KubeObject[]): Fields {
	return findContainer(podSpec(findObject(objects, 'DaemonSet', 'calico-node')), 'calico-node');
}

function dropProbeArg(container: Fields, probe: string, arg: string): void {
	const exec = fieldsAt(fieldsAt(container, probe, `calico-node ${probe}`), 'exec', `calico-node ${probe}`);
	const command = exec['command'];
	if (Array.isArray(command)) exec['command'] = command.filter((part) => part !== arg);
}

/**
 * What calico-vxlan.yaml changes relative to calico.yaml, applied to another file of the same
 * release (the Typha manifest has no VXLAN variant): BIRD off, IPIP off, VXLAN pools CrossSubnet,
 * and the BIRD liveness/readiness checks dropped (BIRD does not run, so they would always fail).
 */
export function applyVxlanVariant(objects: readonly KubeObject[]): void {
	configMapData(objects, 'calico-config')['calico_backend'] = 'vxlan';
	const node = calicoNode(objects);
	setEnv(node, 'CALICO_IPV4POOL_IPIP', 'Never');
	setEnv(node, 'CALICO_IPV4POOL_VXLAN', 'CrossSubnet');
	setEnv(node, 'CALICO_IPV6POOL_VXLAN', 'CrossSubnet');
	dropProbeArg(node, 'livenessProbe', '-bird-live');
	dropProbeArg(node, 'readinessProbe', '-bird-ready');
}

export function renderCalico(cluster: Cluster, counts: NodeCounts): KubeObject[] {
	const calico = cluster.spec.network.calico;
	const file = calicoManifestFile(cluster, counts);
	const objects = readManifest(file);
	if (calico.encapsulation === 'vxlan' && file !== MANIFEST_FILES.calicoVxlan) applyVxlanVariant(objects);

	const config = configMapData(objects, 'calico-config');
	// BIRD distributes the routes of IPIP and unencapsulated pools; VXLAN routes are programmed by Felix.
	config['calico_backend'] = calico.encapsulation === 'vxlan' ? 'vxlan' : 'bird';
	// Feeds CNI_MTU and the IPIP/VXLAN/WireGuard device MTUs; "0" lets Calico detect it.
	config['veth_mtu'] = String(calico.mtu);

	const node = calicoNode(objects);
	const mode = calico.crossSubnet ? 'CrossSubnet' : 'Always';
	setEnv(node, 'CALICO_IPV4POOL_IPIP', calico.encapsulation === 'ipip' ? mode : 'Never');
	setEnv(node, 'CALICO_IPV4POOL_VXLAN', calico.encapsulation === 'vxlan' ? mode : 'Never');
	// Upstream leaves the pool CIDR commented out (its default is 192.168.0.0/16); it goes where that comment is.
	setEnv(node, 'CALICO_IPV4POOL_CIDR', cluster.spec.kubernetes.podSubnet, 'FELIX_WIREGUARDMTU');
	if (cluster.spec.target === 'aws' || cluster.spec.hosts.some((h) => h.privateAddress !== undefined)) {
		// kubestrap sets kubelet's node-ip to the private address, so that is the Node's InternalIP.
		// Calico's default (first-found: the first address of the first interface) can pick another
		// interface or the address SSH used, and BGP sessions and tunnels would then use the wrong one.
		setEnv(node, 'IP_AUTODETECTION_METHOD', 'kubernetes-internal-ip', 'IP');
	}

	if (file === MANIFEST_FILES.calicoTypha) {
		const typha = fieldsAt(findObject(objects, 'Deployment', 'calico-typha'), 'spec', 'Deployment calico-typha');
		typha['replicas'] = typhaReplicas(counts.nodes);
	}
	return objects;
}
