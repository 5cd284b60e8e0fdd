// The two changes kubestrap makes in AWS, only when asked (--aws-fix-source-dest-check,
// --aws-fix-security-groups) and confirmed: source/destination check off, and ingress rules added.
// Both are idempotent: a rule that already exists counts as added.
import { AuthorizeSecurityGroupIngressCommand, ModifyInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { callEc2, type CallOptions } from './call.js';
import type { AwsFix } from './checks.js';
import { AwsError } from './errors.js';
import { rulePermission, trafficText } from './security-groups.js';

/** What the fix changes, in words (for the confirmation and the plan). */
export function describeFix(fix: AwsFix): string {
	if (fix.kind === 'source-dest-check') return `turn off source/destination check on ${fix.instanceIds.join(', ')}`;
	const { rule } = fix;
	const source = 'groupId' in rule.source ? rule.source.groupId : rule.source.cidrs.join(', ');
	return `allow ${trafficText(rule)} into security group ${rule.groupId} from ${source} (${rule.description})`;
}

export async function applyFix(client: EC2Client, fix: AwsFix, options: CallOptions): Promise<void> {
	if (fix.kind === 'source-dest-check') {
		for (const id of fix.instanceIds) {
			await callEc2(client, new ModifyInstanceAttributeCommand({ InstanceId: id, SourceDestCheck: { Value: false } }), options);
		}
		return;
	}
	try {
		await callEc2(client, new AuthorizeSecurityGroupIngressCommand({ GroupId: fix.rule.groupId, IpPermissions: [rulePermission(fix.rule)] }), options);
	} catch (error) {
		if (error instanceof AwsError && error.code === 'InvalidPermission.Duplicate') return;
		throw error;
	}
}
