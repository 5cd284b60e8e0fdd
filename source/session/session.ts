// One session under every command that touches hosts: it owns the cluster's local state directory,
// the lock (one changing run per cluster), the journal, the run log, the redactor, the SSH
// connections and the runner. A command decides its options, opens a session, runs a step list and
// hands the events to its view; closing the session closes every connection and releases the lock.
import { chmod } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { ConnectOptions } from '../remote/connection.js';
import type { TrustedHostKeys } from '../remote/host-key-check.js';
import { createRedactor } from '../remote/redact.js';
import type { Remote } from '../remote/remote.js';
import type { Cluster } from '../spec/types.js';
import { openJournal } from '../steps/journal.js';
import { runSteps, type RunOptions, type RunOutcome } from '../steps/runner.js';
import type { RunContext, Step, StepEvent, StepHost } from '../steps/types.js';
import { acquireLock, type Lock } from './lock.js';
import { openRunLog, type RunLog } from './run-log.js';
import { connectOptions, retryLine, type SshIdentity } from './ssh-connect.js';
import { stateDir } from './state-dir.js';
import { writeFileAtomic } from './write-file.js';

export { LockedError } from './lock.js';

export interface SessionOptions extends SshIdentity {
	cluster: Cluster;
	/** names the run's log file: install, plan, reset… */
	command: string;
	/**
	 * where kubestrap runs: the state directory (.kubestrap/<name>/) and saved files go here. Without
	 * it the session keeps no local state at all (no lock, journal or log file): the wizard's
	 * read-only connection test, before anything is saved.
	 */
	cwd?: string;
	/** steps only say what they would do (plan, --dry-run): no lock, no journal, nothing changed */
	dryRun: boolean;
	/** hosts worked on at once */
	concurrency: number;
	/** how long one host may take to answer SSH, retries included */
	connectTimeoutMs: number;
	/** asked once on the terminal, used for every host */
	sudoPassword?: string;
	/** install will ask for the sudo password: sudo needing one is fine (the wizard's check) */
	sudoPasswordLater?: boolean;
	/** per host, connection settings that replace the defaults (the wizard asks about host keys itself) */
	connectExtras?(host: StepHost): Partial<ConnectOptions>;
	/** the SSH layer's connect; tests and the wizard's own tests pass another */
	connectWith?(options: ConnectOptions): Promise<Remote>;
	/** host keys vouched for out of band (EC2 console output), per address */
	trustedHostKeys?: ReadonlyMap<string, TrustedHostKeys>;
	/** aborted on Ctrl-C: running commands stop and the journal is kept */
	signal?: AbortSignal;
	/** every step event, in order (the command hands them to its view) */
	onEvent(event: StepEvent): void;
	/** how long the wait-ready step waits for the cluster */
	readyTimeoutMs?: number;
	/** the command line the lease on the first control plane names (install, reset --yes…); default: the command */
	commandLine?: string;
}

/** user@machine for the lease; a user the system cannot name is shown by uid. */
function userName(): string {
	try {
		return userInfo().username;
	} catch {
		return `uid ${process.getuid?.() ?? '?'}`;
	}
}

export interface Outcome extends RunOutcome {
	/** true when no host failed and nothing was interrupted */
	ok: boolean;
}

export interface Session {
	readonly cluster: Cluster;
	/** the context steps run with: hosts (with their connections once connected), shared values */
	readonly ctx: RunContext;
	/** .kubestrap/<name>/, undefined without cwd */
	readonly dir: string | undefined;
	/** this run's log file (every line redacted); writes nothing in a session without cwd */
	readonly log: RunLog;
	/** removes every registered secret from a text */
	redact(text: string): string;
	/** runs the steps in order on this session's hosts; may be called again with more steps */
	run(steps: readonly Step[], options?: RunOptions): Promise<Outcome>;
	/** closes every connection, writes the last log lines and releases the lock */
	close(): Promise<void>;
}

function hostsOf(cluster: Cluster): StepHost[] {
	return cluster.spec.hosts.map((host) => ({ host, id: host.address }));
}

