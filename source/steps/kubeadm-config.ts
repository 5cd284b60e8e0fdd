// kubeadm configuration documents (v1beta4) built as objects and serialised with the yaml package.
// Join credentials are parameters here and end up only in a 0600 file on the host, never in argv.
import { stringify } from 'yaml';
import { apiServerEndpoint } from '../cluster/endpoint.js';
import { splitHostPort } from '../spec/addresses.js';
import { resolveKubernetesVersion } from '../spec/versions.js';
import type { Cluster, Host } from '../spec/types.js';

export const CRI_SOCKET = 'unix:///var/run/containerd/containerd.sock';
export const API_PORT = 6443;
/**
 * kubeadm's patches directory (v1beta4 `patches.directory`). The KubeletConfiguration in the init config
 * becomes the cluster-wide kubelet-config ConfigMap every joining node downloads; a per-node value such as
 * maxPods (instance types differ) reaches that node's kubelet only as a `kubeletconfiguration` patch.
 */
export const PATCHES_DIR = '/etc/kubestrap/patches';
export const KUBELET_PATCH = `${PATCHES_DIR}/kubeletconfiguration+merge.yaml`;

/** This node's kubelet patch (a JSON merge patch, as YAML), or undefined when it needs none. */
export function kubeletPatch(host: Host): string | undefined {
	return host.maxPods === undefined ? undefined : stringify({ maxPods: host.maxPods });
}

function patches(host: Host): Record<string, unknown> {
	return host.maxPods === undefined ? {} : { patches: { directory: PATCHES_DIR } };
}

export interface JoinCredentials {
	token: string;
	/** "sha256:<hex>" of the cluster CA's SubjectPublicKeyInfo */
	caCertHash: string;
	/** decrypts the control-plane certificates uploaded by `kubeadm init --upload-certs` */
	certificateKey?: string;
}

/**
 * The config API and the exact version: `exact` is the patch the install resolved from the package
 * repository (or the cluster runs); without it, the spec's exact patch, else the table's known patch.
 */
function kubeadmApi(cluster: Cluster, exact?: string): { api: string; version: string } {
	const resolved = resolveKubernetesVersion(cluster.spec.kubernetes.version, cluster.spec.network.cni);
	if (typeof resolved === 'string') throw new Error(`spec.kubernetes.version: ${resolved}`);
	return { api: resolved.minor.kubeadmApi, version: `v${exact ?? resolved.patch ?? resolved.minor.knownPatch}` };
}

function nodeRegistration(host: Host, cluster: Cluster): Record<string, unknown> {
	const registration: Record<string, unknown> = { criSocket: CRI_SOCKET };
	if (host.name !== undefined) registration.name = host.name;
	if (host.privateAddress !== undefined) registration.kubeletExtraArgs = [{ name: 'node-ip', value: host.privateAddress }];
	// Without workers, the control planes must take workloads (and the CNI operator), so no taint.
	if (host.role === 'control-plane' && !cluster.spec.hosts.some((h) => h.role === 'worker')) registration.taints = [];
	return registration;
}

/** The address nodes join at: the control-plane endpoint, else the first control plane. */
export function apiEndpoint(cluster: Cluster): { host: string; port: number } {
	const endpoint = apiServerEndpoint(cluster);
	if (!endpoint) throw new Error('spec.hosts: no control-plane host');
	return { host: endpoint.host, port: Number(endpoint.port) };
}

function hostPort({ host, port }: { host: string; port: number }): string {
	return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** InitConfiguration + ClusterConfiguration + KubeletConfiguration for the first control plane. */
export function initConfig(cluster: Cluster, host: Host, exactVersion?: string): string {
	const { api, version } = kubeadmApi(cluster, exactVersion);
	const kpr = cluster.spec.network.cni === 'cilium' && cluster.spec.network.cilium.kubeProxyReplacement;
	const init: Record<string, unknown> = {
		apiVersion: api,
		kind: 'InitConfiguration',
		nodeRegistration: nodeRegistration(host, cluster),
		localAPIEndpoint: { ...(host.privateAddress ? { advertiseAddress: host.privateAddress } : {}), bindPort: API_PORT },
		...(kpr ? { skipPhases: ['addon/kube-proxy'] } : {}),
		...patches(host),
	};
	const controlPlanes = cluster.spec.hosts.filter((h) => h.role === 'control-plane');
	const endpoint = cluster.spec.kubernetes.controlPlaneEndpoint;
	// The certificate must name every address the API is reached at, including the SSH address the
	// fetched kubeconfig points to from the user's machine.
	const sans = [...new Set([...controlPlanes.flatMap((h) => [h.address, h.privateAddress ?? h.address]), ...(endpoint ? [splitHostPort(endpoint).host] : [])])];
	const clusterConfig: Record<string, unknown> = {
		apiVersion: api,
		kind: 'ClusterConfiguration',
		clusterName: cluster.metadata.name,
		kubernetesVersion: version,
		...(endpoint ? { controlPlaneEndpoint: hostPort(apiEndpoint(cluster)) } : {}),
		networking: { podSubnet: cluster.spec.kubernetes.podSubnet, serviceSubnet: cluster.spec.kubernetes.serviceSubnet },
		apiServer: { certSANs: sans },
		...(kpr ? { proxy: { disabled: true } } : {}),
	};
	const kubelet = {
		apiVersion: 'kubelet.config.k8s.io/v1beta1',
		kind: 'KubeletConfiguration',
		cgroupDriver: 'systemd',
		// The first control plane's value is the cluster default; nodes of other types get their own by patch.
		...(host.maxPods !== undefined ? { maxPods: host.maxPods } : {}),
	};
	return [init, clusterConfig, kubelet].map((doc) => stringify(doc, { lineWidth: 0 })).join('---\n');
}

/** JoinConfiguration for a worker or an additional control plane. */
export function joinConfig(cluster: Cluster, host: Host, credentials: JoinCredentials): string {
	const { api } = kubeadmApi(cluster);
	const join: Record<string, unknown> = {
		apiVersion: api,
		kind: 'JoinConfiguration',
		discovery: {
			bootstrapToken: { apiServerEndpoint: hostPort(apiEndpoint(cluster)), token: credentials.token, caCertHashes: [credentials.caCertHash] },
		},
		nodeRegistration: nodeRegistration(host, cluster),
		...patches(host),
	};
	if (host.role === 'control-plane') {
		if (credentials.certificateKey === undefined) throw new Error('joining a control plane needs the certificate key');
		join.controlPlane = { localAPIEndpoint: { ...(host.privateAddress ? { advertiseAddress: host.privateAddress } : {}), bindPort: API_PORT }, certificateKey: credentials.certificateKey };
	}
	return stringify(join, { lineWidth: 0 });
}
