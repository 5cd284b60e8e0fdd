// target aws for install and plan: discover the instances, run every AWS check, apply the opt-in fixes
// (only with their flag and a confirmation or --yes), then hand the SSH pipeline a cluster whose
// spec.hosts are the instances. Everything here happens before any SSH connection; a problem ends the
// run with exit 2 and nothing changed.
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
import { EXIT, type Io } from './io.js';

export interface AwsRunOptions {
	yes?: boolean;
	awsFixSourceDestCheck?: boolean;
	awsFixSecurityGroups?: boolean;
	/** plan text: the IAM policy goes to stdout with the plan; json: stdout stays JSON */
	output?: string;
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

/** Confirmation on the terminal (stdin and stdout both a TTY); false without one. */
async function askOnTerminal(io: Io, question: string): Promise<boolean> {
	if (!io.tty) return false;
	const { createInterface } = await import('node:readline/promises');
	const prompt = createInterface({ input: io.tty.stdin, output: io.terminal ?? io.tty.stdout, terminal: true });
	try {
		const answer = await prompt.question(`${question} [y/N] `, io.signal ? { signal: io.signal } : {});
		return /^y(es)?$/i.test(answer.trim());
	} catch {
		return false;
	} finally {
		prompt.close();
	}
}

/** Credential values from the environment: never printed, whatever an error carries. */
export function envSecrets(io: Io): string[] {
	return [...(io.awsSecrets ?? [])];
}

function printFindings(io: Io, problems: readonly Problem[], warnings: readonly Problem[]): void {
	for (const warning of warnings) io.stderr(`warning: ${formatProblem(warning)}\n`);
	for (const problem of problems) io.stderr(`${formatProblem(problem)}\n`);
}

function stopped(io: Io, problems: readonly Problem[]): number {
	io.stderr(`${problems.length} AWS problem${problems.length === 1 ? '' : 's'}; no SSH connection was made and nothing was changed.\n`);
	return EXIT.invalid;
}

/** Whether the flag that lets kubestrap fix this finding was given. */
export function fixWanted(finding: AwsFinding, options: AwsRunOptions): boolean {
	if (finding.fix?.kind === 'source-dest-check') return options.awsFixSourceDestCheck === true;
	if (finding.fix?.kind === 'security-group-ingress') return options.awsFixSecurityGroups === true;
	return false;
}

/** Reads the console host keys of every instance (four at a time); instances without any are named once per reason. */
async function readHostKeys(client: ReturnType<Ec2Factory>, rows: readonly InstanceRow[], hosts: Cluster['spec']['hosts'], call: CallOptions, io: Io): Promise<Map<string, TrustedHostKeys>> {
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
	for (const [note, ids] of missing) io.stderr(`note: ${ids.join(', ')}: ${note}; their SSH host keys are checked against known_hosts instead\n`);
	return keys;
}

/**
 * Discovery → checks → fixes → hosts. Returns the exit code when the run must stop here: 2 for problems
 * the user fixes (including missing or expired credentials and denied EC2 calls), 1 when EC2 kept failing
 * after the retries.
 */
export async function prepareAws(cluster: Cluster, options: AwsRunOptions, io: Io, dryRun: boolean, deps: AwsDeps = {}): Promise<AwsPrepared | number> {
	const aws = cluster.spec.aws;
	if (!aws) {
		io.stderr('spec.aws: required with target "aws"\n');
		return EXIT.invalid;
	}
	const profile = io.awsProfile;
	const call: CallOptions = {
		region: aws.region,
		...(profile ? { profile } : {}),
		secrets: envSecrets(io),
		retry: {
			...(io.signal ? { signal: io.signal } : {}),
			onRetry: ({ action, attempt, delayMs, code }) => io.stderr(`aws: ${action} ${code}, retrying in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1})\n`),
			...deps.retry,
		},
	};
	const client = (deps.ec2 ?? createEc2Client)(aws.region);
	try {
		const selector = aws.instanceIds.length > 0 ? `${aws.instanceIds.length} instance ID${aws.instanceIds.length === 1 ? '' : 's'}` : `tags ${Object.entries(aws.instanceTags).map(([k, v]) => `${k}=${v}`).join(', ')}`;
		io.stderr(`aws: finding instances in ${aws.region} by ${selector}\n`);
		const discovery = await discoverInstances(client, aws, call);
		if (discovery.instances.length > 0) io.stderr(`${instanceTable(discovery.instances)}\n`);
		if (discovery.problems.length > 0) {
			printFindings(io, discovery.problems, discovery.warnings);
			return stopped(io, discovery.problems);
		}
		const checks = await checkAws(client, cluster, discovery.instances, call);
		const blocking = checks.problems.filter((p) => !fixWanted(p, options));
		const fixes = checks.problems.filter((p) => fixWanted(p, options));
		printFindings(io, blocking, [...discovery.warnings, ...checks.warnings]);
		if (blocking.length > 0) {
			const fixable = blocking.filter((p) => p.fix !== undefined).length;
			if (fixable > 0) io.stderr(`(${fixable} of them kubestrap can fix when asked: ${FIX_SOURCE_DEST_FLAG}, ${FIX_SECURITY_GROUPS_FLAG})\n`);
			return stopped(io, blocking);
		}
		for (const note of checks.notes) io.stderr(`aws: ${note}\n`);
		if (fixes.length > 0) {
			const changes = fixes.map((f) => describeFix(f.fix as NonNullable<AwsFinding['fix']>));
			if (dryRun) {
				for (const change of changes) io.stderr(`aws: would ${change}\n`);
			} else {
				for (const change of changes) io.stderr(`aws: to fix: ${change}\n`);
				const confirm = deps.confirm ?? ((question: string) => askOnTerminal(io, question));
				if (options.yes !== true && !(await confirm(`Make ${changes.length === 1 ? 'this change' : `these ${changes.length} changes`} in AWS?`))) {
					io.stderr('aws: nothing was changed (confirm on a terminal, or add --yes); no SSH connection was made.\n');
					return EXIT.invalid;
				}
				for (const [index, finding] of fixes.entries()) {
					await applyFix(client, finding.fix as NonNullable<AwsFinding['fix']>, call);
					io.stderr(`aws: done: ${changes[index] ?? ''}\n`);
				}
			}
		}
		const eni = cluster.spec.network.cni === 'cilium' && cluster.spec.network.cilium.ipam === 'eni';
		const hosts = hostsFromInstances(discovery.instances, aws.addressType).map((host, index) => {
			const maxPods = eni ? checks.maxPods.get(discovery.instances[index]?.id ?? '') : undefined;
			return maxPods === undefined ? host : { ...host, maxPods };
		});
		if (eni) {
			io.stderr(`aws: Cilium ENI: the control-plane instance role needs ${CILIUM_ENI_ACTIONS.length} EC2 actions; \`kubestrap aws iam-policy\` prints the policy\n`);
			if (dryRun && options.output !== 'json') io.stdout(`IAM policy for the control-plane instance role (Cilium ENI; kubestrap aws iam-policy --output-file policy.json writes it):\n${ciliumEniPolicyText()}\n`);
		}
		const hostKeys = await readHostKeys(client, discovery.instances, hosts, call, io);
		return { cluster: { ...cluster, spec: { ...cluster.spec, hosts } }, hostKeys, instances: discovery.instances };
	} catch (error) {
		if (io.signal?.aborted === true) {
			io.stderr('aws: interrupted; no SSH connection was made and nothing was changed.\n');
			return EXIT.interrupted;
		}
		if (error instanceof AwsError) {
			io.stderr(`aws: ${error.message}\n`);
			io.stderr('no SSH connection was made and nothing was changed.\n');
			return error.kind === 'credentials' || error.kind === 'denied' ? EXIT.invalid : EXIT.failed;
		}
		throw error;
	} finally {
		client.destroy();
	}
}
