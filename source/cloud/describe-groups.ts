// Reads the ingress rules of security groups (DescribeSecurityGroups, 200 IDs a call, every page),
// normalised for the pure analysis in security-groups.ts. Shared by the install's checks and the network
// check's causes.
import { DescribeSecurityGroupsCommand, type DescribeSecurityGroupsCommandOutput, type EC2Client } from '@aws-sdk/client-ec2';
import { callEc2, type CallOptions } from './call.js';
import { permission, type Permission } from './security-groups.js';

export async function describeGroups(client: EC2Client, groupIds: readonly string[], options: CallOptions): Promise<Map<string, Permission[]>> {
	const groups = new Map<string, Permission[]>();
	for (let i = 0; i < groupIds.length; i += 200) {
		let token: string | undefined;
		do {
			const page = await callEc2<DescribeSecurityGroupsCommandOutput>(client, new DescribeSecurityGroupsCommand({ GroupIds: groupIds.slice(i, i + 200), ...(token ? { NextToken: token } : {}) }), options);
			for (const group of page.SecurityGroups ?? []) if (group.GroupId) groups.set(group.GroupId, (group.IpPermissions ?? []).map(permission));
			token = page.NextToken;
		} while (token);
	}
	return groups;
}
