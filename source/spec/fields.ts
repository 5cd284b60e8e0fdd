// The one field table: the config file's shape, the flags, the wizard's prompts and the
// per-field validators all come from here. Cross-field rules live in rules.ts.
import { isDnsName, isIP, isIPv4, isIPv6, parseCidr, splitHostPort } from './addresses.js';
import { resolveKubernetesVersion, DEFAULT_KUBERNETES_MINOR } from './versions.js';
import { API_VERSION, KIND, type Cluster } from './types.js';

export type FieldType =
	| { type: 'string' }
	| { type: 'enum'; choices: readonly string[] }
	| { type: 'boolean' }
	| { type: 'integer'; min: number; max: number }
	| { type: 'string-list' }
	| { type: 'string-map' }
	/** a list of objects whose fields are the entries below `<path>[]` */
	| { type: 'object-list' };

export interface Field {
	/** config-file path; `[]` marks the items of a list, e.g. spec.hosts[].address */
	path: string;
	label: string;
	help: string;
	kind: FieldType;
	/** long flag without dashes; booleans also get --no-<flag> */
	flag?: string;
	/** value when neither the file nor a flag gives one; a function sees the cluster as merged so far */
	default?: unknown | ((cluster: Cluster) => unknown);
	/**
	 * false: the default is what applies when the key is absent (shown in the schema and the wizard) but is
	 * not written into the resolved spec, so "not given" stays visible to whoever reads it later.
	 */
	fill?: false;
	/** must be given (after defaults) unless `when` says the field does not apply */
	required?: boolean;
	/** the field applies only when this holds (e.g. spec.aws.* only for target aws) */
	when?: (cluster: Cluster) => boolean;
	/** message when the value is wrong, undefined when it is fine */
	validate?: (value: never, cluster: Cluster) => string | undefined;
}

// Values that can reach a remote shell or a manifest are restricted to these shapes, so no
// metacharacter, newline or YAML indicator can pass even before quoting.
const USER = /^[a-z_][a-z0-9_-]{0,31}$/;
const PATH = /^[A-Za-z0-9._/~@+=,%-]+$/;
const RFC1123_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const NODE_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

function quoteValue(value: string): string {
	return JSON.stringify(value);
}

export function checkAddress(value: string): string | undefined {
	if (isIP(value) || isDnsName(value)) return undefined;
	if (/^[\d.]+$/.test(value)) return `${quoteValue(value)} is not a valid IPv4 address`;
	return `${quoteValue(value)} is not an IP address or DNS name`;
}

function checkPrivateAddress(value: string): string | undefined {
	return isIPv4(value) ? undefined : `${quoteValue(value)} is not an IPv4 address (it becomes the kubelet node-ip)`;
}

function checkUser(value: string): string | undefined {
	return USER.test(value) ? undefined : `${quoteValue(value)} is not a valid user name (lowercase letters, digits, "_" and "-", starting with a letter or "_", at most 32 characters)`;
}

function checkPath(value: string): string | undefined {
	if (value === '') return 'must not be empty';
	if (value.startsWith('-')) return `${quoteValue(value)} starts with "-", which tools would read as an option; use ./${value}`;
	return PATH.test(value) ? undefined : `${quoteValue(value)} is not an accepted path (letters, digits and . _ / ~ @ + = , % - only)`;
}

function suggestLabel(value: string): string {
	return value.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
}

function checkClusterName(value: string): string | undefined {
	if (value.length > 32) return `${quoteValue(value)} is longer than 32 characters (the Cilium cluster-name limit)`;
	if (RFC1123_LABEL.test(value)) return undefined;
	const suggestion = suggestLabel(value).slice(0, 32);
	const hint = suggestion && RFC1123_LABEL.test(suggestion) ? `; did you mean ${quoteValue(suggestion)}?` : '';
	return `${quoteValue(value)} is not an RFC 1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit)${hint}`;
}

function checkNodeName(value: string): string | undefined {
	if (value.length <= 253 && NODE_NAME.test(value) && value.split('.').every((label) => label.length <= 63)) return undefined;
	const suggestion = value.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
	const hint = suggestion && NODE_NAME.test(suggestion) ? `; did you mean ${quoteValue(suggestion)}?` : '';
	return `${quoteValue(value)} is not a valid node name (RFC 1123: lowercase letters, digits, "-" and ".")${hint}`;
}

function checkCidr(value: string): string | undefined {
	const parsed = parseCidr(value);
	return parsed.ok ? undefined : parsed.message;
}

