// The checks an AWS install must pass before any SSH connection, on the discovered instances: one VPC,
// pod and service subnets outside the VPC's CIDRs, a sound control-plane count, source/destination
// check off where pod traffic leaves unencapsulated, security groups that let the CNI's and Kubernetes'
// traffic in, and in ENI mode an instance profile on the control planes and maxPods per instance type.
// A problem that kubestrap can fix when asked carries the fix (applied only with the opt-in flags).
import { DescribeVpcsCommand, type DescribeVpcsCommandOutput } from '@aws-sdk/client-ec2';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { cidrsOverlap, parseCidr, type Cidr } from '../spec/addresses.js';
import type { Cluster, Problem } from '../spec/types.js';
import { callEc2, type CallOptions } from './call.js';
import { label, ROLE_TAG, selectorPath, type InstanceRow } from './discover.js';
import { instanceTypeLimits } from './max-pods.js';
import { describeGroups } from './describe-groups.js';
import { missingRules, requirements, ruleCommand, trafficText, type IngressRule } from './security-groups.js';

export type AwsFix =
	| { kind: 'source-dest-check'; instanceIds: string[] }
	| { kind: 'security-group-ingress'; rule: IngressRule };

/** A problem, and the change that fixes it when kubestrap may make it (--aws-fix-source-dest-check, --aws-fix-security-groups). */
export interface AwsFinding extends Problem {
	fix?: AwsFix;
}

export interface AwsCheck {
	problems: AwsFinding[];
	warnings: Problem[];
	/** ENI mode: kubelet maxPods per instance ID, from the instance type's ENI limits */
	maxPods: Map<string, number>;
	/** lines worth showing before the install (maxPods per type) */
	notes: string[];
}

export const FIX_SOURCE_DEST_FLAG = '--aws-fix-source-dest-check';
export const FIX_SECURITY_GROUPS_FLAG = '--aws-fix-security-groups';

function cidr(text: string): Cidr | undefined {
	const parsed = parseCidr(text);
	return parsed.ok ? parsed.cidr : undefined;
}

function ids(rows: readonly InstanceRow[]): string {
	return rows.map((r) => r.id).join(', ');
}

function topology(cluster: Cluster, rows: readonly InstanceRow[], problems: AwsFinding[]): void {
	const aws = cluster.spec.aws;
	if (!aws) return;
	const controlPlanes = rows.filter((r) => r.role === 'control-plane').length;
	if (controlPlanes === 0) {
		problems.push({ path: selectorPath(aws), message: `none of the ${rows.length} instances is tagged ${ROLE_TAG}=control-plane; tag one: aws ec2 create-tags --region ${aws.region} --resources ${rows[0]?.id ?? 'INSTANCE_ID'} --tags Key=${ROLE_TAG},Value=control-plane` });
	} else if (controlPlanes > 1) {
		if (controlPlanes % 2 === 0) problems.push({ path: selectorPath(aws), message: `${controlPlanes} instances are tagged ${ROLE_TAG}=control-plane; use an odd number (1, 3, 5) so etcd keeps a quorum` });
		if (cluster.spec.kubernetes.controlPlaneEndpoint === '') problems.push({ path: 'spec.kubernetes.controlPlaneEndpoint', message: `required with ${controlPlanes} control-plane instances: a load balancer or DNS name (host[:port]) in front of their API servers` });
	}
	const { network, kubernetes } = cluster.spec;
	const perNode = network.cni !== 'cilium' || network.cilium.ipam === 'cluster-pool' || network.cilium.ipam === 'kubernetes';
	const pod = cidr(kubernetes.podSubnet);
	if (perNode && pod && pod.prefix <= 24 && rows.length > 2 ** (24 - pod.prefix)) {
		problems.push({ path: 'spec.kubernetes.podSubnet', message: `${kubernetes.podSubnet} holds ${2 ** (24 - pod.prefix)} node /24 blocks but ${rows.length} instances were found; use a larger subnet` });
	}
}

const POD_CANDIDATES = ['10.244.0.0/16', '100.64.0.0/16', '172.16.0.0/16', '192.168.0.0/16'];
const SERVICE_CANDIDATES = ['10.96.0.0/12', '172.20.0.0/16', '100.96.0.0/16'];

