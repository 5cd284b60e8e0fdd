// Waits until the cluster is really ready, over the first control plane's SSH connection: one health
// read at a time (source/steps/read-health.ts, about once a second), the previous logs of
// crash-looping containers fetched once per restart, and at the end the fetched kubeconfig checked
// against /readyz from this machine. Success is returned only when every condition holds in the
// same round.
import { parseEvents, recentEvents, type Cni, type EventRow, type Verdict } from '../cluster/health/index.js';
import { eventsCommand, kubectl } from '../cluster/kubectl.js';
import { readHealth, type LogCache } from './read-health.js';
import { sleep } from './sleep.js';
import type { StepRemote } from './types.js';

const POLL_TIMEOUT_MS = 30_000;

export interface ReadinessOptions {
	remote: Pick<StepRemote, 'exec'>;
	cni: Cni;
	/** the node names the cluster must have (kubeadm's: the spec's name, else the lowercased hostname) */
	nodeNames?: string[];
	timeoutMs: number;
	intervalMs?: number;
	signal: AbortSignal;
	now?: () => number;
	/** called after every round with the current verdict */
	onVerdict(verdict: Verdict, elapsedMs: number): void;
	/** the last check once everything else is ready: undefined when the API answers, else why not */
	apiCheck?: () => Promise<string | undefined>;
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
	let verdict: Verdict | undefined;
	let lastError: string | undefined;
	const exec = (argv: string[], timeoutMs: number) => options.remote.exec(argv, { sudo: true, signal: options.signal, timeoutMs });

	while (!options.signal.aborted) {
		const round = now();
		const read = await readHealth((args, timeoutMs) => exec(kubectl(...args), timeoutMs ?? 10_000), {
			cni: options.cni,
			now: now(),
			logs,
			signal: options.signal,
			timeoutMs: Math.max(1000, Math.min(POLL_TIMEOUT_MS, deadline - round)),
			...(options.nodeNames ? { nodeNames: options.nodeNames } : {}),
		});
		if (options.signal.aborted) break;
		if (read.ok) {
			verdict = read.verdict;
			lastError = undefined;
		} else {
			lastError = read.error;
		}
		if (verdict) {
			if (verdict.healthy && options.apiCheck) {
				const failure = await options.apiCheck();
				if (failure !== undefined) verdict = withProblem(verdict, 'api /readyz', failure);
			}
			options.onVerdict(verdict, now() - start);
			if (verdict.healthy) return { outcome: 'ready', verdict, elapsedMs: now() - start };
		}
		if (now() >= deadline) {
			const events = await exec(eventsCommand(), 15_000);
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
		await sleep(Math.min(deadline, round + interval) - now(), options.signal);
	}
	return { outcome: 'aborted', ...(verdict ? { verdict } : {}), elapsedMs: now() - start };
}