function checkEndpoint(value: string): string | undefined {
	if (value === '') return undefined;
	const { host, port } = splitHostPort(value);
	if (value.startsWith('[') && !isIPv6(host)) return `${quoteValue(value)} is not host[:port]; brackets are only for IPv6 addresses`;
	if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
		return `${quoteValue(value)} has an invalid port; use host[:port] with a port from 1 to 65535`;
	}
	if (isIP(host) || isDnsName(host)) return undefined;
	return `${quoteValue(value)} is not host[:port] with an IP address or DNS name`;
}

const isAws = (c: Cluster): boolean => c.spec.target === 'aws';
const isCilium = (c: Cluster): boolean => c.spec.network.cni === 'cilium';
const isCalico = (c: Cluster): boolean => c.spec.network.cni === 'calico';
const hasBastion = (c: Cluster): boolean => c.spec.ssh.bastion !== undefined;
const isEni = (c: Cluster): boolean => c.spec.network.cilium.ipam === 'eni';

export const FIELDS: readonly Field[] = [
	{
		path: 'apiVersion', label: 'API version', kind: { type: 'enum', choices: [API_VERSION] }, default: API_VERSION,
		help: `Config file format version: ${API_VERSION}.`,
	},
	{ path: 'kind', label: 'Kind', kind: { type: 'enum', choices: [KIND] }, default: KIND, help: `Always ${KIND}.` },
	{
		path: 'metadata.name', label: 'Cluster name', flag: 'name', kind: { type: 'string' }, required: true,
		help: 'Names the cluster, the kubeconfig file and the Cilium cluster-name (RFC 1123 label, at most 32 characters).',
		validate: checkClusterName as Field['validate'],
	},
	{
		path: 'spec.target', label: 'Target', flag: 'target', kind: { type: 'enum', choices: ['baremetal', 'aws'] }, default: 'baremetal',
		help: 'baremetal: hosts you list, reached over SSH. aws: EC2 instances you already run, found by ID or tag.',
	},
	{
		path: 'spec.hosts', label: 'Hosts', kind: { type: 'object-list' }, default: [],
		help: 'Machines to install on; flags: --control-plane ADDR and --worker ADDR (repeat them).',
	},
	{
		path: 'spec.hosts[].address', label: 'Address', kind: { type: 'string' }, required: true,
		help: 'IP address or DNS name SSH connects to.', validate: checkAddress as Field['validate'],
	},
	{
		path: 'spec.hosts[].role', label: 'Role', kind: { type: 'enum', choices: ['control-plane', 'worker'] }, required: true,
		help: 'control-plane runs the API server and etcd; worker runs workloads.',
	},
	{
		path: 'spec.hosts[].privateAddress', label: 'Private address', kind: { type: 'string' },
		help: 'Optional: the address nodes use to talk to each other (kubelet node-ip, API advertise address).',
		validate: checkPrivateAddress as Field['validate'],
	},
	{
		path: 'spec.hosts[].name', label: 'Node name', kind: { type: 'string' },
		help: 'Optional Kubernetes node name (RFC 1123, lowercase); default is the host name.',
		validate: checkNodeName as Field['validate'],
	},
	{
		path: 'spec.ssh.user', label: 'SSH user', flag: 'ssh-user', kind: { type: 'string' },
		help: 'Login user with passwordless sudo; default: User from ~/.ssh/config, then your local user name.',
		validate: checkUser as Field['validate'],
	},
	{
		path: 'spec.ssh.port', label: 'SSH port', flag: 'ssh-port', kind: { type: 'integer', min: 1, max: 65535 }, default: 22, fill: false,
		help: 'Port sshd listens on; when not set, Port from ~/.ssh/config for the host, then 22. A port set here (22 too) wins over ~/.ssh/config.',
	},
	{
		path: 'spec.ssh.identityFile', label: 'SSH identity file', flag: 'ssh-identity-file', kind: { type: 'string' },
		help: 'Private key file; default: the SSH agent, then ~/.ssh/id_ed25519 and ~/.ssh/id_rsa.',
		validate: checkPath as Field['validate'],
	},
	{
		path: 'spec.ssh.knownHostsFile', label: 'known_hosts file', flag: 'known-hosts-file', kind: { type: 'string' }, default: '~/.ssh/known_hosts',
		help: 'OpenSSH known_hosts file used to verify host keys (new entries are written with mode 0600).',
		validate: checkPath as Field['validate'],
	},
	{
		path: 'spec.ssh.hostKeyPolicy', label: 'Host key policy', flag: 'host-key-policy', kind: { type: 'enum', choices: ['strict', 'accept-new'] }, default: 'strict',
		help: 'strict: the key must already be known. accept-new: record unknown keys, still refuse changed ones.',
	},
	{
		path: 'spec.ssh.bastion.address', label: 'Bastion address', flag: 'bastion', kind: { type: 'string' },
		help: 'Optional jump host SSH goes through (like ProxyJump).', when: hasBastion, required: true,
		validate: checkAddress as Field['validate'],
	},
	{
		path: 'spec.ssh.bastion.user', label: 'Bastion user', flag: 'bastion-user', kind: { type: 'string' }, when: hasBastion,
		help: 'Login user on the bastion; default: the SSH user.', validate: checkUser as Field['validate'],
	},
	{
		path: 'spec.ssh.bastion.port', label: 'Bastion port', flag: 'bastion-port', kind: { type: 'integer', min: 1, max: 65535 }, when: hasBastion,
		help: 'Port of the bastion sshd; default 22.',
	},
	{
		path: 'spec.aws.region', label: 'AWS region', flag: 'aws-region', kind: { type: 'string' }, when: isAws, required: true,
		help: 'Region of the instances, e.g. eu-west-1 (default: AWS_REGION).',
		validate: ((value: string) => REGION.test(value) ? undefined : `${quoteValue(value)} is not an AWS region such as eu-west-1`) as Field['validate'],
	},
	{
		path: 'spec.aws.instanceIds', label: 'Instance IDs', flag: 'aws-instance-id', kind: { type: 'string-list' }, when: isAws, default: [],
		help: 'EC2 instance IDs to install on (repeat the flag); role from the tag kubestrap.dev/role.',
		validate: ((value: string[]) => {
			const bad = value.find((id) => !INSTANCE_ID.test(id));
			if (bad !== undefined) return `${quoteValue(bad)} is not an EC2 instance ID such as i-0abc123def4567890`;
			const seen = value.find((id, index) => value.indexOf(id) !== index);
			return seen === undefined ? undefined : `${quoteValue(seen)} is listed twice`;
		}) as Field['validate'],
	},
	{
		path: 'spec.aws.instanceTags', label: 'Instance tags', flag: 'aws-instance-tag', kind: { type: 'string-map' }, when: isAws, default: {},
		help: 'Find instances by tag (KEY=VALUE, repeat the flag); every tag must match.',
		validate: ((value: Record<string, string>) => {
			for (const [key, tagValue] of Object.entries(value)) {
				if (key === '' || key.length > 128 || CONTROL.test(key) || key.startsWith('aws:')) return `tag key ${quoteValue(key)} is not a valid EC2 tag key (1–128 characters, not starting with "aws:")`;
				if (tagValue.length > 256 || CONTROL.test(tagValue)) return `tag ${quoteValue(key)} has an invalid value (at most 256 characters, no control characters)`;
			}
			return undefined;
		}) as Field['validate'],
	},
	{
		path: 'spec.aws.addressType', label: 'SSH address type', flag: 'aws-address-type', kind: { type: 'enum', choices: ['public', 'private'] }, when: isAws, default: 'public',
		help: 'Which instance address SSH connects to; the private address always becomes the node-ip.',
	},
	{
		path: 'spec.kubernetes.version', label: 'Kubernetes version', flag: 'kubernetes-version', kind: { type: 'string' }, default: DEFAULT_KUBERNETES_MINOR,
		help: 'A supported minor (its newest patch from pkgs.k8s.io is installed) or an exact patch.',
		validate: ((value: string, cluster: Cluster) => {
			const resolved = resolveKubernetesVersion(value, cluster.spec.network.cni);
			return typeof resolved === 'string' ? resolved : undefined;
		}) as Field['validate'],
	},
	{
		path: 'spec.kubernetes.podSubnet', label: 'Pod subnet', flag: 'pod-cidr', kind: { type: 'string' }, default: '10.244.0.0/16',
		help: 'IPv4 CIDR pod addresses come from; each node gets a /24 of it.', validate: checkCidr as Field['validate'],
	},
	{
		path: 'spec.kubernetes.serviceSubnet', label: 'Service subnet', flag: 'service-cidr', kind: { type: 'string' }, default: '10.96.0.0/12',
		help: 'IPv4 CIDR for Service cluster IPs (/12 to /28).',
		validate: ((value: string) => {
			const parsed = parseCidr(value);
			if (!parsed.ok) return parsed.message;
			if (parsed.cidr.prefix < 12 || parsed.cidr.prefix > 28) return `${quoteValue(value)} must be between /12 and /28 (the API server allows at most 2^20 service addresses)`;
			return undefined;
		}) as Field['validate'],
	},
	{
		path: 'spec.kubernetes.controlPlaneEndpoint', label: 'Control-plane endpoint', flag: 'control-plane-endpoint', kind: { type: 'string' }, default: '',
		help: 'host[:port] of a load balancer or DNS name in front of the API servers; required with several control planes.',
		validate: checkEndpoint as Field['validate'],
	},
	{
		path: 'spec.network.cni', label: 'CNI', flag: 'cni', kind: { type: 'enum', choices: ['cilium', 'calico'] }, default: 'cilium',
		help: 'Pod network: Cilium (eBPF) or Calico.',
	},
	{
		path: 'spec.network.cilium.ipam', label: 'Cilium IPAM', flag: 'cilium-ipam', kind: { type: 'enum', choices: ['cluster-pool', 'kubernetes', 'crd', 'eni'] }, when: isCilium, default: 'cluster-pool',
		help: 'cluster-pool: Cilium splits the pod subnet. kubernetes: node podCIDRs. crd: external. eni: AWS VPC addresses (target aws).',
	},
	{
		path: 'spec.network.cilium.tunnel', label: 'Cilium tunnel', flag: 'cilium-tunnel', kind: { type: 'enum', choices: ['vxlan', 'geneve', 'disabled'] }, when: isCilium,
		default: (c: Cluster) => (isEni(c) ? 'disabled' : 'vxlan'),
		help: 'vxlan or geneve encapsulate pod traffic; disabled routes it natively (the network must route pod addresses).',
	},
	{
		path: 'spec.network.cilium.nativeRoutingCIDR', label: 'Native routing CIDR', flag: 'cilium-native-routing-cidr', kind: { type: 'string' }, when: isCilium, default: '',
		help: 'CIDR reachable without masquerading; required when tunnel is disabled and masquerade is on (not with eni).',
		validate: ((value: string) => (value === '' ? undefined : checkCidr(value))) as Field['validate'],
	},
	{
		path: 'spec.network.cilium.enablePolicy', label: 'Policy enforcement', flag: 'cilium-policy', kind: { type: 'enum', choices: ['default', 'always', 'never'] }, when: isCilium, default: 'default',
		help: 'default: enforce where a policy selects a pod. always: deny unless allowed. never: no enforcement.',
	},
	{
		path: 'spec.network.cilium.disableMasquerade', label: 'Disable masquerade', flag: 'cilium-disable-masquerade', kind: { type: 'boolean' }, when: isCilium,
		default: (c: Cluster) => isEni(c),
		help: 'Keep pod source addresses on traffic leaving the cluster (required with eni).',
	},
	{
		path: 'spec.network.cilium.kubeProxyReplacement', label: 'kube-proxy replacement', flag: 'cilium-kube-proxy-replacement', kind: { type: 'boolean' }, when: isCilium, default: false,
		help: 'Cilium implements Services in eBPF; kube-proxy is not installed.',
	},
	{
		path: 'spec.network.cilium.hubble', label: 'Hubble', flag: 'cilium-hubble', kind: { type: 'boolean' }, when: isCilium, default: true,
		help: 'Flow visibility on every node (TLS certificates are generated at install).',
	},
	{
		path: 'spec.network.calico.encapsulation', label: 'Calico encapsulation', flag: 'calico-encapsulation', kind: { type: 'enum', choices: ['ipip', 'vxlan', 'none'] }, when: isCalico, default: 'ipip',
		help: 'ipip (BGP routes), vxlan (no BGP), none (BGP, the network must route pod addresses).',
	},
	{
		path: 'spec.network.calico.crossSubnet', label: 'Cross-subnet only', flag: 'calico-cross-subnet', kind: { type: 'boolean' }, when: isCalico, default: false,
		help: 'Encapsulate only between subnets; same-subnet traffic is routed natively.',
	},
	{
		path: 'spec.network.calico.mtu', label: 'Calico MTU', flag: 'calico-mtu', kind: { type: 'integer', min: 0, max: 9000 }, when: isCalico, default: 0,
		help: '0 detects it; otherwise the pod interface MTU (e.g. 1480 for IPIP or 1450 for VXLAN on a 1500 network).',
		validate: ((value: number) => (value !== 0 && value < 1000 ? `${value} is too small; use 0 (auto) or an MTU from 1000 to 9000` : undefined)) as Field['validate'],
	},
];

export function fieldByPath(path: string): Field | undefined {
	return FIELDS.find((field) => field.path === path);
}
