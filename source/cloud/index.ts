// The cloud layer's public surface: the only code in kubestrap that imports the AWS SDK.
export { createEc2Client, type Ec2Factory } from './ec2-client.js';
export { callEc2, type CallOptions, type RetryPolicy } from './call.js';
export { AwsError, describeAwsError, scrubCredentials, isRetryable, type AwsErrorKind } from './errors.js';
export { discoverInstances, hostsFromInstances, nodeName, instanceRow, instancePath, selectorPath, ROLE_TAG, type Discovery, type InstanceRow } from './discover.js';
export { checkAws, FIX_SECURITY_GROUPS_FLAG, FIX_SOURCE_DEST_FLAG, type AwsCheck, type AwsFinding, type AwsFix } from './checks.js';
export { describeGroups } from './describe-groups.js';
export { awsNetworkFacts, matchInstance, pairRules } from './network-facts.js';
export { requirements, missingRules, ruleCommand, rulePermission, permission, trafficText, type Requirement, type IngressRule, type MissingRule, type Permission } from './security-groups.js';
export { eniMaxPods, instanceTypeLimits, type TypeLimits } from './max-pods.js';
export { consoleHostKeys, parseConsoleHostKeys, keyTypeName, type ConsoleKey, type ConsoleKeys } from './console-keys.js';
export { applyFix, describeFix } from './fixes.js';
export { ciliumEniPolicy, ciliumEniPolicyText, CILIUM_ENI_ACTIONS, type IamPolicyDocument } from './iam-policy.js';