/** Opens a session; throws LockedError when another run holds the cluster's lock. */
export async function openSession(options: SessionOptions): Promise<Session> {
	const { cluster, dryRun, cwd } = options;
	const dir = cwd === undefined ? undefined : await stateDir(cwd, cluster.metadata.name);
	const lock: Lock | undefined = dryRun || dir === undefined ? undefined : await acquireLock(dir);
	let journal: RunContext['journal'];
	try {
		journal = dryRun || dir === undefined ? undefined : await openJournal(dir, cluster.metadata.name);
	} catch (error) {
		await lock?.release();
		throw error;
	}
	const redactor = createRedactor();
	const log: RunLog = dir === undefined ? { path: '', write: () => undefined, close: () => undefined } : openRunLog(dir, options.command, new Date(), redactor);
	const remotes: Remote[] = [];
	// Work for the end of the run (the lease's release, staged secret files), done newest first at close.
	const closing: Array<() => Promise<void>> = [];
	// Ctrl-C aborts the session's own signal, so closing can detach from the caller's.
	const abort = new AbortController();
	const onAbort = (): void => abort.abort();
	if (options.signal?.aborted === true) abort.abort();
	options.signal?.addEventListener('abort', onAbort, { once: true });

	const ctx: RunContext = {
		cluster,
		hosts: hostsOf(cluster),
		dryRun,
		journal,
		concurrency: options.concurrency,
		signal: abort.signal,
		shared: new Map(),
		now: () => Date.now(),
		secret: (value) => redactor.add(value),
		onClose: (work) => void closing.push(work),
		// Only a run that keeps local state (and so may change hosts) holds a lease.
		...(dryRun || cwd === undefined ? {} : { holder: { user: userName(), machine: hostname(), pid: process.pid, cwd, command: options.commandLine ?? `kubestrap ${options.command}` } }),
		...(options.readyTimeoutMs !== undefined ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
		...(options.sudoPassword !== undefined ? { sudoPassword: 'given' as const } : options.sudoPasswordLater === true ? { sudoPassword: 'later' as const } : {}),
		emit(event) {
			if (event.kind === 'log') log.write(`[${event.host}] ${event.step}: ${event.line}`);
			else if (event.kind === 'plan') log.write(`[${event.host}] ${event.step}: would run: ${event.action}`);
			else if (event.kind === 'note') log.write(event.line);
			options.onEvent(event);
		},
		async connect(host) {
			const address = host.host.address;
			const trusted = options.trustedHostKeys?.get(address);
			const connect = options.connectWith ?? (await import('../remote/connection.js')).connect;
			const remote = await connect({
				...connectOptions(cluster, address, options, {
					...(trusted ? { trustedHostKeys: trusted } : {}),
					deadlineMs: options.connectTimeoutMs,
					redactor,
					signal: abort.signal,
					...(options.sudoPassword !== undefined ? { sudoPassword: options.sudoPassword } : {}),
					// A refused or reset connection is retried until the deadline; each retry is shown on the
					// view (as the host's running detail) and written to the run log, so a long wait is never silent.
					onRetry: (info) => {
						const line = retryLine(info, options.connectTimeoutMs);
						log.write(`[${host.id}] connect: ${line}`);
						options.onEvent({ kind: 'host', step: 'connect', host: host.id, state: 'running', detail: line });
					},
				}),
				...options.connectExtras?.(host),
			});
			remotes.push(remote);
			return remote;
		},
		...(cwd === undefined ? {} : {
			async saveFile(name: string, content: string): Promise<string> {
				const path = resolve(cwd, name);
				await writeFileAtomic(path, content, 0o600);
				// It holds credentials: 0600 whatever the umask did.
				await chmod(path, 0o600);
				return path;
			},
		}),
	};

	let closed = false;
	return {
		cluster,
		ctx,
		dir,
		log,
		redact: (text) => redactor.redact(text),
		async run(steps, runOptions) {
			const outcome = await runSteps(ctx, steps, runOptions);
			return { ...outcome, ok: outcome.failures.length === 0 && !outcome.interrupted };
		},
		async close() {
			if (closed) return;
			closed = true;
			try {
				// Before the connections close: these still talk to the hosts (without the run's abort signal).
				for (const work of closing.reverse()) {
					try {
						await work();
					} catch (error) {
						log.write(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
					}
				}
				for (const remote of remotes) log.write(`[${remote.host}] ssh connections opened: ${remote.stats.connectionsOpened}, commands run: ${remote.stats.commandsRun}`);
				await Promise.allSettled(remotes.map((remote) => remote.close()));
				options.signal?.removeEventListener('abort', onAbort);
				const cpu = process.cpuUsage();
				log.write(`kubestrap cpu time: ${Math.round((cpu.user + cpu.system) / 1000)} ms`);
				log.close();
			} finally {
				await lock?.release();
			}
		},
	};
}
