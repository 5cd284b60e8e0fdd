// The pieces every install step sees. Steps talk to hosts only through StepRemote (implemented by
// source/remote/ over SSH, and by a scripted fake in tests).
import type { Verdict } from '../cluster/health/index.js';
import type { Cluster, Host } from '../spec/types.js';
import type { Journal } from './journal.js';
import type { ExecOptions, ExecResult, Remote } from '../remote/remote.js';

export type { ExecOptions, ExecResult };

/** What steps need of a host connection: the SSH Remote, or a scripted fake in step tests. */
export type StepRemote = Pick<Remote, 'exec' | 'upload' | 'download'>;

/** What gather-facts learned about a host; later steps decide from it instead of asking again. */
export interface Facts {
	osId: string;
	osVersion: string;
	kernel: string;
	arch: string;
	hostname: string;
	cgroupVersion: 1 | 2;
	swapOn: boolean;
	packageManager: 'apt' | 'dnf' | 'unknown';
	kubeadmVersion?: string;
	hasAdminConf: boolean;
	hasKubeletConf: boolean;
	/** firewalld runs (RHEL-family servers have it on): the ports the nodes need must be open in it */
	firewalldActive?: boolean;
	listening: number[];
	epochSeconds: number;
	/** exit status of `sudo -n true` (127: no sudo) */
	sudoStatus: number;
	/** sudo's last line of output when it failed */
	sudoError: string;
}

export interface StepHost {
	host: Host;
	/** the name used in messages and the journal: the SSH address */
	id: string;
	remote?: StepRemote;
	facts?: Facts;
}

export type StepEvent =
	| { kind: 'step'; step: string; title: string; hosts: string[] }
	| { kind: 'host'; step: string; host: string; state: 'running' | 'done' | 'skipped' | 'failed'; detail?: string }
	| { kind: 'log'; step: string; host: string; stream: 'stdout' | 'stderr'; line: string }
	| { kind: 'plan'; step: string; host: string; action: string }
	/** a line for the user (a file written, what a step waits for), shown in every view */
	| { kind: 'note'; step: string; host: string; line: string }
	/** the cluster's health as a watching step sees it, each round */
	| { kind: 'health'; step: string; host: string; verdict: Verdict; elapsedMs: number };

export interface RunContext {
	cluster: Cluster;
	hosts: StepHost[];
	dryRun: boolean;
	journal?: Journal;
	emit(event: StepEvent): void;
	signal: AbortSignal;
	concurrency: number;
	/** registers a secret so every log line and error text redacts it */
	secret(value: string): void;
	/** values steps hand to later steps (join credentials, the fetched kubeconfig) */
	shared: Map<string, unknown>;
	/** opens the host's SSH connection (the connect step calls it once per host) */
	connect(host: StepHost): Promise<StepRemote>;
	/** milliseconds since the epoch on this machine (clock-skew checks) */
	now(): number;
	/** writes a file for the user next to where kubestrap runs (0600) and returns its path; absent in step tests */
	saveFile?(name: string, content: string): Promise<string>;
	/** sudo with a password: 'given' (asked once, the connections use it) or 'later' (install will ask) */
	sudoPassword?: 'given' | 'later';
	/** how long the wait-ready step waits for the cluster (default 10 minutes) */
	readyTimeoutMs?: number;
	/** whether the API answers through a kubeconfig from this machine: undefined when it does, else why not */
	checkApi?(kubeconfig: string): Promise<string | undefined>;
	/** who runs this run (the lease on the first control plane names it); absent in read-only sessions */
	holder?: RunHolder;
	/**
	 * registers work for the end of the run, done when the session closes whatever happened (success,
	 * failure, Ctrl-C, SIGTERM, SIGHUP), newest first: release the lease, remove staged secret files
	 */
	onClose?(work: () => Promise<void>): void;
}

/** This run as the lease on a host describes it. */
export interface RunHolder {
	user: string;
	machine: string;
	pid: number;
	cwd: string;
	command: string;
}

export interface Step {
	id: string;
	title: string;
	/** hosts the step applies to, in order */
	targets(ctx: RunContext): StepHost[];
	/** run hosts in parallel (bounded by ctx.concurrency) or one after another */
	parallel: boolean;
	/** a failure on any host stops the run after this step (checks that must pass before changes) */
	gate?: boolean;
	/** the step is about the whole cluster (waiting for it to be ready): it runs only if no host failed before it */
	wholeCluster?: boolean;
	/** checks the host's real state: false (or a reason string) means nothing to do */
	shouldRun(ctx: RunContext, host: StepHost): Promise<boolean | string>;
	run(ctx: RunContext, host: StepHost): Promise<void>;
}

/** A step failure that names the host, the step, the command and the last lines of its output. */
export class StepError extends Error {
	constructor(
		readonly host: string,
		readonly step: string,
		readonly command: string,
		readonly code: number | null,
		readonly tail: string[],
	) {
		super(`${host}: step "${step}" failed: ${command} exited ${code ?? 'by signal'}${tail.length ? `\n  ${tail.join('\n  ')}` : ''}`);
	}
}
