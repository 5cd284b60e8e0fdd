// One read of the cluster's health through kubectl: the snapshot list, the verdict from the pure
// code in source/cluster/health, and the previous logs of crash-looping containers. The install's
// readiness wait and `kubestrap status` both read the cluster through this function, so they see
// the same thing and explain it the same way.
import { assess, cniInfo, logKey, logLines, logRequests, parseSnapshot, withLogs, type Cni, type CniInfo, type Verdict } from '../cluster/health/index.js';
import { CILIUM_CONFIG_ARGS, previousLogsArgs, SNAPSHOT_ARGS } from '../cluster/kubectl.js';

export interface KubectlResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Runs `kubectl <args>` somewhere that reaches the cluster (over SSH on a control plane, or locally). */
export type KubectlRun = (args: string[], timeoutMs?: number) => Promise<KubectlResult>;

/** Reads a container's previous run's last lines (`kubectl logs --previous --tail`, or the API's log path). */
export type PreviousLogsRead = (namespace: string, pod: string, container: string, lines: number, timeoutMs?: number) => Promise<KubectlResult>;

/** The previous-logs read through kubectl. */
export function kubectlLogs(kubectl: KubectlRun): PreviousLogsRead {
	return (namespace, pod, container, lines, timeoutMs) => kubectl(previousLogsArgs(namespace, pod, container, lines), timeoutMs);
}

export const LOG_LINES = 5;

/**
 * The previous logs already read, per container with its restart count: a watch reads them once
 * per restart instead of every round.
 */
export type LogCache = Map<string, { restarts: number; lines: string[] }>;

export interface HealthOptions {
	/** the CNI the cluster should run; detected from the cluster when absent */
	cni?: Cni;
	/** the node names the cluster must have */
	nodeNames?: string[];
	now: number;
	/** read the CNI's config too (for the status report's CNI line) */
	cniConfig?: boolean;
	logs?: LogCache;
	/** the bound of the snapshot read */
	timeoutMs?: number;
	signal?: AbortSignal;
}

export type HealthRead = { ok: true; verdict: Verdict; cni: CniInfo } | { ok: false; error: string };

export function lastLines(text: string, count: number): string[] {
	return text.trim().split('\n').filter((line) => line.trim() !== '').slice(-count);
}

export async function readHealth(kubectl: KubectlRun, options: HealthOptions): Promise<HealthRead> {
	const list = await kubectl([...SNAPSHOT_ARGS], options.timeoutMs);
	if (list.code !== 0) return { ok: false, error: `kubectl ${SNAPSHOT_ARGS.join(' ')} exited ${list.code ?? 'by signal'}: ${lastLines(list.stderr || list.stdout, 3).join(' ')}` };
	let snapshot: ReturnType<typeof parseSnapshot>;
	try {
		snapshot = parseSnapshot(list.stdout);
	} catch (error) {
		return { ok: false, error: `kubectl printed what is not a list of objects: ${(error as Error).message}` };
	}
	const detected = cniInfo(snapshot, '').cni;
	const cni: Cni = options.cni ?? (detected === 'calico' ? 'calico' : 'cilium');
	const config = options.cniConfig === true && cni === 'cilium' ? await kubectl([...CILIUM_CONFIG_ARGS]) : undefined;
	let verdict = assess(snapshot, { cni, now: options.now, ...(options.nodeNames ? { nodeNames: options.nodeNames } : {}) });
	const cache: LogCache = options.logs ?? new Map();
	await readPreviousLogs(kubectlLogs(kubectl), verdict, cache, options.signal);
	if (cache.size > 0) verdict = withLogs(verdict, logsOf(cache));
	return { ok: true, verdict, cni: cniInfo(snapshot, config?.code === 0 ? config.stdout : '') };
}

/**
 * A crash loop is explained by its last log lines: the previous logs of each crash-looping container
 * the cache has not read at its current restart count, read one container at a time. Returns whether
 * anything was read. `status --watch` calls it on the snapshot it follows.
 */
export async function readPreviousLogs(previousLogs: PreviousLogsRead, verdict: Verdict, cache: LogCache, signal?: AbortSignal): Promise<boolean> {
	let read = false;
	for (const want of logRequests(verdict)) {
		const key = logKey(want.namespace, want.pod, want.container);
		if (cache.get(key)?.restarts === want.restarts || signal?.aborted === true) continue;
		const out = await previousLogs(want.namespace, want.pod, want.container, LOG_LINES, 10_000);
		cache.set(key, { restarts: want.restarts, lines: out.code === 0 ? logLines(out.stdout).slice(-LOG_LINES) : [] });
		read = true;
	}
	return read;
}

/** The cache as withLogs takes it. */
export function logsOf(cache: LogCache): Map<string, string[]> {
	return new Map([...cache].map(([key, value]) => [key, value.lines]));
}
