// Which traffic between nodes the chosen CNI and Kubernetes need, and whether the instances' security
// groups let it in. Pure: the groups come in already described, so every case is a table test.
// Only ingress is analysed: egress is open in EC2's default group rule, and kubestrap says so in the README.
import type { IpPermission } from '@aws-sdk/client-ec2';
import { cidrContainsAddress, parseCidr } from '../spec/addresses.js';
import type { Cluster } from '../spec/types.js';
import { TYPHA_NODE_THRESHOLD } from '../cluster/calico.js';
import type { InstanceRow } from './discover.js';

export type Protocol = 'tcp' | 'udp' | '4';

/** Traffic the cluster needs from `from` nodes to `to` nodes. */
export interface Requirement {
	/** the config field that makes it necessary (the message's path) */
	path: string;
	/** what uses it, e.g. "Cilium VXLAN" */
	purpose: string;
	protocol: Protocol;
	/** first and last port; absent for IP protocol 4 */
	ports?: [number, number];
	from: 'all' | 'control-plane';
	to: 'all' | 'control-plane';
}

/** Kubernetes' own ports, then the CNI's (ARCHITECTURE/cni-facts: ports between nodes). */
export function requirements(cluster: Cluster, controlPlanes: number, nodes: number): Requirement[] {
	const out: Requirement[] = [
		{ path: 'spec.target', purpose: 'the Kubernetes API server', protocol: 'tcp', ports: [6443, 6443], from: 'all', to: 'control-plane' },
		{ path: 'spec.target', purpose: 'the kubelet API', protocol: 'tcp', ports: [10250, 10250], from: 'control-plane', to: 'all' },
	];
	if (controlPlanes > 1) out.push({ path: 'spec.target', purpose: 'etcd between control planes', protocol: 'tcp', ports: [2379, 2380], from: 'control-plane', to: 'control-plane' });
	const { network } = cluster.spec;
	if (network.cni === 'cilium') {
		const { tunnel } = network.cilium;
		if (tunnel === 'vxlan') out.push({ path: 'spec.network.cilium.tunnel', purpose: 'Cilium VXLAN', protocol: 'udp', ports: [8472, 8472], from: 'all', to: 'all' });
		if (tunnel === 'geneve') out.push({ path: 'spec.network.cilium.tunnel', purpose: 'Cilium Geneve', protocol: 'udp', ports: [6081, 6081], from: 'all', to: 'all' });
		out.push({ path: 'spec.network.cni', purpose: 'cilium-health', protocol: 'tcp', ports: [4240, 4240], from: 'all', to: 'all' });
	} else {
		const { encapsulation } = network.calico;
		// IPIP and unencapsulated pools get their routes from BGP (calico_backend bird); VXLAN runs without BIRD.
		if (encapsulation !== 'vxlan') out.push({ path: 'spec.network.calico.encapsulation', purpose: 'Calico BGP (BIRD)', protocol: 'tcp', ports: [179, 179], from: 'all', to: 'all' });
		if (encapsulation === 'ipip') out.push({ path: 'spec.network.calico.encapsulation', purpose: 'Calico IP-in-IP', protocol: '4', from: 'all', to: 'all' });
		if (encapsulation === 'vxlan') out.push({ path: 'spec.network.calico.encapsulation', purpose: 'Calico VXLAN', protocol: 'udp', ports: [4789, 4789], from: 'all', to: 'all' });
		if (nodes > TYPHA_NODE_THRESHOLD) out.push({ path: 'spec.network.cni', purpose: 'Calico Typha', protocol: 'tcp', ports: [5473, 5473], from: 'all', to: 'all' });
	}
	return out;
}

/** One ingress permission, normalised: protocol names for numbers, ports absent for "all". */
export interface Permission {
	/** tcp | udp | icmp | a protocol number | -1 (all) */
	protocol: string;
	ports?: [number, number];
	groups: string[];
	cidrs: string[];
}

const PROTOCOL_NAMES: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '4': '4', ipip: '4' };

export function permission(p: IpPermission): Permission {
	const raw = (p.IpProtocol ?? '-1').toLowerCase();
	const protocol = PROTOCOL_NAMES[raw] ?? raw;
	const hasPorts = (protocol === 'tcp' || protocol === 'udp') && p.FromPort !== undefined && p.ToPort !== undefined && p.FromPort !== -1;
	return {
		protocol,
		...(hasPorts ? { ports: [p.FromPort as number, p.ToPort as number] as [number, number] } : {}),
		groups: (p.UserIdGroupPairs ?? []).map((pair) => pair.GroupId ?? '').filter((id) => id !== ''),
		cidrs: (p.IpRanges ?? []).map((range) => range.CidrIp ?? '').filter((cidr) => cidr !== ''),
	};
}

function coversTraffic(p: Permission, requirement: Requirement): boolean {
	if (p.protocol !== '-1' && p.protocol !== requirement.protocol) return false;
	if (requirement.ports === undefined || p.ports === undefined) return true;
	return p.ports[0] <= requirement.ports[0] && requirement.ports[1] <= p.ports[1];
}

