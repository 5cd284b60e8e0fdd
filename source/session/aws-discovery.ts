// The wizard's AWS discovery on the real cloud layer: the same discovery and checks install runs before
// any SSH connection (prepareAws), answered as a view for the discovery screen instead of printed, so
// what the screen lets through is what install lets through. Nothing is changed in AWS here: a problem
// whose fix flag was given to install is shown as the change install will make.
import {
	AwsError,
	checkAws,
	createEc2Client,
	describeFix,
	discoverInstances,
	FIX_SECURITY_GROUPS_FLAG,
	FIX_SOURCE_DEST_FLAG,
	hostsFromInstances,
	scrubCredentials,
	type AwsFinding,
	type CallOptions,
} from '../cloud/index.js';
import type { Cluster, Problem } from '../spec/types.js';
import type { AwsDiscovery, AwsDiscoveryView } from '../ui/aws-discovery.js';
import { envSecrets, fixWanted, type AwsDeps, type AwsRunOptions } from './aws.js';
import type { Io } from './io.js';

/** The fix flags install was given: their problems do not stop the wizard, install makes the change. */
export type AwsFixOptions = Pick<AwsRunOptions, 'awsFixSourceDestCheck' | 'awsFixSecurityGroups'>;

function failed(message: string): AwsDiscoveryView {
	return { instances: [], hosts: [], problems: [], warnings: [], notes: [], failure: message };
}

function planned(finding: AwsFinding): Problem {
	const fix = finding.fix as NonNullable<AwsFinding['fix']>;
	const flag = fix.kind === 'source-dest-check' ? FIX_SOURCE_DEST_FLAG : FIX_SECURITY_GROUPS_FLAG;
	return { path: finding.path, message: `install will ${describeFix(fix)} (${flag} was given; it asks first unless --yes)` };
}

/**
 * The discovery screen's function: the region from the answers, the profile and the credential values
 * to scrub (decided by cli.tsx), the client from `deps.ec2` (tests) or the real factory. Retries are the cloud
 * layer's, without the progress lines install prints (the screen shows its spinner meanwhile).
 */
export function awsDiscovery(io: Io, fixes: AwsFixOptions = {}, deps: Pick<AwsDeps, 'ec2' | 'retry'> = {}): AwsDiscovery {
	return async (cluster: Cluster, signal: AbortSignal): Promise<AwsDiscoveryView> => {
		const aws = cluster.spec.aws;
		if (aws === undefined) return failed('spec.aws: required with target "aws"');
		const profile = io.awsProfile;
		const secrets = envSecrets(io);
		const call: CallOptions = { region: aws.region, ...(profile ? { profile } : {}), secrets, retry: { ...deps.retry, signal } };
		const client = (deps.ec2 ?? createEc2Client)(aws.region);
		try {
			const discovery = await discoverInstances(client, aws, call);
			const view = { instances: discovery.instances, hosts: hostsFromInstances(discovery.instances, aws.addressType), warnings: discovery.warnings, notes: [] };
			// As install does: checks on instances that are missing, stopped or untagged would only add noise.
			if (discovery.problems.length > 0) return { ...view, problems: discovery.problems };
			const checks = await checkAws(client, cluster, discovery.instances, call);
			const fixed = checks.problems.filter((finding) => fixWanted(finding, fixes));
			return {
				...view,
				problems: checks.problems.filter((finding) => !fixWanted(finding, fixes)).map(({ path, message }) => ({ path, message })),
				warnings: [...discovery.warnings, ...checks.warnings, ...fixed.map(planned)],
				notes: checks.notes,
			};
		} catch (error) {
			if (signal.aborted) throw error;
			if (error instanceof AwsError) return failed(error.message);
			// Not an EC2 answer (every one becomes an AwsError): still nothing that could hold a credential is shown.
			return failed(`the discovery stopped: ${scrubCredentials(error instanceof Error ? error.message : String(error), secrets)}`);
		} finally {
			client.destroy();
		}
	};
}
