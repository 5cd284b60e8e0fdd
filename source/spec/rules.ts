// Validation of a merged cluster: each field's own check (from the field table), then the rules
// that tie fields together. Every problem names the config path it is about.
import { cidrContains, cidrContainsAddress, cidrsOverlap, isIPv4, parseCidr, splitHostPort, type Cidr } from './addresses.js';
import { FIELDS, type Field } from './fields.js';
import { getPath } from './merge.js';
import type { Cluster, Problem } from './types.js';

function flagHint(field: Field): string {
	return field.flag ? ` or with --${field.flag}` : '';
}

function applies(field: Field, cluster: Cluster): boolean {
	try {
		return field.when ? field.when(cluster) : true;
	} catch {
		return false;
	}
}

function checkField(field: Field, path: string, value: unknown, cluster: Cluster, problems: Problem[]): void {
	if (value === undefined || value === null) {
		if (field.required) problems.push({ path, message: `required; set it in the config file${path.includes('[') ? '' : flagHint(field)}` });
		return;
	}
	const message = field.validate?.(value as never, cluster);
	if (message !== undefined) problems.push({ path, message });
}

/** Per-field checks from the table, with list items addressed by index. */
export function checkFields(cluster: Cluster): Problem[] {
	const problems: Problem[] = [];
	for (const field of FIELDS) {
		if (!applies(field, cluster)) continue;
		const itemAt = field.path.indexOf('[].');
		if (itemAt === -1) {
			if (field.kind.type === 'object-list') continue;
			checkField(field, field.path, getPath(cluster, field.path), cluster, problems);
			continue;
		}
		const listPath = field.path.slice(0, itemAt);
		const rest = field.path.slice(itemAt + 3);
		const items = getPath(cluster, listPath);
		if (!Array.isArray(items)) continue;
		items.forEach((item, index) => checkField(field, `${listPath}[${index}].${rest}`, getPath(item, rest), cluster, problems));
	}
	return problems;
}

function cidrOf(value: string): Cidr | undefined {
	const parsed = parseCidr(value);
	return parsed.ok ? parsed.cidr : undefined;
}

function hostRules(cluster: Cluster, problems: Problem[]): void {
	const { hosts, target, kubernetes, ssh } = cluster.spec;
	if (target === 'aws') {
		if (hosts.length > 0) problems.push({ path: 'spec.hosts', message: 'not used with target "aws"; instances are found from spec.aws.instanceIds or spec.aws.instanceTags' });
		return;
	}
	if (hosts.length === 0) {
		problems.push({ path: 'spec.hosts', message: 'required with target "baremetal": list at least one control-plane host (flags: --control-plane ADDR, --worker ADDR)' });
		return;
	}
	const seenAddress = new Map<string, number>();
	const seenName = new Map<string, number>();
	hosts.forEach((host, index) => {
		for (const [key, map] of [[host.address, seenAddress], [host.privateAddress, seenAddress]] as const) {
			if (key === undefined) continue;
			const earlier = map.get(key.toLowerCase());
			const field = key === host.address ? 'address' : 'privateAddress';
			if (earlier !== undefined && earlier !== index) problems.push({ path: `spec.hosts[${index}].${field}`, message: `"${key}" is already used by spec.hosts[${earlier}]` });
			else map.set(key.toLowerCase(), index);
		}
		if (host.name !== undefined) {
			const earlier = seenName.get(host.name);
			if (earlier !== undefined) problems.push({ path: `spec.hosts[${index}].name`, message: `"${host.name}" is already the name of spec.hosts[${earlier}]` });
			else seenName.set(host.name, index);
		}
	});
	const controlPlanes = hosts.filter((h) => h.role === 'control-plane').length;
	if (controlPlanes === 0) {
		problems.push({ path: 'spec.hosts', message: 'needs at least one host with role "control-plane"' });
	} else if (controlPlanes > 1) {
		if (controlPlanes % 2 === 0) problems.push({ path: 'spec.hosts', message: `has ${controlPlanes} control-plane hosts; use an odd number (1, 3, 5) so etcd keeps a quorum` });
		if (kubernetes.controlPlaneEndpoint === '') problems.push({ path: 'spec.kubernetes.controlPlaneEndpoint', message: `required with ${controlPlanes} control-plane hosts: a load balancer or DNS name (host[:port]) in front of their API servers` });
	}
	const bastion = ssh.bastion?.address;
	if (bastion !== undefined) {
		const index = hosts.findIndex((h) => h.address.toLowerCase() === bastion.toLowerCase());
		if (index !== -1) problems.push({ path: 'spec.ssh.bastion.address', message: `"${bastion}" is spec.hosts[${index}] itself; a bastion is a separate jump host` });
	}
}

