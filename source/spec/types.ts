// The cluster definition every entry point (config file, flags, wizard) produces.
// Field names are the config-file names, so a path in a message is the path in cluster.yaml.

export const API_VERSION = 'kubestrap.dev/v1alpha1';
export const KIND = 'Cluster';

export type Target = 'baremetal' | 'aws';
export type Role = 'control-plane' | 'worker';
export type HostKeyPolicy = 'strict' | 'accept-new';
export type AddressType = 'public' | 'private';
export type Cni = 'cilium' | 'calico';
export type CiliumIpam = 'cluster-pool' | 'kubernetes' | 'crd' | 'eni';
export type CiliumTunnel = 'vxlan' | 'geneve' | 'disabled';
export type PolicyMode = 'default' | 'always' | 'never';
export type CalicoEncapsulation = 'ipip' | 'vxlan' | 'none';

export interface Host {
	address: string;
	role: Role;
	privateAddress?: string;
	name?: string;
	/**
	 * kubelet maxPods for this node. Not a config-file field: AWS discovery sets it in Cilium ENI mode from
	 * the instance type's ENI limits, because every pod needs one of the node's ENI addresses.
	 */
	maxPods?: number;
}

export interface Bastion {
	address: string;
	user?: string;
	port?: number;
}

export interface SshSpec {
	user: string;
	/** absent: Port from ~/.ssh/config for the host, then 22; set (22 too): this port, whatever the config says */
	port?: number;
	identityFile?: string;
	knownHostsFile: string;
	hostKeyPolicy: HostKeyPolicy;
	bastion?: Bastion;
}

export interface AwsSpec {
	region: string;
	instanceIds: string[];
	instanceTags: Record<string, string>;
	addressType: AddressType;
}

export interface KubernetesSpec {
	version: string;
	podSubnet: string;
	serviceSubnet: string;
	controlPlaneEndpoint: string;
}

export interface CiliumSpec {
	ipam: CiliumIpam;
	tunnel: CiliumTunnel;
	nativeRoutingCIDR: string;
	enablePolicy: PolicyMode;
	disableMasquerade: boolean;
	kubeProxyReplacement: boolean;
	hubble: boolean;
}

export interface CalicoSpec {
	encapsulation: CalicoEncapsulation;
	crossSubnet: boolean;
	mtu: number;
}

export interface NetworkSpec {
	cni: Cni;
	cilium: CiliumSpec;
	calico: CalicoSpec;
}

export interface ClusterSpec {
	target: Target;
	hosts: Host[];
	ssh: SshSpec;
	aws?: AwsSpec;
	kubernetes: KubernetesSpec;
	network: NetworkSpec;
}

export interface Cluster {
	apiVersion: typeof API_VERSION;
	kind: typeof KIND;
	metadata: { name: string };
	spec: ClusterSpec;
}

/** One problem with the input: the config-file path of the field and what is wrong with it. */
export interface Problem {
	path: string;
	message: string;
}
