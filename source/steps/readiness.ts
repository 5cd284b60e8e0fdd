// Waits until the cluster is really ready, over the first control plane's SSH connection. The cluster
// is followed as `status --watch` follows it (source/steps/status/cluster-follow.ts): one list of the
// nodes and of kube-system's pods, DaemonSets and Deployments, then the CNI's namespaces, then watches
// (`kubectl get --raw …?watch=1`), so after the first list only changes travel, whatever the size of
// the cluster. A round judges the latest whole snapshot (source/cluster/health) on each change and at
// least once per interval (the API check, and what time alone changes); the previous logs of
// crash-looping containers are fetched once per restart, and at the end the fetched kubeconfig is
// checked against /readyz from this machine. Success is returned only when every condition holds in
// the same round.
import { assess, parseEvents, recentEvents, withLogs, type Cni, type EventRow, type Snapshot, type Verdict } from '../cluster/health/index.js';
import { eventsCommand } from '../cluster/kubectl.js';
import { logsOf, readPreviousLogs, type LogCache } from './read-health.js';
import { cniCollections, collectionsFor, followCluster } from './status/cluster-follow.js';
import { sshRunner } from './status/kubectl-runner.js';
import type { StepRemote } from './types.js';

export interface ReadinessOptions {
	remote: Pick<StepRemote, 'exec'>;
	/** the host the remote reaches, for messages */
	host?: string;
	cni: Cni;
	/** the node names the cluster must have (kubeadm's: the spec's name, else the lowercased hostname) */
	nodeNames?: string[];
	timeoutMs: number;
	/** the longest time between two rounds while nothing changes */
	intervalMs?: number;
	signal: AbortSignal;
	now?: () => number;
	/** called after every round with the current verdict */
	onVerdict(verdict: Verdict, elapsedMs: number): void;
	/** the last check once everything else is ready: undefined when the API answers, else why not */
	apiCheck?: () => Promise<string | undefined>;
	/** one line per notable step of the follow (the route, lists, watches renewed), for the run's log */
	onNote?(line: string): void;
}

export type ReadinessResult =
	| { outcome: 'ready'; verdict: Verdict; elapsedMs: number }
	| { outcome: 'timeout'; verdict?: Verdict; events: EventRow[]; lastError?: string; elapsedMs: number }
	| { outcome: 'aborted'; verdict?: Verdict; elapsedMs: number };

/** Marks the verdict unhealthy with one more problem (the API check), keeping everything else. */
function withProblem(verdict: Verdict, subject: string, cause: string): Verdict {
	return { ...verdict, healthy: false, problems: [...verdict.problems, { subject, cause, progressing: false }] };
}

export async function watchReadiness(options: ReadinessOptions): Promise<ReadinessResult> {
	const now = options.now ?? Date.now;
	const interval = options.intervalMs ?? 1000;
	const start = now();
	const deadline = start + options.timeoutMs;
	const logs: LogCache = new Map();
	const note = (line: string): void => options.onNote?.(line);
	const runner = sshRunner(options.remote, options.host ?? 'the first control plane', options.signal);
	// The follow ends with the wait (ready, timeout or Ctrl-C): its watches stop with this signal.
	const stop = new AbortController();
	const onAbort = (): void => stop.abort();
	options.signal.addEventListener('abort', onAbort, { once: true });

	let latest: Snapshot | undefined;
	// Whether `latest` holds every collection followed, each listed whole (a round judges only that).
	let whole = false;
	let cniKnown = false;
	let followError: string | undefined;
	let heard = false;
	let dirty = false;
	let wake: () => void = () => undefined;
	const changed = (answered = true): void => {
		if (answered) heard = true;
		dirty = true;
		wake();
	};
	// As `status --watch`: the CNI's namespaces are looked up after the first page, then join the follow.
	let firstPage: () => void = () => undefined;
	const paged = new Promise<void>((resolve) => (firstPage = resolve));
	stop.signal.addEventListener('abort', () => firstPage(), { once: true });
	const more = paged
		.then(() => (stop.signal.aborted ? [] : cniCollections(runner.raw, stop.signal, (message) => note(message))))
		.then((found) => {
			cniKnown = true;
			// The collections that join are not listed yet: the snapshot is whole again once they are.
			if (found.length > 0) {
				whole = false;
				note(`also following ${[...new Set(found.map((c) => c.namespace))].join(', ')}`);
			}
			changed(false);
			return found;
		});
	note(`following the cluster from ${runner.where}: list then watch (${runner.how}) of nodes and of pods, DaemonSets and Deployments in kube-system and the CNI's namespaces`);
	const following = followCluster(collectionsFor(['kube-system']), {
		reader: runner.raw,
		signal: stop.signal,
		more,
		onUpdate: (snapshot, progress) => {
			firstPage();
			latest = snapshot;
			whole = progress.synced;
			changed();
		},
		onError: (message) => {
			// Every answer clears the error: a round is due only when there is a new one.
			if (message === followError) return;
			followError = message;
			changed(message !== undefined);
		},
		onNote: note,
	}).catch((error: unknown) => {
		followError = (error as Error).message;
		changed();
	});

	let verdict: Verdict | undefined;
	try {
		while (!options.signal.aborted) {
			dirty = false;
			if (latest !== undefined && whole && cniKnown) {
				let next = assess(latest, { cni: options.cni, now: now(), ...(options.nodeNames ? { nodeNames: options.nodeNames } : {}) });
				await readPreviousLogs(runner.previousLogs, next, logs, options.signal);
				if (logs.size > 0) next = withLogs(next, logsOf(logs));
				verdict = next;
			}
			if (options.signal.aborted) break;
			const lastError = followError;
			if (verdict) {
				if (verdict.healthy && options.apiCheck) {
					const failure = await options.apiCheck();
					if (failure !== undefined) verdict = withProblem(verdict, 'api /readyz', failure);
				}
				options.onVerdict(verdict, now() - start);
				if (verdict.healthy) return { outcome: 'ready', verdict, elapsedMs: now() - start };
			}
			if (now() >= deadline) {
				const events = await options.remote.exec(eventsCommand(), { sudo: true, signal: options.signal, timeoutMs: 15_000 });
				let rows: EventRow[] = [];
				if (events.code === 0 && verdict) {
					try {
						rows = recentEvents(parseEvents(events.stdout), verdict, 10);
					} catch {
						rows = [];
					}
				}
				return { outcome: 'timeout', ...(verdict ? { verdict } : {}), events: rows, ...(lastError ? { lastError } : {}), elapsedMs: now() - start };
			}
			if (dirty) continue;
			if (options.signal.aborted) break;
			// The next change, or the interval once the cluster has answered (a failing /readyz is tried
			// again, and time alone turns a slow start into a problem), never past the deadline.
			await new Promise<void>((resolve) => {
				const timer = setTimeout(done, Math.max(0, heard ? Math.min(interval, deadline - now()) : deadline - now()));
				function done(): void {
					clearTimeout(timer);
					options.signal.removeEventListener('abort', done);
					wake = () => undefined;
					resolve();
				}
				wake = done;
				options.signal.addEventListener('abort', done, { once: true });
			});
		}
	} finally {
		stop.abort();
		options.signal.removeEventListener('abort', onAbort);
		await following;
	}
	return { outcome: 'aborted', ...(verdict ? { verdict } : {}), elapsedMs: now() - start };
}
