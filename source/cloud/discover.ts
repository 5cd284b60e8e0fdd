// Finds the instances a cluster is installed on (by ID or by tags), one row per instance with what the
// wizard table and the checks need, and the problems that stop an install before any SSH connection:
// none found, an unknown ID, an instance that is not running, a missing or wrong role tag, no address of
// the kind SSH is to use.
import { DescribeInstancesCommand, type DescribeInstancesCommandOutput, type Filter, type Instance } from '@aws-sdk/client-ec2';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { AwsSpec, Host, Problem, Role } from '../spec/types.js';
import { callEc2, type CallOptions } from './call.js';

/** The tag that makes an instance a control plane or a worker. */
export const ROLE_TAG = 'kubestrap.dev/role';
const ROLES: readonly Role[] = ['control-plane', 'worker'];
/** EC2 accepts at most 200 values per filter. */
const FILTER_VALUES = 200;

export interface InstanceRow {
	id: string;
	/** the Name tag, '' when there is none */
	name: string;
	type: string;
	az: string;
	subnet: string;
	vpc: string;
	privateIp: string;
	publicIp?: string;
	privateDnsName: string;
	/** pending | running | stopping | stopped | shutting-down | terminated */
	state: string;
	/** from the kubestrap.dev/role tag; undefined when it is missing or not a role */
	role?: Role;
	/** the tag's value as found, for messages */
	roleTag?: string;
	/** the instance profile's ARN, when one is attached */
	profile?: string;
	sourceDestCheck?: boolean;
	securityGroups: string[];
}

export interface Discovery {
	instances: InstanceRow[];
	/** each one stops the install (exit 2) */
	problems: Problem[];
	/** printed with their fix; the install goes on */
	warnings: Problem[];
}

function tag(instance: Instance, key: string): string | undefined {
	return instance.Tags?.find((t) => t.Key === key)?.Value;
}

export function instanceRow(instance: Instance): InstanceRow {
	const roleTag = tag(instance, ROLE_TAG);
	const role = ROLES.find((r) => r === roleTag);
	return {
		id: instance.InstanceId ?? '',
		name: tag(instance, 'Name') ?? '',
		type: instance.InstanceType ?? '',
		az: instance.Placement?.AvailabilityZone ?? '',
		subnet: instance.SubnetId ?? '',
		vpc: instance.VpcId ?? '',
		privateIp: instance.PrivateIpAddress ?? '',
		...(instance.PublicIpAddress ? { publicIp: instance.PublicIpAddress } : {}),
		privateDnsName: instance.PrivateDnsName ?? '',
		state: instance.State?.Name ?? 'unknown',
		...(role ? { role } : {}),
		...(roleTag !== undefined ? { roleTag } : {}),
		...(instance.IamInstanceProfile?.Arn ? { profile: instance.IamInstanceProfile.Arn } : {}),
		...(instance.SourceDestCheck !== undefined ? { sourceDestCheck: instance.SourceDestCheck } : {}),
		securityGroups: (instance.SecurityGroups ?? []).map((g) => g.GroupId ?? '').filter((id) => id !== ''),
	};
}

async function describeAll(client: EC2Client, filters: Filter[], options: CallOptions): Promise<Instance[]> {
	const instances: Instance[] = [];
	let token: string | undefined;
	do {
		const page = await callEc2<DescribeInstancesCommandOutput>(client, new DescribeInstancesCommand({ Filters: filters, MaxResults: 200, ...(token ? { NextToken: token } : {}) }), options);
		for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
		token = page.NextToken;
	} while (token);
	return instances;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}

/** The config path a problem with this instance is reported at: its place in instanceIds, else the tag selector. */
export function instancePath(aws: AwsSpec, id: string): string {
	const index = aws.instanceIds.indexOf(id);
	return index === -1 ? 'spec.aws.instanceTags' : `spec.aws.instanceIds[${index}]`;
}

/** The selector's config path: instanceIds or instanceTags. */
export function selectorPath(aws: AwsSpec): string {
	return aws.instanceIds.length > 0 ? 'spec.aws.instanceIds' : 'spec.aws.instanceTags';
}

export function label(row: InstanceRow): string {
	return row.name ? `${row.id} (${row.name})` : row.id;
}

function tagCommand(region: string, id: string, role: Role): string {
	return `aws ec2 create-tags --region ${region} --resources ${id} --tags Key=${ROLE_TAG},Value=${role}`;
}