function admits(p: Permission, source: InstanceRow): boolean {
	if (p.groups.some((g) => source.securityGroups.includes(g))) return true;
	return p.cidrs.some((text) => {
		const parsed = parseCidr(text);
		return parsed.ok && source.privateIp !== '' && cidrContainsAddress(parsed.cidr, source.privateIp);
	});
}

/** A rule that would let the missing traffic in, in the form the API and the AWS CLI take. */
export interface IngressRule {
	groupId: string;
	protocol: Protocol;
	ports?: [number, number];
	/** a group every source instance is in, else each source's private address as a /32 */
	source: { groupId: string } | { cidrs: string[] };
	description: string;
}

export interface MissingRule {
	requirement: Requirement;
	rule: IngressRule;
	/** the instances that do not let the traffic in */
	instances: string[];
}

function common(rows: readonly InstanceRow[]): string[] {
	const [first, ...rest] = rows;
	if (!first) return [];
	return first.securityGroups.filter((g) => rest.every((row) => row.securityGroups.includes(g)));
}

/**
 * For each requirement, the rules to add so every `to` instance admits every other `from` instance: one
 * self-referencing rule when one group holds all of them (the usual "cluster" security group), else one
 * rule per target group whose source is a group all its blocked sources share, or their /32 addresses.
 */
export function missingRules(rows: readonly InstanceRow[], groups: ReadonlyMap<string, readonly Permission[]>, wanted: readonly Requirement[]): MissingRule[] {
	const out: MissingRule[] = [];
	const pick = (side: 'all' | 'control-plane'): InstanceRow[] => rows.filter((r) => side === 'all' || r.role === 'control-plane');
	const inOrder = (ids: ReadonlySet<string>): InstanceRow[] => rows.filter((r) => ids.has(r.id));
	for (const requirement of wanted) {
		const blockedBy = new Map<string, Set<string>>();
		for (const target of pick(requirement.to)) {
			const permissions = target.securityGroups.flatMap((g) => groups.get(g) ?? []).filter((p) => coversTraffic(p, requirement));
			const blocked = pick(requirement.from).filter((source) => source.id !== target.id && !permissions.some((p) => admits(p, source)));
			if (blocked.length > 0) blockedBy.set(target.id, new Set(blocked.map((b) => b.id)));
		}
		if (blockedBy.size === 0) continue;
		const targets = inOrder(new Set(blockedBy.keys()));
		const allSources = inOrder(new Set([...blockedBy.values()].flatMap((set) => [...set])));
		const targetGroups = common(targets);
		const shared = common(allSources).find((g) => targetGroups.includes(g));
		const buckets = new Map<string, InstanceRow[]>();
		for (const row of targets) {
			const group = shared ?? targetGroups[0] ?? row.securityGroups[0] ?? '';
			buckets.set(group, [...(buckets.get(group) ?? []), row]);
		}
		for (const [groupId, members] of buckets) {
			const sources = inOrder(new Set(members.flatMap((m) => [...(blockedBy.get(m.id) ?? [])])));
			const sourceGroup = shared ?? common(sources)[0];
			const source: IngressRule['source'] = sourceGroup !== undefined ? { groupId: sourceGroup } : { cidrs: sources.map((r) => `${r.privateIp}/32`) };
			out.push({
				requirement,
				instances: members.map((m) => m.id),
				rule: { groupId, protocol: requirement.protocol, ...(requirement.ports ? { ports: requirement.ports } : {}), source, description: `kubestrap: ${requirement.purpose}` },
			});
		}
	}
	return out;
}

export function trafficText(requirement: Pick<Requirement, 'protocol' | 'ports'>): string {
	if (requirement.protocol === '4') return 'IP protocol 4 (IP-in-IP)';
	const [from, to] = requirement.ports ?? [0, 65535];
	return `${from === to ? from : `${from}-${to}`}/${requirement.protocol}`;
}

/** The AWS CLI command that adds the rule (the same permission the opt-in fix sends). */
export function ruleCommand(rule: IngressRule, region: string): string {
	const ports = rule.ports ? `,FromPort=${rule.ports[0]},ToPort=${rule.ports[1]}` : '';
	const source = 'groupId' in rule.source
		? `UserIdGroupPairs=[{GroupId=${rule.source.groupId}}]`
		: `IpRanges=[${rule.source.cidrs.map((cidr) => `{CidrIp=${cidr}}`).join(',')}]`;
	return `aws ec2 authorize-security-group-ingress --region ${region} --group-id ${rule.groupId} --ip-permissions 'IpProtocol=${rule.protocol}${ports},${source}'`;
}

/** The rule as EC2's IpPermission, for AuthorizeSecurityGroupIngress. */
export function rulePermission(rule: IngressRule): IpPermission {
	return {
		IpProtocol: rule.protocol,
		...(rule.ports ? { FromPort: rule.ports[0], ToPort: rule.ports[1] } : {}),
		...('groupId' in rule.source
			? { UserIdGroupPairs: [{ GroupId: rule.source.groupId, Description: rule.description }] }
			: { IpRanges: rule.source.cidrs.map((cidr) => ({ CidrIp: cidr, Description: rule.description })) }),
	};
}
