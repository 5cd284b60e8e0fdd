// A crashing container's cause is in its previous run's last log lines. The verdict says which
// logs to fetch (the caller runs kubectl logs --previous over SSH) and takes the lines back.
import { cutEnd, printable } from './text.js';
import type { PodRow, Verdict } from './verdict.js';

export interface LogRequest {
	namespace: string;
	pod: string;
	container: string;
	restarts: number;
}

/** Lines kept per container and characters per line: enough for a Go panic's first line or a fatal log. */
export const LOG_LINES = 5;
export const LOG_LINE_CHARS = 240;

export function logKey(namespace: string, pod: string, container: string): string {
	return `${namespace}/${pod}/${container}`;
}

/** CrashLoopBackOff containers of unhealthy pods, in table order: `kubectl logs --previous` for each. */
export function logRequests(verdict: Verdict): LogRequest[] {
	return verdict.pods
		.filter((pod) => !pod.healthy)
		.flatMap((pod) => pod.crashLooping.map((c) => ({ namespace: pod.namespace, pod: pod.name, container: c.container, restarts: c.restarts })));
}

function tail(lines: readonly string[]): string[] {
	return lines
		.map(printable)
		.filter((line) => line.trim() !== '')
		.slice(-LOG_LINES)
		.map((line) => cutEnd(line, LOG_LINE_CHARS));
}

function causeWithLogs(pod: PodRow, logs: ReadonlyMap<string, readonly string[]>): string | undefined {
	if (pod.cause === undefined) return undefined;
	const summary = pod.cause.split('\n')[0] ?? '';
	const found = pod.crashLooping
		.map((c) => ({ container: c.container, lines: tail(logs.get(logKey(pod.namespace, pod.name, c.container)) ?? []) }))
		.filter((c) => c.lines.length > 0);
	if (found.length === 0) return summary;
	// One crashing container needs no heading; several are told apart by name.
	const body = found.length === 1 ? (found[0]?.lines ?? []) : found.flatMap((c) => [`logs of ${c.container}:`, ...c.lines]);
	return [summary, ...body].join('\n');
}

/**
 * The verdict with the last log lines after the cause of each crashing pod (and its problem): the
 * cause's first line stays the summary, the lines after it are log lines. Keys are
 * namespace/pod/container (logKey). Applying it again replaces the lines, it never stacks them.
 */
export function withLogs(verdict: Verdict, logs: ReadonlyMap<string, readonly string[]>): Verdict {
	const causes = new Map<string, string>();
	const pods = verdict.pods.map((pod) => {
		if (pod.crashLooping.length === 0 || pod.cause === undefined) return pod;
		const cause = causeWithLogs(pod, logs) ?? pod.cause;
		causes.set(`pod ${pod.key}`, cause);
		return { ...pod, cause };
	});
	const problems = verdict.problems.map((problem) => {
		const cause = causes.get(problem.subject);
		return cause === undefined ? problem : { ...problem, cause };
	});
	return { ...verdict, pods, problems };
}

/** The text of `kubectl logs` as lines for withLogs (CRLF and a trailing newline handled). */
export function logLines(text: string): string[] {
	return text.split(/\r?\n/).filter((line, index, all) => !(index === all.length - 1 && line === ''));
}
