// target aws for the network check: a reader of EC2's facts about the instances under the nodes, handed
// to the check so a failed pair names the missing security-group rule or the instance with source/dest
// check on. The client and the call options are made as install makes them (region, profile, the
// credential values to scrub, retries with their progress lines).
import { awsNetworkFacts, createEc2Client, type CallOptions } from '../cloud/index.js';
import type { CheckOptions } from '../steps/check/run.js';
import type { Cluster } from '../spec/types.js';
import type { AwsDeps, AwsPort } from './aws-hosts.js';

/** The reader for a cluster of target aws; undefined for any other target. */
export function awsFactsReader(cluster: Cluster, port: AwsPort, deps: Pick<AwsDeps, 'ec2' | 'retry'> = {}): CheckOptions['aws'] {
	const aws = cluster.spec.aws;
	if (cluster.spec.target !== 'aws' || !aws) return undefined;
	const call: CallOptions = {
		region: aws.region,
		...(port.profile ? { profile: port.profile } : {}),
		secrets: port.secrets,
		retry: {
			...(port.signal ? { signal: port.signal } : {}),
			onRetry: ({ action, attempt, delayMs, code }) => port.say(`aws: ${action} ${code}, retrying in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1})`),
			...deps.retry,
		},
	};
	return async (nodes, pairs) => awsNetworkFacts((deps.ec2 ?? createEc2Client)(aws.region), cluster, nodes, pairs, call);
}
