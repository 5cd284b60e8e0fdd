// kops-style table: every field has valid rows and at least three invalid ones, and every
// cross-field rule has a row. Each invalid row names the exact paths reported and their messages.
import test from 'ava';
import { FIELDS } from '../../source/spec/fields.js';
import { awsBase, baremetalBase, check, lines, withPaths } from './_base.js';

interface Row {
	field: string;
	aws?: boolean;
	set: Record<string, unknown>;
	/** [path, message pattern]; none = valid */
	errors?: Array<[string, RegExp]>;
}

const H = 'spec.hosts';
const C = 'spec.network.cilium';
const K = 'spec.kubernetes';
const CAL = 'spec.network.calico';
const calico = { 'spec.network.cni': 'calico', 'spec.network.cilium': undefined };
const bastion = { 'spec.ssh.bastion': { address: '198.51.100.5', user: 'jump', port: 22 } };

const ROWS: Row[] = [
	{ field: 'apiVersion', set: { apiVersion: 'kubestrap.dev/v1alpha1' } },
	{ field: 'apiVersion', set: { apiVersion: 'v1' }, errors: [['apiVersion', /"v1" is not one of kubestrap\.dev\/v1alpha1/]] },
	{ field: 'apiVersion', set: { apiVersion: 'kubestrap.dev/v1' }, errors: [['apiVersion', /did you mean "kubestrap\.dev\/v1alpha1"/]] },
	{ field: 'apiVersion', set: { apiVersion: 5 }, errors: [['apiVersion', /must be one of .* not number 5/]] },

	{ field: 'kind', set: { kind: 'Cluster' } },
	{ field: 'kind', set: { kind: 'Clustre' }, errors: [['kind', /did you mean "Cluster"/]] },
	{ field: 'kind', set: { kind: 'Deployment' }, errors: [['kind', /is not one of Cluster/]] },
	{ field: 'kind', set: { kind: true }, errors: [['kind', /not boolean true/]] },

	{ field: 'metadata.name', set: { 'metadata.name': 'prod-1' } },
	{ field: 'metadata.name', set: { 'metadata.name': 'Prod_1' }, errors: [['metadata.name', /not an RFC 1123 label.*did you mean "prod-1"/]] },
	{ field: 'metadata.name', set: { 'metadata.name': 'a'.repeat(33) }, errors: [['metadata.name', /longer than 32 characters/]] },
	{ field: 'metadata.name', set: { 'metadata.name': 'demo;rm -rf /' }, errors: [['metadata.name', /not an RFC 1123 label/]] },
	{ field: 'metadata.name', set: { 'metadata.name': undefined }, errors: [['metadata.name', /required; set it in the config file or with --name/]] },
	{ field: 'metadata.name', set: { 'metadata.name': 'prod:6443' }, errors: [['metadata.name', /not an RFC 1123 label/]] },

	{ field: 'spec.target', aws: true, set: { 'spec.target': 'aws' } },
	{ field: 'spec.target', set: { 'spec.target': 'gcp' }, errors: [['spec.target', /"gcp" is not one of baremetal, aws/]] },
	{ field: 'spec.target', set: { 'spec.target': 'AWS' }, errors: [['spec.target', /did you mean "aws"/]] },
	{ field: 'spec.target', set: { 'spec.target': 1 }, errors: [['spec.target', /must be one of/]] },

	{ field: H, set: { [H]: [{ address: '192.0.2.10', role: 'control-plane' }] } },
	{ field: H, set: { [H]: [] }, errors: [[H, /required with target "baremetal"/]] },
	{ field: H, set: { [H]: 'node1' }, errors: [[H, /must be a list, not the string "node1"/]] },
	{ field: H, set: { [H]: [{ address: '192.0.2.10', role: 'worker' }] }, errors: [[H, /at least one host with role "control-plane"/]] },
	{ field: H, set: { [H]: [{ address: '192.0.2.10', role: 'control-plane' }, { address: '192.0.2.11', role: 'control-plane' }], [`${K}.controlPlaneEndpoint`]: 'lb:6443' }, errors: [[H, /has 2 control-plane hosts; use an odd number/]] },
	{ field: H, aws: true, set: { [H]: [{ address: '192.0.2.10', role: 'control-plane' }] }, errors: [[H, /not used with target "aws"/]] },

	{ field: `${H}[].address`, set: { [`${H}.0.address`]: 'node1.example.com' } },
	{ field: `${H}[].address`, set: { [`${H}.0.address`]: '10.0.0.256' }, errors: [[`${H}[0].address`, /"10\.0\.0\.256" is not a valid IPv4 address/]] },
	{ field: `${H}[].address`, set: { [`${H}.0.address`]: 'host;id' }, errors: [[`${H}[0].address`, /not an IP address or DNS name/]] },
	{ field: `${H}[].address`, set: { [`${H}.1.address`]: '$(reboot)' }, errors: [[`${H}[1].address`, /not an IP address or DNS name/]] },
	{ field: `${H}[].address`, set: { [`${H}.1.address`]: '192.0.2.10' }, errors: [[`${H}[1].address`, /"192\.0\.2\.10" is already used by spec\.hosts\[0\]/]] },
	{ field: `${H}[].address`, set: { [`${H}.0.address`]: undefined }, errors: [[`${H}[0].address`, /^required; set it in the config file$/]] },

	{ field: `${H}[].role`, set: { [`${H}.1.role`]: 'worker' } },
	{ field: `${H}[].role`, set: { [`${H}.1.role`]: 'master' }, errors: [[`${H}[1].role`, /"master" is not one of control-plane, worker/]] },
	{ field: `${H}[].role`, set: { [`${H}.0.role`]: 'Control-Plane' }, errors: [[`${H}[0].role`, /did you mean "control-plane"/], [H, /at least one host with role "control-plane"/]] },
	{ field: `${H}[].role`, set: { [`${H}.1.role`]: undefined }, errors: [[`${H}[1].role`, /required/]] },

	{ field: `${H}[].privateAddress`, set: { [`${H}.0.privateAddress`]: '10.1.0.5' } },
	{ field: `${H}[].privateAddress`, set: { [`${H}.0.privateAddress`]: 'host.example' }, errors: [[`${H}[0].privateAddress`, /not an IPv4 address/]] },
	{ field: `${H}[].privateAddress`, set: { [`${H}.0.privateAddress`]: '10.0.0.1/24' }, errors: [[`${H}[0].privateAddress`, /not an IPv4 address/]] },
	{ field: `${H}[].privateAddress`, set: { [`${H}.1.privateAddress`]: '10.0.0.10' }, errors: [[`${H}[1].privateAddress`, /already used by spec\.hosts\[0\]/]] },
	{ field: `${H}[].privateAddress`, set: { [`${H}.0.privateAddress`]: 7 }, errors: [[`${H}[0].privateAddress`, /must be a string, not number 7/]] },

	{ field: `${H}[].name`, set: { [`${H}.1.name`]: 'node-1.rack2' } },
	{ field: `${H}[].name`, set: { [`${H}.1.name`]: 'VM-4-12-centos' }, errors: [[`${H}[1].name`, /did you mean "vm-4-12-centos"/]] },
	{ field: `${H}[].name`, set: { [`${H}.1.name`]: 'node_1' }, errors: [[`${H}[1].name`, /not a valid node name.*did you mean "node-1"/]] },
	{ field: `${H}[].name`, set: { [`${H}.1.name`]: 'a\nb' }, errors: [[`${H}[1].name`, /not a valid node name/]] },
	{ field: `${H}[].name`, set: { [`${H}.1.name`]: 'cp-1' }, errors: [[`${H}[1].name`, /"cp-1" is already the name of spec\.hosts\[0\]/]] },

	{ field: 'spec.ssh.user', set: { 'spec.ssh.user': 'deploy' } },
	{ field: 'spec.ssh.user', set: { 'spec.ssh.user': 'ubuntu;id' }, errors: [['spec.ssh.user', /not a valid user name/]] },
	{ field: 'spec.ssh.user', set: { 'spec.ssh.user': 'Root' }, errors: [['spec.ssh.user', /not a valid user name/]] },
	{ field: 'spec.ssh.user', set: { 'spec.ssh.user': '-oProxyCommand=x' }, errors: [['spec.ssh.user', /not a valid user name/]] },
	{ field: 'spec.ssh.user', set: { 'spec.ssh.user': '' }, errors: [['spec.ssh.user', /not a valid user name/]] },

	{ field: 'spec.ssh.port', set: { 'spec.ssh.port': 2222 } },
	{ field: 'spec.ssh.port', set: { 'spec.ssh.port': 0 }, errors: [['spec.ssh.port', /0 is out of range 1–65535/]] },
	{ field: 'spec.ssh.port', set: { 'spec.ssh.port': 70000 }, errors: [['spec.ssh.port', /out of range/]] },
	{ field: 'spec.ssh.port', set: { 'spec.ssh.port': '22' }, errors: [['spec.ssh.port', /must be a whole number from 1 to 65535, not the string "22"/]] },
	{ field: 'spec.ssh.port', set: { 'spec.ssh.port': 22.5 }, errors: [['spec.ssh.port', /must be a whole number/]] },

	{ field: 'spec.ssh.identityFile', set: { 'spec.ssh.identityFile': '~/.ssh/id_ed25519' } },
	{ field: 'spec.ssh.identityFile', set: { 'spec.ssh.identityFile': '/opt/$(id)' }, errors: [['spec.ssh.identityFile', /not an accepted path/]] },
	{ field: 'spec.ssh.identityFile', set: { 'spec.ssh.identityFile': 'key file' }, errors: [['spec.ssh.identityFile', /not an accepted path/]] },
	{ field: 'spec.ssh.identityFile', set: { 'spec.ssh.identityFile': 'a\nb' }, errors: [['spec.ssh.identityFile', /not an accepted path/]] },
	{ field: 'spec.ssh.identityFile', set: { 'spec.ssh.identityFile': '' }, errors: [['spec.ssh.identityFile', /must not be empty/]] },

	{ field: 'spec.ssh.knownHostsFile', set: { 'spec.ssh.knownHostsFile': '/etc/ssh/ssh_known_hosts' } },
	{ field: 'spec.ssh.knownHostsFile', set: { 'spec.ssh.knownHostsFile': '`x`' }, errors: [['spec.ssh.knownHostsFile', /not an accepted path/]] },
	{ field: 'spec.ssh.knownHostsFile', set: { 'spec.ssh.knownHostsFile': 'a;b' }, errors: [['spec.ssh.knownHostsFile', /not an accepted path/]] },
	{ field: 'spec.ssh.knownHostsFile', set: { 'spec.ssh.knownHostsFile': 'a: b' }, errors: [['spec.ssh.knownHostsFile', /not an accepted path/]] },

	{ field: 'spec.ssh.hostKeyPolicy', set: { 'spec.ssh.hostKeyPolicy': 'accept-new' } },
	{ field: 'spec.ssh.hostKeyPolicy', set: { 'spec.ssh.hostKeyPolicy': 'ignore' }, errors: [['spec.ssh.hostKeyPolicy', /"ignore" is not one of strict, accept-new/]] },
	{ field: 'spec.ssh.hostKeyPolicy', set: { 'spec.ssh.hostKeyPolicy': 'accept_new' }, errors: [['spec.ssh.hostKeyPolicy', /did you mean "accept-new"/]] },
	{ field: 'spec.ssh.hostKeyPolicy', set: { 'spec.ssh.hostKeyPolicy': false }, errors: [['spec.ssh.hostKeyPolicy', /must be one of/]] },

	{ field: 'spec.ssh.bastion.address', set: bastion },
	{ field: 'spec.ssh.bastion.address', set: { ...bastion, 'spec.ssh.bastion.address': 'bad host' }, errors: [['spec.ssh.bastion.address', /not an IP address or DNS name/]] },
	{ field: 'spec.ssh.bastion.address', set: { 'spec.ssh.bastion': { user: 'jump' } }, errors: [['spec.ssh.bastion.address', /required; set it in the config file or with --bastion/]] },
	{ field: 'spec.ssh.bastion.address', set: { ...bastion, 'spec.ssh.bastion.address': '192.0.2.10' }, errors: [['spec.ssh.bastion.address', /is spec\.hosts\[0\] itself/]] },

	{ field: 'spec.ssh.bastion.user', set: { ...bastion, 'spec.ssh.bastion.user': 'ec2-user' } },
	{ field: 'spec.ssh.bastion.user', set: { ...bastion, 'spec.ssh.bastion.user': 'a b' }, errors: [['spec.ssh.bastion.user', /not a valid user name/]] },
	{ field: 'spec.ssh.bastion.user', set: { ...bastion, 'spec.ssh.bastion.user': 'UPPER' }, errors: [['spec.ssh.bastion.user', /not a valid user name/]] },
	{ field: 'spec.ssh.bastion.user', set: { ...bastion, 'spec.ssh.bastion.user': 'x|y' }, errors: [['spec.ssh.bastion.user', /not a valid user name/]] },

	{ field: 'spec.ssh.bastion.port', set: { ...bastion, 'spec.ssh.bastion.port': 2200 } },
	{ field: 'spec.ssh.bastion.port', set: { ...bastion, 'spec.ssh.bastion.port': 0 }, errors: [['spec.ssh.bastion.port', /out of range/]] },
	{ field: 'spec.ssh.bastion.port', set: { ...bastion, 'spec.ssh.bastion.port': -1 }, errors: [['spec.ssh.bastion.port', /out of range/]] },
	{ field: 'spec.ssh.bastion.port', set: { ...bastion, 'spec.ssh.bastion.port': 'x' }, errors: [['spec.ssh.bastion.port', /must be a whole number/]] },

	{ field: 'spec.aws.region', aws: true, set: { 'spec.aws.region': 'us-gov-west-1' } },
	{ field: 'spec.aws.region', aws: true, set: { 'spec.aws.region': 'europe' }, errors: [['spec.aws.region', /not an AWS region such as eu-west-1/]] },
	{ field: 'spec.aws.region', aws: true, set: { 'spec.aws.region': 'EU-WEST-1' }, errors: [['spec.aws.region', /not an AWS region/]] },
	{ field: 'spec.aws.region', aws: true, set: { 'spec.aws.region': undefined }, errors: [['spec.aws.region', /required; set it in the config file or with --aws-region/]] },

	{ field: 'spec.aws.instanceIds', aws: true, set: { 'spec.aws.instanceIds': ['i-1234567890abcdef0', 'i-12345678'] } },
	{ field: 'spec.aws.instanceIds', aws: true, set: { 'spec.aws.instanceIds': ['i-xyz'] }, errors: [['spec.aws.instanceIds', /"i-xyz" is not an EC2 instance ID/]] },
	{ field: 'spec.aws.instanceIds', aws: true, set: { 'spec.aws.instanceIds': ['i-0abc123def4567890', 'i-0abc123def4567890'] }, errors: [['spec.aws.instanceIds', /listed twice/]] },
	{ field: 'spec.aws.instanceIds', aws: true, set: { 'spec.aws.instanceIds': 'i-0abc123def4567890' }, errors: [['spec.aws.instanceIds', /must be a list of strings/]] },
	{ field: 'spec.aws.instanceIds', aws: true, set: { 'spec.aws.instanceIds': [] }, errors: [['spec.aws.instanceIds', /required: list instance IDs/]] },

	{ field: 'spec.aws.instanceTags', aws: true, set: { 'spec.aws.instanceIds': undefined, 'spec.aws.instanceTags': { 'kubestrap.dev/cluster': 'demo' } } },
	{ field: 'spec.aws.instanceTags', aws: true, set: { 'spec.aws.instanceIds': undefined, 'spec.aws.instanceTags': { 'aws:x': 'y' } }, errors: [['spec.aws.instanceTags', /not a valid EC2 tag key/]] },
	{ field: 'spec.aws.instanceTags', aws: true, set: { 'spec.aws.instanceIds': undefined, 'spec.aws.instanceTags': { env: 5 } }, errors: [['spec.aws.instanceTags', /every key and value must be a string/], ['spec.aws.instanceIds', /required/]] },
	{ field: 'spec.aws.instanceTags', aws: true, set: { 'spec.aws.instanceTags': { env: 'prod' } }, errors: [['spec.aws.instanceTags', /use instanceIds or instanceTags, not both/]] },
	{ field: 'spec.aws.instanceTags', aws: true, set: { 'spec.aws.instanceIds': undefined, 'spec.aws.instanceTags': ['env=prod'] }, errors: [['spec.aws.instanceTags', /must be a mapping of strings to strings/], ['spec.aws.instanceIds', /required/]] },

	{ field: 'spec.aws.addressType', aws: true, set: { 'spec.aws.addressType': 'public' } },
	{ field: 'spec.aws.addressType', aws: true, set: { 'spec.aws.addressType': 'elastic' }, errors: [['spec.aws.addressType', /not one of public, private/]] },
	{ field: 'spec.aws.addressType', aws: true, set: { 'spec.aws.addressType': 'PRIVATE' }, errors: [['spec.aws.addressType', /did you mean "private"/]] },
	{ field: 'spec.aws.addressType', aws: true, set: { 'spec.aws.addressType': true }, errors: [['spec.aws.addressType', /must be one of/]] },
	{ field: 'spec.aws.addressType', set: { 'spec.aws': { region: 'eu-west-1' } }, errors: [['spec.aws', /only used with target "aws"/]] },

	{ field: `${K}.version`, set: { [`${K}.version`]: '1.36' } },
	{ field: `${K}.version`, set: { ...calico, [`${K}.version`]: '1.36' } },
	{ field: `${K}.version`, set: { [`${K}.version`]: 'v1.35.7' } },
	{ field: `${K}.version`, set: { [`${K}.version`]: 'latest' }, errors: [[`${K}.version`, /"latest" is not a Kubernetes version.*supported: 1\.35, 1\.36/]] },
	{ field: `${K}.version`, set: { [`${K}.version`]: '1.19.0' }, errors: [[`${K}.version`, /Kubernetes 1\.19 is not supported; supported minors: 1\.35, 1\.36/]] },
	{ field: `${K}.version`, set: { [`${K}.version`]: 1.35 }, errors: [[`${K}.version`, /must be a string, not number 1\.35; quote it: "1\.35"/]] },
	{ field: `${K}.version`, set: { [`${K}.version`]: '1.3o.1' }, errors: [[`${K}.version`, /not a Kubernetes version/]] },
	{ field: `${K}.version`, set: { [`${K}.version`]: '1.34' }, errors: [[`${K}.version`, /Kubernetes 1\.34 reached end of life on 2026-10-27 and is not installed on new clusters; supported minors: 1\.35, 1\.36/]] },
	{ field: `${K}.version`, set: { [`${K}.version`]: '1.37' }, errors: [[`${K}.version`, /Kubernetes 1\.37 is not supported: Cilium 1\.20\.1 and Calico 3\.32\.1 are not tested on it/]] },
	{ field: `${K}.version`, set: { ...calico, [`${K}.version`]: '1.37.0' }, errors: [[`${K}.version`, /not tested on it/]] },

	{ field: `${K}.podSubnet`, set: { [`${K}.podSubnet`]: '10.128.0.0/9' } },
	{ field: `${K}.podSubnet`, set: { [`${K}.podSubnet`]: '10.128.0.0/8' }, errors: [[`${K}.podSubnet`, /host bits set; did you mean "10\.0\.0\.0\/8"/]] },
	{ field: `${K}.podSubnet`, set: { [`${K}.podSubnet`]: '192.168.0.1' }, errors: [[`${K}.podSubnet`, /no prefix length; did you mean "192\.168\.0\.1\/32"/]] },
	{ field: `${K}.podSubnet`, set: { [`${K}.podSubnet`]: '10.244.0.0/25' }, errors: [[`${K}.podSubnet`, /smaller than one node's \/24/]] },
	{ field: `${K}.podSubnet`, set: { [`${K}.podSubnet`]: '10.0.0.0/16' }, errors: [[`${K}.podSubnet`, /contains spec\.hosts\[0\]\.privateAddress 10\.0\.0\.10/]] },
	{ field: `${K}.podSubnet`, set: { [`${K}.podSubnet`]: 'fd00::/64' }, errors: [[`${K}.podSubnet`, /is IPv6; kubestrap installs IPv4 clusters/]] },
	{ field: `${K}.podSubnet`, set: { [`${K}.podSubnet`]: '10.244.0.0/24' }, errors: [[`${K}.podSubnet`, /holds 1 node \/24 blocks but there are 2 nodes/]] },

	{ field: `${K}.serviceSubnet`, set: { [`${K}.serviceSubnet`]: '10.112.0.0/12' } },
	{ field: `${K}.serviceSubnet`, set: { [`${K}.serviceSubnet`]: '10.96.0.0/8' }, errors: [[`${K}.serviceSubnet`, /did you mean "10\.0\.0\.0\/8"/]] },
	{ field: `${K}.serviceSubnet`, set: { [`${K}.serviceSubnet`]: '10.0.0.0/8' }, errors: [[`${K}.serviceSubnet`, /must be between \/12 and \/28/]] },
	{ field: `${K}.serviceSubnet`, set: { [`${K}.serviceSubnet`]: '10.244.0.0/16' }, errors: [[`${K}.serviceSubnet`, /overlaps the pod subnet 10\.244\.0\.0\/16/]] },
	{ field: `${K}.serviceSubnet`, set: { [`${K}.serviceSubnet`]: 'abc' }, errors: [[`${K}.serviceSubnet`, /not an IPv4 CIDR/]] },

	{ field: `${K}.controlPlaneEndpoint`, set: { [`${K}.controlPlaneEndpoint`]: 'lb.example.com:6443' } },
	{ field: `${K}.controlPlaneEndpoint`, set: { [`${K}.controlPlaneEndpoint`]: 'lb.example.com:99999' }, errors: [[`${K}.controlPlaneEndpoint`, /invalid port/]] },
	{ field: `${K}.controlPlaneEndpoint`, set: { [`${K}.controlPlaneEndpoint`]: 'http://lb' }, errors: [[`${K}.controlPlaneEndpoint`, /invalid port|not host\[:port\]/]] },
	{ field: `${K}.controlPlaneEndpoint`, set: { [`${K}.controlPlaneEndpoint`]: 'a b' }, errors: [[`${K}.controlPlaneEndpoint`, /not host\[:port\]/]] },
	{ field: `${K}.controlPlaneEndpoint`, set: { [`${K}.controlPlaneEndpoint`]: '10.96.0.1' }, errors: [[`${K}.controlPlaneEndpoint`, /inside the service subnet/]] },
	{
		field: `${K}.controlPlaneEndpoint`,
		set: { [H]: ['192.0.2.1', '192.0.2.2', '192.0.2.3'].map((address) => ({ address, role: 'control-plane' })) },
		errors: [[`${K}.controlPlaneEndpoint`, /required with 3 control-plane hosts/]],
	},

	{ field: 'spec.network.cni', set: calico },
	{ field: 'spec.network.cni', set: { 'spec.network.cni': 'flannel' }, errors: [['spec.network.cni', /"flannel" is not one of cilium, calico/]] },
	{ field: 'spec.network.cni', set: { 'spec.network.cni': 'Cilium' }, errors: [['spec.network.cni', /did you mean "cilium"/]] },
	{ field: 'spec.network.cni', set: { 'spec.network.cni': 5 }, errors: [['spec.network.cni', /must be one of/]] },

	{ field: `${C}.ipam`, set: { [`${C}.ipam`]: 'kubernetes' } },
	{ field: `${C}.ipam`, set: { [`${C}.ipam`]: 'crd' } },
	{ field: `${C}.ipam`, aws: true, set: { [`${C}.ipam`]: 'eni', [`${C}.tunnel`]: undefined } },
	{ field: `${C}.ipam`, set: { [`${C}.ipam`]: 'foo' }, errors: [[`${C}.ipam`, /"foo" is not one of cluster-pool, kubernetes, crd, eni/]] },
	{ field: `${C}.ipam`, set: { [`${C}.ipam`]: 'eni', [`${C}.tunnel`]: undefined }, errors: [[`${C}.ipam`, /^"eni" is only supported with target "aws"$/]] },
	{ field: `${C}.ipam`, set: { [`${C}.ipam`]: 'hostscope' }, errors: [[`${C}.ipam`, /is not one of/]] },
	{ field: `${C}.ipam`, set: { [`${C}.ipam`]: ['eni'] }, errors: [[`${C}.ipam`, /not a list/]] },

	{ field: `${C}.tunnel`, set: { [`${C}.tunnel`]: 'geneve' } },
	{ field: `${C}.tunnel`, set: { [`${C}.tunnel`]: 'gre' }, errors: [[`${C}.tunnel`, /"gre" is not one of vxlan, geneve, disabled/]] },
	{ field: `${C}.tunnel`, aws: true, set: { [`${C}.ipam`]: 'eni', [`${C}.tunnel`]: 'vxlan' }, errors: [[`${C}.tunnel`, /must be "disabled" when ipam is "eni"/]] },
	{ field: `${C}.tunnel`, set: { [`${C}.tunnel`]: 'none' }, errors: [[`${C}.tunnel`, /is not one of/]] },

	{ field: `${C}.nativeRoutingCIDR`, set: { [`${C}.tunnel`]: 'disabled', [`${C}.nativeRoutingCIDR`]: '10.0.0.0/8' } },
	{ field: `${C}.nativeRoutingCIDR`, set: { [`${C}.tunnel`]: 'disabled', [`${C}.disableMasquerade`]: true } },
	{ field: `${C}.nativeRoutingCIDR`, set: { [`${C}.tunnel`]: 'disabled' }, errors: [[`${C}.nativeRoutingCIDR`, /required when tunnel is "disabled" and masquerade is on/]] },
	{ field: `${C}.nativeRoutingCIDR`, set: { [`${C}.tunnel`]: 'disabled', [`${C}.nativeRoutingCIDR`]: '10.244.0.0/24' }, errors: [[`${C}.nativeRoutingCIDR`, /must contain the pod subnet 10\.244\.0\.0\/16/]] },
	{ field: `${C}.nativeRoutingCIDR`, set: { [`${C}.nativeRoutingCIDR`]: '10.244.1.0/16' }, errors: [[`${C}.nativeRoutingCIDR`, /did you mean "10\.244\.0\.0\/16"/]] },
	{ field: `${C}.nativeRoutingCIDR`, set: { [`${C}.nativeRoutingCIDR`]: 'x' }, errors: [[`${C}.nativeRoutingCIDR`, /not an IPv4 CIDR/]] },

	{ field: `${C}.enablePolicy`, set: { [`${C}.enablePolicy`]: 'always' } },
	{ field: `${C}.enablePolicy`, set: { [`${C}.enablePolicy`]: 'strict' }, errors: [[`${C}.enablePolicy`, /not one of default, always, never/]] },
	{ field: `${C}.enablePolicy`, set: { [`${C}.enablePolicy`]: 'on' }, errors: [[`${C}.enablePolicy`, /not one of/]] },
	{ field: `${C}.enablePolicy`, set: { [`${C}.enablePolicy`]: true }, errors: [[`${C}.enablePolicy`, /must be one of/]] },

	{ field: `${C}.disableMasquerade`, set: { [`${C}.disableMasquerade`]: true } },
	{ field: `${C}.disableMasquerade`, set: { [`${C}.disableMasquerade`]: 'yes' }, errors: [[`${C}.disableMasquerade`, /must be true or false \(unquoted\), not the string "yes"/]] },
	{ field: `${C}.disableMasquerade`, set: { [`${C}.disableMasquerade`]: 'true' }, errors: [[`${C}.disableMasquerade`, /must be true or false/]] },
	{ field: `${C}.disableMasquerade`, aws: true, set: { [`${C}.ipam`]: 'eni', [`${C}.tunnel`]: undefined, [`${C}.disableMasquerade`]: false }, errors: [[`${C}.disableMasquerade`, /must be true when ipam is "eni"/]] },

	{ field: `${C}.kubeProxyReplacement`, set: { [`${C}.kubeProxyReplacement`]: true } },
	{ field: `${C}.kubeProxyReplacement`, set: { [`${C}.kubeProxyReplacement`]: 'strict' }, errors: [[`${C}.kubeProxyReplacement`, /must be true or false/]] },
	{ field: `${C}.kubeProxyReplacement`, set: { [`${C}.kubeProxyReplacement`]: 1 }, errors: [[`${C}.kubeProxyReplacement`, /must be true or false/]] },
	{ field: `${C}.kubeProxyReplacement`, aws: true, set: { [`${C}.kubeProxyReplacement`]: true }, errors: [[`${K}.controlPlaneEndpoint`, /required with kubeProxyReplacement on target "aws"/]] },
	{ field: `${C}.kubeProxyReplacement`, aws: true, set: { [`${C}.kubeProxyReplacement`]: true, [`${K}.controlPlaneEndpoint`]: 'api.internal:6443' } },

	{ field: `${C}.hubble`, set: { [`${C}.hubble`]: false } },
	{ field: `${C}.hubble`, set: { [`${C}.hubble`]: 'off' }, errors: [[`${C}.hubble`, /must be true or false/]] },
	{ field: `${C}.hubble`, set: { [`${C}.hubble`]: 0 }, errors: [[`${C}.hubble`, /must be true or false/]] },
	{ field: `${C}.hubble`, set: { [`${C}.hubble`]: null, [`${C}.enableHubble`]: true }, errors: [[`${C}.enableHubble`, /unknown key/]] },

	{ field: `${CAL}.encapsulation`, set: { ...calico, [`${CAL}.encapsulation`]: 'none' } },
	{ field: `${CAL}.encapsulation`, set: { ...calico, [`${CAL}.encapsulation`]: 'gre' }, errors: [[`${CAL}.encapsulation`, /not one of ipip, vxlan, none/]] },
	{ field: `${CAL}.encapsulation`, set: { ...calico, [`${CAL}.encapsulation`]: 'IPIP' }, errors: [[`${CAL}.encapsulation`, /did you mean "ipip"/]] },
	{ field: `${CAL}.encapsulation`, set: { ...calico, [`${CAL}.encapsulation`]: 'wireguard' }, errors: [[`${CAL}.encapsulation`, /not one of/]] },

	{ field: `${CAL}.crossSubnet`, set: { ...calico, [`${CAL}.crossSubnet`]: true } },
	{ field: `${CAL}.crossSubnet`, set: { ...calico, [`${CAL}.crossSubnet`]: 'yes' }, errors: [[`${CAL}.crossSubnet`, /must be true or false/]] },
	{ field: `${CAL}.crossSubnet`, set: { ...calico, [`${CAL}.crossSubnet`]: true, [`${CAL}.encapsulation`]: 'none' }, errors: [[`${CAL}.crossSubnet`, /only applies with encapsulation "ipip" or "vxlan"/]] },
	{ field: `${CAL}.crossSubnet`, set: { ...calico, [`${CAL}.crossSubnet`]: 1 }, errors: [[`${CAL}.crossSubnet`, /must be true or false/]] },

	{ field: `${CAL}.mtu`, set: { ...calico, [`${CAL}.mtu`]: 1450 } },
	{ field: `${CAL}.mtu`, set: { ...calico, [`${CAL}.mtu`]: 100 }, errors: [[`${CAL}.mtu`, /too small; use 0 \(auto\) or an MTU from 1000 to 9000/]] },
	{ field: `${CAL}.mtu`, set: { ...calico, [`${CAL}.mtu`]: 10000 }, errors: [[`${CAL}.mtu`, /out of range 0–9000/]] },
	{ field: `${CAL}.mtu`, set: { ...calico, [`${CAL}.mtu`]: '1500' }, errors: [[`${CAL}.mtu`, /must be a whole number/]] },
	{ field: `${CAL}.mtu`, set: { ...calico, [`${CAL}.mtu`]: -1 }, errors: [[`${CAL}.mtu`, /out of range/]] },
];

for (const [index, row] of ROWS.entries()) {
	const title = `${row.field} #${index}: ${JSON.stringify(row.set).slice(0, 90)}`;
	test(title, (t) => {
		const problems = check(withPathsFor(row));
		if (!row.errors) {
			t.deepEqual(lines(problems), [], 'expected no problems');
			return;
		}
		t.deepEqual(
			[...new Set(problems.map((p) => p.path))].sort(),
			[...new Set(row.errors.map(([path]) => path))].sort(),
			`reported: ${lines(problems).join(' | ')}`,
		);
		for (const [path, pattern] of row.errors) {
			t.true(problems.some((p) => p.path === path && pattern.test(p.message.replace(/ \(cluster\.yaml:\d+:\d+\)$/, ''))), `${path} should match ${pattern}; got ${lines(problems).join(' | ')}`);
		}
	});
}

function withPathsFor(row: Row): Record<string, unknown> {
	return withPaths(row.aws ? awsBase() : baremetalBase(), row.set);
}

test('every field has at least one valid and three invalid rows', (t) => {
	for (const field of FIELDS) {
		const rows = ROWS.filter((row) => row.field === field.path);
		t.true(rows.some((row) => !row.errors), `${field.path}: no valid row`);
		t.true(rows.filter((row) => row.errors).length >= 3, `${field.path}: fewer than three invalid rows`);
	}
});