function outside(candidates: readonly string[], avoid: readonly Cidr[]): string | undefined {
	return candidates.find((text) => {
		const c = cidr(text);
		return c !== undefined && !avoid.some((a) => cidrsOverlap(a, c));
	});
}

async function vpcOverlap(client: EC2Client, cluster: Cluster, vpc: string, options: CallOptions, problems: AwsFinding[]): Promise<void> {
	const out = await callEc2<DescribeVpcsCommandOutput>(client, new DescribeVpcsCommand({ VpcIds: [vpc] }), options);
	const found = out.Vpcs?.[0];
	const texts = new Set<string>();
	if (found?.CidrBlock) texts.add(found.CidrBlock);
	for (const association of found?.CidrBlockAssociationSet ?? []) {
		const state = association.CidrBlockState?.State;
		if (association.CidrBlock && (state === undefined || state === 'associated' || state === 'associating')) texts.add(association.CidrBlock);
	}
	const vpcCidrs = [...texts].map((text) => ({ text, cidr: cidr(text) })).filter((v): v is { text: string; cidr: Cidr } => v.cidr !== undefined);
	const { kubernetes } = cluster.spec;
	const pod = cidr(kubernetes.podSubnet);
	const service = cidr(kubernetes.serviceSubnet);
	for (const [field, own, other, candidates, what] of [
		['podSubnet', pod, service, POD_CANDIDATES, 'pod'],
		['serviceSubnet', service, pod, SERVICE_CANDIDATES, 'Service'],
	] as const) {
		if (!own) continue;
		const hit = vpcCidrs.find((v) => cidrsOverlap(v.cidr, own));
		if (!hit) continue;
		const suggestion = outside(candidates, [...vpcCidrs.map((v) => v.cidr), ...(other ? [other] : [])]);
		problems.push({
			path: `spec.kubernetes.${field}`,
			message: `${kubernetes[field]} overlaps ${hit.text} of ${vpc}, the instances' VPC; ${what} addresses must be outside the VPC${suggestion ? `, e.g. ${suggestion}` : ''}`,
		});
	}
}

/** The field that sends pod traffic between nodes without encapsulation, if any: EC2 drops it while source/destination check is on. */
function unencapsulated(cluster: Cluster): { path: string; why: string } | undefined {
	const { network } = cluster.spec;
	if (network.cni === 'calico') {
		if (network.calico.encapsulation === 'none') return { path: 'spec.network.calico.encapsulation', why: '"none" sends pod traffic between nodes unencapsulated' };
		if (network.calico.crossSubnet) return { path: 'spec.network.calico.crossSubnet', why: 'true sends pod traffic between nodes of one subnet unencapsulated' };
		return undefined;
	}
	// ENI pods have VPC addresses of the node's own ENIs, which the check allows.
	if (network.cilium.tunnel === 'disabled' && network.cilium.ipam !== 'eni') return { path: 'spec.network.cilium.tunnel', why: '"disabled" routes pod addresses between nodes natively' };
	return undefined;
}

function sourceDestCheck(cluster: Cluster, rows: readonly InstanceRow[], problems: AwsFinding[]): void {
	const cause = unencapsulated(cluster);
	const region = cluster.spec.aws?.region ?? '';
	if (!cause) return;
	const on = rows.filter((r) => r.sourceDestCheck !== false);
	if (on.length === 0) return;
	problems.push({
		path: cause.path,
		message: `${cause.why}, and EC2 drops packets with addresses that are not the instance's own while source/destination check is on, as it is on ${ids(on)}. `
			+ `Run with ${FIX_SOURCE_DEST_FLAG} to turn it off, or: ${on.map((r) => `aws ec2 modify-instance-attribute --region ${region} --instance-id ${r.id} --no-source-dest-check`).join('; ')}`,
		fix: { kind: 'source-dest-check', instanceIds: on.map((r) => r.id) },
	});
}

