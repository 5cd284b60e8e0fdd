// EC2's side of a failed network check on AWS: the instance under each node (matched by private IP, then
// by private DNS name), its subnet, source/destination check and security groups, and for each failed
// node pair the security-group rules missing for the CNI's traffic between the two instances (the same
// analysis the install's checks run, security-groups.ts). The mapping to causes is pure, in
// cluster/check/causes.ts; this file only reads and shapes.
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { AwsFacts, AwsMissingRule, AwsNodeFacts, CheckNode } from '../cluster/check/types.js';
import type { Cluster } from '../spec/types.js';
import { type CallOptions } from './call.js';
import { describeGroups } from './describe-groups.js';
import { discoverInstances, type InstanceRow } from './discover.js';
import { missingRules, requirements, ruleCommand, trafficText, type Permission, type Requirement } from './security-groups.js';

/** The requirements that carry pod traffic between two nodes: the tunnel, IP-in-IP, BGP (not the API or kubelet). */
const DATAPATH_FIELDS = new Set(['spec.network.cilium.tunnel', 'spec.network.calico.encapsulation']);

/** Which instance a node runs on: the InternalIP is the instance's primary private address; else its DNS name. */
export function matchInstance(node: CheckNode, rows: readonly InstanceRow[]): InstanceRow | undefined {
	return rows.find((r) => r.privateIp !== '' && r.privateIp === node.address)
		?? rows.find((r) => r.privateDnsName !== '' && (r.privateDnsName === node.name || r.privateDnsName.split('.')[0] === node.name));
}

/** The missing rules between two instances, from already described groups. Pure. */
export function pairRules(pair: [string, string], rows: readonly [InstanceRow, InstanceRow], groups: ReadonlyMap<string, readonly Permission[]>, wanted: readonly Requirement[], region: string): AwsMissingRule[] {
	const node = new Map([[rows[0].id, pair[0]], [rows[1].id, pair[1]]]);
	const sorted = [...pair].sort() as [string, string];
	return missingRules(rows, groups, wanted).map((m) => ({
		pair: sorted,
		nodes: m.instances.map((id) => node.get(id) ?? id),
		traffic: trafficText(m.requirement),
		purpose: m.requirement.purpose,
		encapsulation: m.requirement.protocol !== 'tcp',
		groupId: m.rule.groupId,
		source: 'groupId' in m.rule.source ? m.rule.source.groupId : m.rule.source.cidrs.join(', '),
		command: ruleCommand(m.rule, region),
	}));
}

/** Reads the instances and their groups, then the missing rules for each of the failed pairs. */
export async function awsNetworkFacts(client: EC2Client, cluster: Cluster, nodes: readonly CheckNode[], pairs: ReadonlyArray<[string, string]>, options: CallOptions): Promise<AwsFacts> {
	const aws = cluster.spec.aws;
	if (!aws) throw new Error('spec.aws: required to read the instances of target "aws"');
	const rows = (await discoverInstances(client, aws, options)).instances;
	const byNode = new Map<string, InstanceRow>();
	for (const node of nodes) {
		const row = matchInstance(node, rows);
		if (row) byNode.set(node.name, row);
	}
	const facts = new Map<string, AwsNodeFacts>([...byNode].map(([name, row]) => [name, {
		instanceId: row.id, subnet: row.subnet, securityGroups: row.securityGroups, ...(row.sourceDestCheck !== undefined ? { sourceDestCheck: row.sourceDestCheck } : {}),
	}]));
	const asked = pairs.filter(([a, b]) => byNode.has(a) && byNode.has(b));
	const controlPlanes = rows.filter((r) => r.role === 'control-plane').length;
	const wanted = requirements(cluster, controlPlanes, rows.length).filter((r) => r.from === 'all' && r.to === 'all' && DATAPATH_FIELDS.has(r.path));
	const checked = wanted.map((r) => `${trafficText(r)} (${r.purpose})`);
	if (asked.length === 0) return { region: aws.region, nodes: facts, missing: [], checked };
	const involved = [...new Set(asked.flatMap(([a, b]) => [byNode.get(a) as InstanceRow, byNode.get(b) as InstanceRow]))];
	const groups = await describeGroups(client, [...new Set(involved.flatMap((r) => r.securityGroups))], options);
	const missing = asked.flatMap(([a, b]) => pairRules([a, b], [byNode.get(a) as InstanceRow, byNode.get(b) as InstanceRow], groups, wanted, aws.region));
	return { region: aws.region, nodes: facts, missing, checked };
}