function rowProblems(row: InstanceRow, aws: AwsSpec): Problem[] {
	const path = instancePath(aws, row.id);
	const problems: Problem[] = [];
	if (row.state !== 'running') {
		const fix = row.state === 'stopped' || row.state === 'stopping'
			? `start it: aws ec2 start-instances --region ${aws.region} --instance-ids ${row.id}`
			: row.state === 'pending' ? 'wait until it is running and run kubestrap again' : 'it cannot come back; use another instance';
		problems.push({ path, message: `${label(row)} is ${row.state}; kubestrap installs on running instances only: ${fix}` });
	}
	if (row.role === undefined) {
		const found = row.roleTag === undefined ? `has no ${ROLE_TAG} tag` : `has ${ROLE_TAG}=${JSON.stringify(row.roleTag)}`;
		problems.push({ path, message: `${label(row)} ${found}; tag it control-plane or worker, e.g. ${tagCommand(aws.region, row.id, 'worker')}` });
	}
	if (row.privateIp === '') problems.push({ path, message: `${label(row)} has no private IP address (no network interface in a VPC?)` });
	if (aws.addressType === 'public' && row.publicIp === undefined) {
		problems.push({ path: 'spec.aws.addressType', message: `"public", but ${label(row)} has no public IP address; SSH to private addresses (addressType: private, --aws-address-type private) through a bastion or VPN, or associate an Elastic IP with it` });
	}
	return problems;
}

const ROLE_ORDER: Record<string, number> = { 'control-plane': 0, worker: 1 };

/**
 * Describes the instances of spec.aws (IDs in their listed order; tags: control planes first, then by ID).
 * By tag, terminated instances are left out (EC2 lists them for about an hour after termination).
 */
export async function discoverInstances(client: EC2Client, aws: AwsSpec, options: CallOptions): Promise<Discovery> {
	const problems: Problem[] = [];
	let instances: Instance[];
	if (aws.instanceIds.length > 0) {
		// A filter, unlike InstanceIds, answers with the instances that exist instead of failing on the first unknown ID.
		const pages = await Promise.all(chunks(aws.instanceIds, FILTER_VALUES).map((ids) => describeAll(client, [{ Name: 'instance-id', Values: ids }], options)));
		instances = pages.flat();
	} else {
		const filters: Filter[] = Object.entries(aws.instanceTags).map(([key, value]) => ({ Name: `tag:${key}`, Values: [value] }));
		filters.push({ Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'] });
		instances = await describeAll(client, filters, options);
	}
	const byId = new Map(instances.map((i) => [i.InstanceId ?? '', instanceRow(i)]));
	let rows: InstanceRow[];
	if (aws.instanceIds.length > 0) {
		rows = [];
		aws.instanceIds.forEach((id, index) => {
			const row = byId.get(id);
			if (row) rows.push(row);
			else problems.push({ path: `spec.aws.instanceIds[${index}]`, message: `${id} was not found in region ${aws.region}; check the ID and the region (--aws-region)` });
		});
	} else {
		rows = [...byId.values()].sort((a, b) => (ROLE_ORDER[a.role ?? ''] ?? 2) - (ROLE_ORDER[b.role ?? ''] ?? 2) || a.id.localeCompare(b.id));
		if (rows.length === 0) {
			const tags = Object.entries(aws.instanceTags).map(([k, v]) => `${k}=${v}`).join(', ');
			problems.push({ path: 'spec.aws.instanceTags', message: `no instances in region ${aws.region} have the tags ${tags} (terminated instances are not counted); check the tags and the region (--aws-region)` });
		}
	}
	for (const row of rows) problems.push(...rowProblems(row, aws));
	return { instances: rows, problems, warnings: [] };
}

const RFC1123_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The node name kubeadm would pick: the instance's host name, which on EC2 is the first label of its
 * private DNS name (ip-10-0-1-23, or i-0abc… with resource-based names); the Name tag when there is no
 * DNS name and the tag is a valid node name; else none, and kubeadm uses the host name it finds.
 */
export function nodeName(row: InstanceRow): string | undefined {
	const fromDns = row.privateDnsName.split('.')[0]?.toLowerCase() ?? '';
	if (RFC1123_LABEL.test(fromDns)) return fromDns;
	const fromTag = row.name.toLowerCase();
	return RFC1123_LABEL.test(fromTag) ? fromTag : undefined;
}

/** The discovered instances as spec.hosts: SSH address by addressType, node-ip = the primary private address. */
export function hostsFromInstances(rows: readonly InstanceRow[], addressType: AwsSpec['addressType']): Host[] {
	return rows.map((row) => {
		const name = nodeName(row);
		return {
			address: addressType === 'public' && row.publicIp ? row.publicIp : row.privateIp,
			role: row.role ?? 'worker',
			privateAddress: row.privateIp,
			...(name ? { name } : {}),
		};
	});
}
