// Builders for EC2 answers in the cloud tests, so each test states only what differs.
import { EC2Client, EC2ServiceException, type Instance, type IpPermission } from '@aws-sdk/client-ec2';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { resolveSpec } from '../../source/spec/resolve.js';
import type { CallOptions } from '../../source/cloud/call.js';
import type { Cluster } from '../../source/spec/types.js';

export interface InstanceSpec {
	id: string;
	role?: string;
	name?: string;
	state?: string;
	vpc?: string;
	subnet?: string;
	privateIp?: string;
	publicIp?: string;
	type?: string;
	groups?: string[];
	profile?: string;
	sourceDestCheck?: boolean;
}

export function instance(spec: InstanceSpec): Instance {
	const octet = Number.parseInt(spec.id.slice(-2), 16) % 250 + 2;
	const privateIp = spec.privateIp ?? `10.0.1.${octet}`;
	return {
		InstanceId: spec.id,
		InstanceType: (spec.type ?? 't3.medium') as Instance['InstanceType'],
		Placement: { AvailabilityZone: 'eu-west-1a' },
		SubnetId: spec.subnet ?? 'subnet-1',
		VpcId: spec.vpc ?? 'vpc-1',
		PrivateIpAddress: privateIp,
		PrivateDnsName: `ip-${privateIp.replace(/\./g, '-')}.eu-west-1.compute.internal`,
		...(spec.publicIp === undefined ? { PublicIpAddress: `198.51.100.${octet}` } : spec.publicIp === '' ? {} : { PublicIpAddress: spec.publicIp }),
		State: { Name: (spec.state ?? 'running') as 'running', Code: 16 },
		Tags: [
			...(spec.role === undefined ? [{ Key: 'kubestrap.dev/role', Value: 'worker' }] : spec.role === '' ? [] : [{ Key: 'kubestrap.dev/role', Value: spec.role }]),
			...(spec.name ? [{ Key: 'Name', Value: spec.name }] : []),
		],
		...(spec.profile ? { IamInstanceProfile: { Arn: spec.profile, Id: 'AIPA0000' } } : {}),
		SourceDestCheck: spec.sourceDestCheck ?? true,
		SecurityGroups: (spec.groups ?? ['sg-nodes']).map((id) => ({ GroupId: id, GroupName: id })),
	};
}

export function reservations(...instances: Instance[]): { Reservations: Array<{ Instances: Instance[] }> } {
	return { Reservations: instances.map((i) => ({ Instances: [i] })) };
}

/** A fresh client with its own stub: tests in one file run concurrently without sharing answers. */
export function mockedEc2(): { client: EC2Client; mock: AwsClientStub<EC2Client> } {
	const client = new EC2Client({ region: 'eu-west-1' });
	return { client, mock: mockClient(client) };
}

/** Retries without waiting. */
export function callOptions(extra: Partial<CallOptions> = {}): CallOptions {
	return { region: 'eu-west-1', retry: { sleep: async () => undefined, random: () => 0.5 }, ...extra };
}

export function ec2Error(name: string, message: string, status = 400): EC2ServiceException {
	return new EC2ServiceException({ name, message, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

/** Everything allowed between members of the group: what a typical "cluster" security group has. */
export function selfAll(group: string): IpPermission {
	return { IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: group }] };
}

export function awsCluster(changes: { cni?: 'cilium' | 'calico'; cilium?: Record<string, unknown>; calico?: Record<string, unknown>; aws?: Record<string, unknown>; kubernetes?: Record<string, unknown> } = {}): Cluster {
	const result = resolveSpec({
		flags: {
			metadata: { name: 'demo' },
			spec: {
				target: 'aws',
				aws: { region: 'eu-west-1', instanceTags: { 'kubestrap.dev/cluster': 'demo' }, ...changes.aws },
				kubernetes: { podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12', ...changes.kubernetes },
				network: { cni: changes.cni ?? 'cilium', ...(changes.cilium ? { cilium: changes.cilium } : {}), ...(changes.calico ? { calico: changes.calico } : {}) },
			},
		},
	});
	if (!result.ok) throw new Error(JSON.stringify(result.problems));
	return result.cluster;
}
