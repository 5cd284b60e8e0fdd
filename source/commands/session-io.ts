// Between a command's Io and the session layer: the AWS port (what the AWS layer prints and asks goes
// to the terminal), the discovered hosts or the exit code, a session opened or the lock reported, and
// the readers' way in (status, check): --kubeconfig or the spec, then the first control plane over SSH.
// Only commands that reach hosts load this file.
import { resolve } from 'node:path';
import { LocalFileError } from '../files/bounded-read.js';
import type { Cluster, Problem } from '../spec/types.js';
import type { AwsDeps, AwsMode, AwsPort, AwsPrepared, AwsRunOptions } from '../session/aws-hosts.js';
import { LockedError, openSession, type Session, type SessionOptions } from '../session/session.js';
import { connectFirstControlPlaneStep } from '../steps/list/connect.js';
import type { StepRemote } from '../steps/types.js';
import { EXIT } from './exit.js';
import { sshIdentity, type Io } from './io.js';
import { localKubeconfigGate } from './kubeconfig-check.js';
import { printProblems, specFromOptions, type SpecOptions } from './spec-input.js';

/** A yes/no question on the terminal (stdin and stdout both a TTY); false without one. */
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

/** The AWS layer's view of this run: the profile and secrets cli.tsx decided, lines to stderr, the plan to stdout. */
export function awsPort(io: Io): AwsPort {
	return {
		...(io.awsProfile ? { profile: io.awsProfile } : {}),
		secrets: [...(io.awsSecrets ?? [])],
		...(io.signal ? { signal: io.signal } : {}),
		say: (line) => io.stderr(`${line}\n`),
		print: (text) => io.stdout(text),
		confirm: (question) => askOnTerminal(io, question),
	};
}

/**
 * target aws: the instances found through EC2 (session/aws-hosts.ts) as the cluster's hosts, with the
 * host keys their console output vouches for; or the exit code when the run stops before any SSH.
 */
export async function awsHosts(cluster: Cluster, options: AwsRunOptions, io: Io, mode: AwsMode, deps?: AwsDeps): Promise<AwsPrepared | number> {
	const { prepareAws } = await import('../session/aws-hosts.js');
	const prepared = await prepareAws(cluster, options, awsPort(io), mode, deps);
	if ('stop' in prepared) return prepared.stop === 'interrupted' ? EXIT.interrupted : prepared.stop === 'failed' ? EXIT.failed : EXIT.invalid;
	return prepared;
}

/** Injected by tests of a command: a mocked EC2 client, a scripted SSH layer. */
export interface HostDeps {
	aws?: AwsDeps;
	connectWith?: SessionOptions['connectWith'];
}

/** The cluster's hosts for a session: on target aws the instances found through EC2 with the host keys their console output vouches for; else the spec's. */
export type SessionHosts = Pick<SessionOptions, 'cluster' | 'trustedHostKeys'>;

/** The hosts, and on target aws what the EC2 checks found (a day-two command may refuse a change they concern). */
export interface FoundHosts extends SessionHosts {
	awsFindings?: readonly Problem[];
}

/** The hosts a session works on, or the exit code when an aws run stops before any SSH connection. */
export async function sessionHosts(cluster: Cluster, io: Io, mode: AwsMode, options: AwsRunOptions = {}, deps?: AwsDeps): Promise<FoundHosts | number> {
	if (cluster.spec.target !== 'aws') return { cluster };
	const prepared = await awsHosts(cluster, options, io, mode, deps);
	return typeof prepared === 'number' ? prepared : { cluster: prepared.cluster, trustedHostKeys: prepared.hostKeys, awsFindings: prepared.findings };
}

/** Opens the session; another run holding the cluster's lock is reported (exit 1) instead of thrown. */
export async function openOrReport(options: SessionOptions, io: Io): Promise<Session | number> {
	try {
		return await openSession(options);
	} catch (error) {
		if (error instanceof LockedError) {
			io.stderr(`${error.message}\n`);
			return EXIT.failed;
		}
		throw error;
	}
}

/** Where a reader reads the cluster: a local kubeconfig (checked), the spec, or both (--config then names the cluster and its CNI). */
export interface ClusterSource {
	cluster?: Cluster;
	/** absolute path, checked for usable credentials and kubectl on PATH */
	kubeconfig?: string;
}

/** status and check: --kubeconfig is checked first (with --config the spec is read too), else the spec is required. */
export async function clusterFromOptions(options: SpecOptions & { kubeconfig?: string }, io: Io, purpose: 'read' | 'reach', needKubectl = true): Promise<ClusterSource | number> {
	let kubeconfig: string | undefined;
	if (options.kubeconfig !== undefined) {
		kubeconfig = resolve(io.cwd, options.kubeconfig);
		const refused = await localKubeconfigGate(kubeconfig, io, purpose, needKubectl);
		if (refused !== undefined) return refused;
		if (options.config === undefined) return { kubeconfig };
	}
	const spec = await specFromOptions(options, io);
	if (!spec.ok) {
		printProblems(spec, io);
		return EXIT.invalid;
	}
	return { cluster: spec.cluster, ...(kubeconfig !== undefined ? { kubeconfig } : {}) };
}

export interface Reached {
	/** read-only: no lock (status is watched while an install holds it), no journal, no local files */
	session: Session;
	remote: StepRemote;
	/** the first control plane's address */
	host: string;
}

/**
 * A read-only session connected to the first control plane (the instances found first on target aws),
 * for kubectl there; or the exit code: 2 for bad input (a bad ~/.ssh/config too), 1 when the host cannot
 * be reached, 130 on Ctrl-C. The caller closes the session.
 */
export async function reachFirstControlPlane(cluster: Cluster, io: Io, o: { command: string; connectTimeoutMs: number; signal: AbortSignal; deps?: HostDeps }): Promise<Reached | number> {
	const found = cluster.spec.hosts.length === 0 ? await sessionHosts(cluster, io, 'day2', {}, o.deps?.aws) : { cluster };
	if (typeof found === 'number') return found;
	cluster = found.cluster;
	if (!cluster.spec.hosts.some((h) => h.role === 'control-plane')) {
		io.stderr('spec.hosts: no control-plane host to run kubectl on; add one, or use --kubeconfig\n');
		return EXIT.invalid;
	}
	// No lock, shared or not: a reader changes nothing, and a lock it took would keep an install (or an
	// upgrade, a reset) from starting while someone watches; the API server keeps reads consistent.
	const session = await openSession({
		...sshIdentity(io), ...found, command: o.command, dryRun: true, concurrency: 1, connectTimeoutMs: o.connectTimeoutMs, signal: o.signal,
		...(o.deps?.connectWith ? { connectWith: o.deps.connectWith } : {}),
		onEvent: () => undefined,
	});
	const outcome = await session.run([connectFirstControlPlaneStep]);
	const first = session.ctx.hosts.find((h) => h.host.role === 'control-plane');
	if (outcome.interrupted || outcome.failures.length > 0 || first?.remote === undefined) {
		await session.close();
		if (outcome.interrupted) return EXIT.interrupted;
		const error = outcome.failures[0]?.error;
		io.stderr(`${o.command}: ${error?.message ?? 'not connected'}\n`);
		// A bad ~/.ssh/config (or a file it includes) is bad input: exit 2, as for any bad local file.
		return error instanceof LocalFileError ? EXIT.invalid : EXIT.failed;
	}
	return { session, remote: first.remote, host: first.host.address };
}