function subnetRules(cluster: Cluster, problems: Problem[]): void {
	const { kubernetes, hosts, target, network } = cluster.spec;
	const pod = cidrOf(kubernetes.podSubnet);
	const service = cidrOf(kubernetes.serviceSubnet);
	if (pod && service && cidrsOverlap(pod, service)) {
		problems.push({ path: 'spec.kubernetes.serviceSubnet', message: `${kubernetes.serviceSubnet} overlaps the pod subnet ${kubernetes.podSubnet}; pick ranges that do not intersect` });
	}
	for (const [index, host] of hosts.entries()) {
		for (const key of ['address', 'privateAddress'] as const) {
			const address = host[key];
			if (address === undefined || !isIPv4(address)) continue;
			for (const [name, cidr, text] of [['pod subnet', pod, kubernetes.podSubnet], ['service subnet', service, kubernetes.serviceSubnet]] as const) {
				if (cidr && cidrContainsAddress(cidr, address)) {
					const field = name === 'pod subnet' ? 'podSubnet' : 'serviceSubnet';
					problems.push({ path: `spec.kubernetes.${field}`, message: `${text} contains spec.hosts[${index}].${key} ${address}; node addresses must be outside the ${name}` });
				}
			}
		}
	}
	const ciliumPerNode = network.cni !== 'cilium' || network.cilium.ipam === 'cluster-pool' || network.cilium.ipam === 'kubernetes';
	if (pod && ciliumPerNode) {
		const nodes = target === 'aws' ? cluster.spec.aws?.instanceIds.length ?? 0 : hosts.length;
		if (pod.prefix > 24) {
			problems.push({ path: 'spec.kubernetes.podSubnet', message: `${kubernetes.podSubnet} is smaller than one node's /24; use /24 or larger (e.g. /16)` });
		} else if (nodes > 2 ** (24 - pod.prefix)) {
			problems.push({ path: 'spec.kubernetes.podSubnet', message: `${kubernetes.podSubnet} holds ${2 ** (24 - pod.prefix)} node /24 blocks but there are ${nodes} nodes; use a larger subnet` });
		}
	}
}

