// target aws: find the instances, run every AWS check, apply the opt-in fixes (install only, with their
// flag and a confirmation or --yes), then hand the SSH session a cluster whose spec.hosts are the
// instances and the host keys their console output vouches for. Every command that reaches an aws
// cluster's hosts (install, plan, reset, upgrade, kubeconfig, status, check) finds them here, before any
// SSH connection; a problem ends the run with nothing changed. What is printed and asked goes through
// the command's AwsPort, so this knows nothing of the terminal.
import pLimit from 'p-limit';
import {
	AwsError,
	applyFix,
	checkAws,
	ciliumEniPolicyText,
	CILIUM_ENI_ACTIONS,
	consoleHostKeys,
	createEc2Client,
	describeFix,
	discoverInstances,
	FIX_SECURITY_GROUPS_FLAG,
	FIX_SOURCE_DEST_FLAG,
	hostsFromInstances,
	type AwsFinding,
	type CallOptions,
	type Ec2Factory,
	type InstanceRow,
	type RetryPolicy,
} from '../cloud/index.js';
import type { TrustedHostKeys } from '../remote/host-key-check.js';
import { formatProblem } from '../spec/resolve.js';
import type { Cluster, Problem } from '../spec/types.js';

export interface AwsRunOptions {
	yes?: boolean;
	awsFixSourceDestCheck?: boolean;
	awsFixSecurityGroups?: boolean;
	/** plan text: the IAM policy goes to stdout with the plan; json: stdout stays JSON */
	output?: string;
}

/** What the command hands in: the decided AWS settings and where lines go. */
export interface AwsPort {
	/** AWS_PROFILE */
	profile?: string;
	/** credential values from the environment: scrubbed from every message, never printed */
	secrets: readonly string[];
	signal?: AbortSignal;
	/** progress, findings and notes, one line each (stderr) */
	say(line: string): void;
	/** text for the plan's output (stdout) */
	print(text: string): void;
	/** a yes/no question on the terminal; false without one */
	confirm(question: string): Promise<boolean>;
}

/**
 * What the instances are found for. install makes the cluster: a failed check stops it and the fix
 * flags may change AWS. plan says what install would change. day2 works on the cluster install made
 * (reset, upgrade, kubeconfig, status, check): the checks still run (ENI mode takes maxPods from them,
 * as install did) but what they find is a warning, since stopping a reset or a status read over a
 * security group helps nobody; nothing in AWS is changed.
 */
export type AwsMode = 'install' | 'plan' | 'day2';

/** Why the run stops before any SSH connection: input the user fixes, EC2 failing, or Ctrl-C. */
export interface AwsStop {
	stop: 'invalid' | 'failed' | 'interrupted';
}

/** Injected by tests: a mocked client, a backoff that does not sleep, a scripted answer to the confirmation. */
export interface AwsDeps {
	ec2?: Ec2Factory;
	retry?: RetryPolicy;
	confirm?: (question: string) => Promise<boolean>;
}

export interface AwsPrepared {
	/** the spec with spec.hosts = the discovered instances (and maxPods per host in ENI mode) */
	cluster: Cluster;
	/** host keys from each instance's console output, by SSH address */
	hostKeys: Map<string, TrustedHostKeys>;
	instances: InstanceRow[];
	/** what the checks found; a day-two run only warns about them, but a command may still refuse a change they concern */
	findings: AwsFinding[];
}

const COLUMNS: Array<[string, (row: InstanceRow) => string]> = [
	['ID', (r) => r.id],
	['NAME', (r) => r.name || '-'],
	['TYPE', (r) => r.type],
	['AZ', (r) => r.az],
	['SUBNET', (r) => r.subnet],
	['PRIVATE IP', (r) => r.privateIp || '-'],
	['PUBLIC IP', (r) => r.publicIp ?? '-'],
	['STATE', (r) => r.state],
	['ROLE', (r) => r.role ?? (r.roleTag === undefined ? '(no tag)' : `(${r.roleTag})`)],
];

