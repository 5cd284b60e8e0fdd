// The wizard's AWS discovery on the real cloud layer: the same discovery and checks install runs before
// any SSH connection (prepareAws in aws-hosts.ts), answered as a view for the discovery screen instead of printed, so
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
import type { Cluster, Host, Problem, Role } from '../spec/types.js';
import { fixWanted, type AwsDeps, type AwsPort, type AwsRunOptions } from './aws-hosts.js';

/** One discovered instance, as the discovery screen's table shows it. */
export interface AwsInstanceView {
	id: string;
	/** the Name tag, '' when there is none */
	name: string;
	type: string;
	az: string;
	subnet: string;
	privateIp: string;
	publicIp?: string;
	/** pending | running | stopping | stopped | shutting-down | terminated */
	state: string;
	/** from the kubestrap.dev/role tag; undefined when it is missing or not a role */
	role?: Role;
	/** the role tag's value as found */
	roleTag?: string;
}

/** What the discovery screen shows (ui/aws-discovery.tsx draws it). */
export interface AwsDiscoveryView {
	instances: readonly AwsInstanceView[];
	/** the instances as hosts (SSH address by addressType): what the connection test connects to */
	hosts: readonly Host[];
	/** each one would stop the install: "Use these" waits until there are none */
	problems: readonly Problem[];
	/** printed by the install with their fix; the install goes on */
	warnings: readonly Problem[];
	/** worth knowing before the install (maxPods per instance type) */
	notes: readonly string[];
	/** the discovery itself failed (credentials, a denied call, EC2 unreachable): why, and the fix */
	failure?: string;
}

/** Finds and checks the instances of cluster.spec.aws; stops at once on `signal`. */
export type AwsDiscovery = (cluster: Cluster, signal: AbortSignal) => Promise<AwsDiscoveryView>;

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
 * to scrub (decided by cli.tsx, handed in by the command), the client from `deps.ec2` (tests) or the real factory. Retries are the cloud
 * layer's, without the progress lines install prints (the screen shows its spinner meanwhile).
 */
export function awsDiscovery(port: Pick<AwsPort, 'profile' | 'secrets'>, fixes: AwsFixOptions = {}, deps: Pick<AwsDeps, 'ec2' | 'retry'> = {}): AwsDiscovery {
	return async (cluster: Cluster, signal: AbortSignal): Promise<AwsDiscoveryView> => {
		const aws = cluster.spec.aws;
		if (aws === undefined) return failed('spec.aws: required with target "aws"');
		const profile = port.profile;
		const secrets = [...port.secrets];
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
