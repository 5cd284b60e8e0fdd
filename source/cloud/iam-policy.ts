// The IAM policy the control-plane instance role needs in Cilium ENI mode: cilium-operator runs on the
// control planes (host network) and calls EC2 with the instance profile's credentials to create,
// attach and fill ENIs. Pure data, no SDK import, so the review screen and `kubestrap aws iam-policy`
// can load it without the AWS SDK.

/**
 * Cilium's current list (docs ipam/eni.rst "Required Privileges"), the kops list
 * (iam_builder.go addCiliumEniPermissions, which adds DescribeVpcPeeringConnections,
 * DetachNetworkInterface and UnassignPrivateIpAddresses), and DescribeTags, which the operator's ENI
 * garbage collection uses with its default tags. Left out on purpose: AssignIpv6Addresses (kubestrap
 * clusters are IPv4) and DescribeInstances (only for instance-tags-filter, which kubestrap does not set).
 */
export const CILIUM_ENI_ACTIONS: readonly string[] = [
	'ec2:AssignPrivateIpAddresses',
	'ec2:AttachNetworkInterface',
	'ec2:CreateNetworkInterface',
	'ec2:CreateTags',
	'ec2:DeleteNetworkInterface',
	'ec2:DescribeInstanceTypes',
	'ec2:DescribeManagedPrefixLists',
	'ec2:DescribeNetworkInterfaces',
	'ec2:DescribeRouteTables',
	'ec2:DescribeSecurityGroups',
	'ec2:DescribeSubnets',
	'ec2:DescribeTags',
	'ec2:DescribeVpcPeeringConnections',
	'ec2:DescribeVpcs',
	'ec2:DetachNetworkInterface',
	'ec2:GetManagedPrefixListEntries',
	'ec2:ModifyNetworkInterfaceAttribute',
	'ec2:UnassignPrivateIpAddresses',
];

export interface IamPolicyDocument {
	Version: '2012-10-17';
	Statement: Array<{ Sid: string; Effect: 'Allow'; Action: string[]; Resource: string }>;
}

/** The policy document to attach to the control-plane instance role (Resource "*": ENIs do not exist yet when the operator creates them). */
export function ciliumEniPolicy(): IamPolicyDocument {
	return {
		Version: '2012-10-17',
		Statement: [{ Sid: 'CiliumEniOperator', Effect: 'Allow', Action: [...CILIUM_ENI_ACTIONS], Resource: '*' }],
	};
}

/** Pretty JSON with a trailing newline, the form `aws iam put-role-policy --policy-document file://…` takes. */
export function ciliumEniPolicyText(): string {
	return `${JSON.stringify(ciliumEniPolicy(), null, 2)}\n`;
}