/** The discovered instances as an aligned text table (what the wizard shows as a table too). */
export function instanceTable(rows: readonly InstanceRow[]): string {
	const cells = [COLUMNS.map(([title]) => title), ...rows.map((row) => COLUMNS.map(([, get]) => get(row)))];
	const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => line[i]?.length ?? 0)));
	return cells.map((line) => line.map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

function printFindings(port: AwsPort, problems: readonly Problem[], warnings: readonly Problem[]): void {
	for (const warning of warnings) port.say(`warning: ${formatProblem(warning)}`);
	for (const problem of problems) port.say(formatProblem(problem));
}

function stopped(port: AwsPort, problems: readonly Problem[]): AwsStop {
	port.say(`${problems.length} AWS problem${problems.length === 1 ? '' : 's'}; no SSH connection was made and nothing was changed.`);
	return { stop: 'invalid' };
}

/** Whether the flag that lets kubestrap fix this finding was given. */
export function fixWanted(finding: AwsFinding, options: AwsRunOptions): boolean {
	if (finding.fix?.kind === 'source-dest-check') return options.awsFixSourceDestCheck === true;
	if (finding.fix?.kind === 'security-group-ingress') return options.awsFixSecurityGroups === true;
	return false;
}

/** Reads the console host keys of every instance (four at a time); instances without any are named once per reason. */
async function readHostKeys(client: ReturnType<Ec2Factory>, rows: readonly InstanceRow[], hosts: Cluster['spec']['hosts'], call: CallOptions, port: AwsPort): Promise<Map<string, TrustedHostKeys>> {
	const limit = pLimit(4);
	const found = await Promise.all(rows.map((row) => limit(() => consoleHostKeys(client, row.id, call))));
	const keys = new Map<string, TrustedHostKeys>();
	const missing = new Map<string, string[]>();
	found.forEach((result, index) => {
		const row = rows[index];
		const host = hosts[index];
		if (!row || !host) return;
		if (result.keys.length > 0) keys.set(host.address, { fingerprints: result.keys, source: `the console output of ${row.id}` });
		else if (result.note) missing.set(result.note, [...(missing.get(result.note) ?? []), row.id]);
	});
	for (const [note, ids] of missing) port.say(`note: ${ids.join(', ')}: ${note}; their SSH host keys are checked against known_hosts instead`);
	return keys;
}

/**
 * Discovery → checks → fixes → hosts and host keys. Returns why the run must stop here instead: invalid
 * for problems the user fixes (including missing or expired credentials and denied EC2 calls), failed
 * when EC2 kept failing after the retries, interrupted on Ctrl-C.
 */
export async function prepareAws(cluster: Cluster, options: AwsRunOptions, port: AwsPort, mode: AwsMode, deps: AwsDeps = {}): Promise<AwsPrepared | AwsStop> {
	const aws = cluster.spec.aws;
	if (!aws) {
		port.say('spec.aws: required with target "aws"');
		return { stop: 'invalid' };
	}
	const call: CallOptions = {
		region: aws.region,
		...(port.profile ? { profile: port.profile } : {}),
		secrets: [...port.secrets],
		retry: {
			...(port.signal ? { signal: port.signal } : {}),
			onRetry: ({ action, attempt, delayMs, code }) => port.say(`aws: ${action} ${code}, retrying in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1})`),
			...deps.retry,
		},
	};
	const client = (deps.ec2 ?? createEc2Client)(aws.region);
	try {
		const selector = aws.instanceIds.length > 0 ? `${aws.instanceIds.length} instance ID${aws.instanceIds.length === 1 ? '' : 's'}` : `tags ${Object.entries(aws.instanceTags).map(([k, v]) => `${k}=${v}`).join(', ')}`;
		port.say(`aws: finding instances in ${aws.region} by ${selector}`);
		const discovery = await discoverInstances(client, aws, call);
		if (discovery.instances.length > 0) port.say(instanceTable(discovery.instances));
		if (discovery.problems.length > 0) {
			printFindings(port, discovery.problems, discovery.warnings);
			return stopped(port, discovery.problems);
		}
		const checks = await checkAws(client, cluster, discovery.instances, call);
		if (mode === 'day2') {
			printFindings(port, [], [...discovery.warnings, ...checks.warnings, ...checks.problems]);
		} else {
			const fixes = checks.problems.filter((p) => fixWanted(p, options));
			const blocking = checks.problems.filter((p) => !fixWanted(p, options));
			printFindings(port, blocking, [...discovery.warnings, ...checks.warnings]);
			if (blocking.length > 0) {
				const fixable = blocking.filter((p) => p.fix !== undefined).length;
				if (fixable > 0) port.say(`(${fixable} of them kubestrap can fix when asked: ${FIX_SOURCE_DEST_FLAG}, ${FIX_SECURITY_GROUPS_FLAG})`);
				return stopped(port, blocking);
			}
			for (const note of checks.notes) port.say(`aws: ${note}`);
			const declined = await applyFixes(client, fixes, options, port, mode, call, deps);
			if (declined) return declined;
		}
		const eni = cluster.spec.network.cni === 'cilium' && cluster.spec.network.cilium.ipam === 'eni';
		const hosts = hostsFromInstances(discovery.instances, aws.addressType).map((host, index) => {
			const maxPods = eni ? checks.maxPods.get(discovery.instances[index]?.id ?? '') : undefined;
			return maxPods === undefined ? host : { ...host, maxPods };
		});
		if (eni && mode !== 'day2') {
			port.say(`aws: Cilium ENI: the control-plane instance role needs ${CILIUM_ENI_ACTIONS.length} EC2 actions; \`kubestrap aws iam-policy\` prints the policy`);
			if (mode === 'plan' && options.output !== 'json') port.print(`IAM policy for the control-plane instance role (Cilium ENI; kubestrap aws iam-policy --output-file policy.json writes it):\n${ciliumEniPolicyText()}\n`);
		}
		const hostKeys = await readHostKeys(client, discovery.instances, hosts, call, port);
		return { cluster: { ...cluster, spec: { ...cluster.spec, hosts } }, hostKeys, instances: discovery.instances, findings: checks.problems };
	} catch (error) {
		if (port.signal?.aborted === true) {
			port.say('aws: interrupted; no SSH connection was made and nothing was changed.');
			return { stop: 'interrupted' };
		}
		if (error instanceof AwsError) {
			port.say(`aws: ${error.message}`);
			port.say('no SSH connection was made and nothing was changed.');
			return { stop: error.kind === 'credentials' || error.kind === 'denied' ? 'invalid' : 'failed' };
		}
		throw error;
	} finally {
		client.destroy();
	}
}

/** The fixes whose flag was given: described in a plan, else made after a yes. Returns a stop when declined. */
async function applyFixes(client: ReturnType<Ec2Factory>, fixes: readonly AwsFinding[], options: AwsRunOptions, port: AwsPort, mode: AwsMode, call: CallOptions, deps: AwsDeps): Promise<AwsStop | undefined> {
	if (fixes.length === 0) return undefined;
	const changes = fixes.map((f) => describeFix(f.fix as NonNullable<AwsFinding['fix']>));
	if (mode === 'plan') {
		for (const change of changes) port.say(`aws: would ${change}`);
		return undefined;
	}
	for (const change of changes) port.say(`aws: to fix: ${change}`);
	const confirm = deps.confirm ?? ((question: string) => port.confirm(question));
	if (options.yes !== true && !(await confirm(`Make ${changes.length === 1 ? 'this change' : `these ${changes.length} changes`} in AWS?`))) {
		port.say('aws: nothing was changed (confirm on a terminal, or add --yes); no SSH connection was made.');
		return { stop: 'invalid' };
	}
	for (const [index, finding] of fixes.entries()) {
		await applyFix(client, finding.fix as NonNullable<AwsFinding['fix']>, call);
		port.say(`aws: done: ${changes[index] ?? ''}`);
	}
	return undefined;
}
