// The one place an EC2Client is built. Credentials come from the SDK's default provider chain
// (environment keys, AWS_PROFILE with the shared config and credentials files, IAM Identity Center/SSO,
// web identity, container and instance metadata). No logger is passed: the SDK's default is silent, and
// a debug logger is how credentials have leaked before (aws-sdk-js-v3#4674).
import { EC2Client } from '@aws-sdk/client-ec2';

/** Builds the client for a region; commands take it as a parameter so tests can hand in a mocked one. */
export type Ec2Factory = (region: string) => EC2Client;

export const createEc2Client: Ec2Factory = (region) => new EC2Client({
	region,
	// callEc2 retries throttling and transient faults itself (bounded, injectable backoff); SDK retries on
	// top would multiply the attempts.
	maxAttempts: 1,
});