function ciliumRules(cluster: Cluster, problems: Problem[]): void {
	const { network, target, kubernetes, hosts } = cluster.spec;
	if (network.cni !== 'cilium') return;
	const c = network.cilium;
	if (c.ipam === 'eni') {
		if (target !== 'aws') problems.push({ path: 'spec.network.cilium.ipam', message: `"eni" is only supported with target "aws"` });
		if (!c.disableMasquerade) problems.push({ path: 'spec.network.cilium.disableMasquerade', message: 'must be true when ipam is "eni": pods use VPC addresses, which must not be masqueraded' });
		if (c.tunnel !== 'disabled') problems.push({ path: 'spec.network.cilium.tunnel', message: 'must be "disabled" when ipam is "eni": ENI mode supports native routing only' });
	}
	if (c.tunnel === 'disabled' && !c.disableMasquerade && c.ipam !== 'eni' && c.nativeRoutingCIDR === '') {
		problems.push({ path: 'spec.network.cilium.nativeRoutingCIDR', message: 'required when tunnel is "disabled" and masquerade is on: the CIDR pod traffic is routed in without masquerading (it must contain the pod subnet)' });
	}
	if (c.nativeRoutingCIDR !== '') {
		const native = cidrOf(c.nativeRoutingCIDR);
		const pod = cidrOf(kubernetes.podSubnet);
		if (native && pod && !cidrContains(native, pod)) {
			problems.push({ path: 'spec.network.cilium.nativeRoutingCIDR', message: `${c.nativeRoutingCIDR} must contain the pod subnet ${kubernetes.podSubnet}` });
		}
	}
	if (c.kubeProxyReplacement && kubernetes.controlPlaneEndpoint === '' && (target === 'aws' || !hosts.some((h) => h.role === 'control-plane'))) {
		problems.push({ path: 'spec.kubernetes.controlPlaneEndpoint', message: 'required with kubeProxyReplacement on target "aws": Cilium must reach the API server without kube-proxy before instances are discovered' });
	}
}

function calicoRules(cluster: Cluster, problems: Problem[]): void {
	const { network } = cluster.spec;
	if (network.cni !== 'calico') return;
	if (network.calico.crossSubnet && network.calico.encapsulation === 'none') {
		problems.push({ path: 'spec.network.calico.crossSubnet', message: 'only applies with encapsulation "ipip" or "vxlan"; with "none" nothing is encapsulated' });
	}
}

function awsRules(cluster: Cluster, problems: Problem[]): void {
	const { target, aws } = cluster.spec;
	if (target !== 'aws') {
		if (aws !== undefined) problems.push({ path: 'spec.aws', message: 'only used with target "aws"; remove it or set spec.target: aws' });
		return;
	}
	if (aws === undefined) return;
	const byId = aws.instanceIds.length > 0;
	const byTag = Object.keys(aws.instanceTags).length > 0;
	if (!byId && !byTag) problems.push({ path: 'spec.aws.instanceIds', message: 'required: list instance IDs (--aws-instance-id) or set spec.aws.instanceTags (--aws-instance-tag KEY=VALUE)' });
	if (byId && byTag) problems.push({ path: 'spec.aws.instanceTags', message: 'use instanceIds or instanceTags, not both' });
}

function endpointRules(cluster: Cluster, problems: Problem[]): void {
	const endpoint = cluster.spec.kubernetes.controlPlaneEndpoint;
	if (endpoint === '') return;
	const { host } = splitHostPort(endpoint);
	const service = cidrOf(cluster.spec.kubernetes.serviceSubnet);
	if (service && cidrContainsAddress(service, host)) {
		problems.push({ path: 'spec.kubernetes.controlPlaneEndpoint', message: `${host} is inside the service subnet ${cluster.spec.kubernetes.serviceSubnet}; use an address nodes can reach` });
	}
}

/** Cross-field rules from ARCHITECTURE.md "Rules every entry point enforces". */
export function checkRules(cluster: Cluster): Problem[] {
	const problems: Problem[] = [];
	hostRules(cluster, problems);
	subnetRules(cluster, problems);
	ciliumRules(cluster, problems);
	calicoRules(cluster, problems);
	awsRules(cluster, problems);
	endpointRules(cluster, problems);
	return problems;
}

/** All problems with a merged cluster; fields first, then rules, without repeating a path's rule when the field itself is invalid. */
export function validateCluster(cluster: Cluster): Problem[] {
	const fieldProblems = checkFields(cluster);
	if (fieldProblems.length === 0) return checkRules(cluster);
	// With a field already wrong, rules may meet missing values; report what they can.
	let ruleProblems: Problem[] = [];
	try {
		ruleProblems = checkRules(cluster);
	} catch {
		ruleProblems = [];
	}
	const bad = new Set(fieldProblems.map((p) => p.path));
	return [...fieldProblems, ...ruleProblems.filter((p) => !bad.has(p.path))];
}