async function securityGroups(client: EC2Client, cluster: Cluster, rows: readonly InstanceRow[], options: CallOptions, problems: AwsFinding[]): Promise<void> {
	if (rows.length < 2) return;
	const groups = await describeGroups(client, [...new Set(rows.flatMap((r) => r.securityGroups))], options);
	const controlPlanes = rows.filter((r) => r.role === 'control-plane').length;
	const side = (s: 'all' | 'control-plane'): string => (s === 'all' ? 'every node' : 'the control planes');
	for (const missing of missingRules(rows, groups, requirements(cluster, controlPlanes, rows.length))) {
		const { requirement, rule } = missing;
		problems.push({
			path: requirement.path,
			message: `${requirement.purpose} needs ${trafficText(requirement)} from ${side(requirement.from)} to ${side(requirement.to)}, and security group ${rule.groupId} of ${missing.instances.join(', ')} does not let it in. `
				+ `Run with ${FIX_SECURITY_GROUPS_FLAG} to add the rule, or: ${ruleCommand(rule, options.region)}`,
			fix: { kind: 'security-group-ingress', rule },
		});
	}
}

async function eniMode(client: EC2Client, rows: readonly InstanceRow[], options: CallOptions, result: AwsCheck): Promise<void> {
	for (const row of rows.filter((r) => r.role === 'control-plane' && r.profile === undefined)) {
		result.warnings.push({
			path: 'spec.network.cilium.ipam',
			message: `control-plane instance ${label(row)} has no IAM instance profile; cilium-operator runs there in ENI mode and needs the policy \`kubestrap aws iam-policy\` prints. `
				+ `Create a role with it and attach its profile: aws ec2 associate-iam-instance-profile --region ${options.region} --instance-id ${row.id} --iam-instance-profile Name=PROFILE`,
		});
	}
	const limits = await instanceTypeLimits(client, rows.map((r) => r.type), options);
	const byType = new Map<string, string[]>();
	for (const row of rows) {
		const limit = limits.get(row.type);
		if (!limit) {
			result.warnings.push({ path: 'spec.network.cilium.ipam', message: `DescribeInstanceTypes does not know ${row.type} of ${row.id}; kubelet keeps its default maxPods (110), which may exceed the addresses its ENIs can hold` });
			continue;
		}
		result.maxPods.set(row.id, limit.maxPods);
		byType.set(row.type, [...(byType.get(row.type) ?? []), row.id]);
	}
	for (const [type, instances] of byType) {
		const limit = limits.get(type);
		if (limit) result.notes.push(`maxPods ${limit.maxPods} on ${type} (${limit.enis} ENIs × ${limit.ipv4PerEni} IPv4 addresses): ${instances.join(', ')}`);
	}
}

/**
 * Runs every check on discovered instances. With instances in more than one VPC only that problem is
 * reported: subnet and security-group answers would be about the wrong network.
 */
export async function checkAws(client: EC2Client, cluster: Cluster, rows: readonly InstanceRow[], options: CallOptions): Promise<AwsCheck> {
	const result: AwsCheck = { problems: [], warnings: [], maxPods: new Map(), notes: [] };
	const aws = cluster.spec.aws;
	if (!aws || rows.length === 0) return result;
	const vpcs = new Map<string, InstanceRow[]>();
	for (const row of rows) vpcs.set(row.vpc, [...(vpcs.get(row.vpc) ?? []), row]);
	if (vpcs.size > 1) {
		const list = [...vpcs].map(([vpc, members]) => `${vpc || '(no VPC)'}: ${ids(members)}`).join('; ');
		result.problems.push({ path: selectorPath(aws), message: `the instances are in ${vpcs.size} VPCs (${list}); a cluster's nodes must share one VPC, so choose instances from one of them` });
		return result;
	}
	topology(cluster, rows, result.problems);
	const vpc = rows[0]?.vpc;
	if (vpc) await vpcOverlap(client, cluster, vpc, options, result.problems);
	sourceDestCheck(cluster, rows, result.problems);
	await securityGroups(client, cluster, rows, options, result.problems);
	if (cluster.spec.network.cni === 'cilium' && cluster.spec.network.cilium.ipam === 'eni') await eniMode(client, rows, options, result);
	return result;
}
