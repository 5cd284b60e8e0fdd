// `kubestrap status`: the health of an installed cluster — nodes, the CNI and its datapath,
// DaemonSets/Deployments, system pods and problems with causes. It reads the cluster over SSH on
// the first control plane (the spec's hosts and ssh settings), or with --kubeconfig through a local
// kubectl. The verdict comes from the same pure code install waits on (source/cluster/health).
import type { Session } from '../session/session.js';
import type { Cluster } from '../spec/types.js';
import type { Cni, Snapshot, StatusReport } from '../cluster/health/index.js';
import { EXIT } from './exit.js';
import { flagProblem, onSearchPath, type Io } from './io.js';
import { parseDuration } from '../spec/durations.js';
import { sleep } from '../steps/sleep.js';
import type { SpecOptions } from './spec-input.js';
import { logsOf, readHealth, readPreviousLogs, type LogCache } from '../steps/read-health.js';
import { localRunner, sshRunner, type KubectlRunner } from '../steps/status/kubectl-runner.js';
import { reachApi } from '../steps/status/api-runner.js';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { clusterFromOptions, reachFirstControlPlane, type HostDeps } from './session-io.js';

export interface StatusOptions extends SpecOptions {
	kubeconfig?: string;
	watch?: boolean;
	poll?: boolean;
	interval?: string;
	connectTimeout?: string;
	output?: string;
}

type Context = { cni?: Cni; cluster?: string; nodeNames?: string[] };

/** What the spec says of the cluster to read: its CNI, its name, and its nodes when every host is named. */
function contextOf(cluster: Cluster): Context {
	const hosts = cluster.spec.hosts;
	return { cni: cluster.spec.network.cni, cluster: cluster.metadata.name, ...(hosts.length > 0 && hosts.every((h) => h.name) ? { nodeNames: hosts.map((h) => h.name as string) } : {}) };
}

async function readReport(runner: KubectlRunner, spec: Context): Promise<StatusReport | string> {
	const health = await import('../cluster/health/index.js');
	const read = await readHealth((args, timeoutMs) => runner.run(args, timeoutMs), { ...spec, now: Date.now(), cniConfig: true });
	if (!read.ok) return `${runner.where}: ${read.error}`;
	return health.statusReport(read.verdict, read.cni, { ...(spec.cluster ? { cluster: spec.cluster } : {}), generatedAt: new Date().toISOString() });
}

async function render(report: StatusReport, io: Io, json: boolean): Promise<string> {
	if (json) return `${JSON.stringify(report)}\n`;
	const { formatStatus } = await import('../cluster/health/index.js');
	return `${formatStatus(report, { width: io.tty?.stdout.columns ?? 100 }).join('\n')}\n`;
}

/** status --kubeconfig --watch: the API with the client library; the local kubectl when the API does not answer through the client. */
async function apiRoute(path: string, io: Io, signal: AbortSignal, local: KubectlRunner): Promise<KubectlRunner | number> {
	const api = await reachApi(path, signal);
	if (typeof api !== 'string') return api;
	if (signal.aborted) return EXIT.interrupted;
	if (!onSearchPath('kubectl', io.searchPath)) {
		io.stderr(`status: ${api}; and no kubectl on PATH to try instead\n`);
		return EXIT.failed;
	}
	io.stderr(`status: ${api}: trying the local kubectl instead\n`);
	return local;
}

/** status --config --watch after install: the fetched kubeconfig when the API answers through it, else undefined (over SSH). */
async function fetchedRoute(path: string, io: Io, signal: AbortSignal): Promise<KubectlRunner | undefined> {
	const { checkKubeconfig } = await import('./kubeconfig-check.js');
	const verdict = await checkKubeconfig(path);
	if (verdict.error !== undefined) {
		io.stderr(`status: not using ${path} (${verdict.error.replace(/^--kubeconfig: /, '')}): following over SSH\n`);
		return undefined;
	}
	const api = await reachApi(path, signal);
	if (typeof api !== 'string') return api;
	io.stderr(`status: ${api}: following over SSH\n`);
	return undefined;
}

export async function statusCommand(options: StatusOptions, io: Io, deps: HostDeps = {}): Promise<number> {
	const json = options.output === 'json';
	const interval = parseDuration(options.interval ?? '2s', '--interval');
	const connectTimeout = parseDuration(options.connectTimeout ?? '30', '--connect-timeout');
	if (flagProblem(io, [interval, connectTimeout])) return EXIT.invalid;
	const abort = new AbortController();
	const onAbort = (): void => abort.abort();
	io.signal?.addEventListener('abort', onAbort, { once: true });
	const done = (code: number): number => {
		io.signal?.removeEventListener('abort', onAbort);
		return code;
	};

	let runner: KubectlRunner;
	let context: Context = {};
	let session: Session | undefined;
	// Following reads the API with the client library, so kubectl is needed there only as a fallback.
	const follows = options.watch === true && options.poll !== true;
	const read = await clusterFromOptions(options, io, 'read', !follows);
	if (typeof read === 'number') return done(read);
	if (read.kubeconfig !== undefined) {
		if (read.cluster) context = { cni: read.cluster.spec.network.cni, cluster: read.cluster.metadata.name };
		const local = localRunner(read.kubeconfig, io.childEnv, abort.signal);
		if (follows) {
			const chosen = await apiRoute(read.kubeconfig, io, abort.signal, local);
			if (typeof chosen === 'number') return done(chosen);
			runner = chosen;
		} else {
			runner = local;
		}
	} else {
		// After install the fetched kubeconfig (./<name>.kubeconfig) is the shorter way to follow the
		// cluster when the API answers through it from here; SSH stays the route when it does not.
		const named = read.cluster as Cluster;
		const fetched = resolve(io.cwd, `${named.metadata.name}.kubeconfig`);
		const api = follows && existsSync(fetched) ? await fetchedRoute(fetched, io, abort.signal) : undefined;
		if (api !== undefined) {
			context = contextOf(named);
			runner = api;
		} else {
			const reached = await reachFirstControlPlane(named, io, { command: 'status', connectTimeoutMs: connectTimeout as number, signal: abort.signal, deps });
			if (typeof reached === 'number') return done(reached);
			session = reached.session;
			context = contextOf(reached.session.cluster);
			runner = sshRunner(reached.remote, reached.host, abort.signal);
		}
	}

	try {
		if (options.watch !== true) {
			const report = await readReport(runner, context);
			if (typeof report === 'string') {
				io.stderr(`status: ${report}\n`);
				return EXIT.failed;
			}
			io.stdout(await render(report, io, json));
			return report.healthy ? EXIT.ok : EXIT.failed;
		}
		if (options.poll === true) return await watch(runner, context, io, { json, intervalMs: interval as number, signal: abort.signal });
		return await follow(runner, context, io, { json, signal: abort.signal });
	} finally {
		await runner.close();
		await session?.close();
		io.signal?.removeEventListener('abort', onAbort);
	}
}

/** The report of a snapshot: the verdict, the CNI's datapath and the last logs of crash loops read so far. */
async function reportOf(snapshot: Snapshot, context: Context, config: string, logs: LogCache): Promise<StatusReport> {
	const health = await import('../cluster/health/index.js');
	let verdict = health.assess(snapshot, { cni: cniOf(snapshot, context, health.cniInfo), now: Date.now(), ...(context.nodeNames ? { nodeNames: context.nodeNames } : {}) });
	if (logs.size > 0) verdict = health.withLogs(verdict, logsOf(logs));
	return health.statusReport(verdict, health.cniInfo(snapshot, config), { ...(context.cluster ? { cluster: context.cluster } : {}), generatedAt: new Date().toISOString() });
}

/** The CNI the spec names, else the one the cluster runs. */
function cniOf(snapshot: Snapshot, context: Context, info: (s: Snapshot, config: string) => { cni: string }): Cni {
	return context.cni ?? (info(snapshot, '').cni === 'calico' ? 'calico' : 'cilium');
}

/**
 * --watch: the nodes and the system namespaces are listed once (in pages, so the first frame comes
 * early) and then followed with watches; a frame is drawn when something changed. On a terminal a
 * live view, elsewhere the report again each time it changes.
 */
async function follow(runner: KubectlRunner, context: Context, io: Io, w: { json: boolean; signal: AbortSignal }): Promise<number> {
	const { cniCollections, collectionsFor, followCluster } = await import('../steps/status/cluster-follow.js');
	// The first frame needs only the first page of each kube-system collection and of the nodes, so
	// the smaller reads (which CNI namespaces exist, the CNI's ConfigMap) wait for it instead of
	// competing with it; the CNI's namespaces then join, and a frame follows each.
	let firstFrame: () => void = () => undefined;
	const drawn = new Promise<void>((resolve) => (firstFrame = resolve));
	w.signal.addEventListener('abort', () => firstFrame(), { once: true });
	const more = drawn.then(() => (w.signal.aborted ? [] : cniCollections(runner.raw, w.signal, (message) => io.stderr(`status: ${message}\n`))));
	const collections = collectionsFor(['kube-system']);
	// Which route this run took, for the user and the log: scripts read stdout, so it goes to stderr.
	io.stderr(`status: following ${runner.where}: list then watch (${runner.how}) of nodes and of pods, DaemonSets and Deployments in kube-system and the CNI's namespaces\n`);
	let config = '';
	const configRead = context.cni !== 'calico'
		? drawn.then(() => (w.signal.aborted ? '' : runner.cniConfig())).then((text) => {
				config = text;
			})
		: Promise.resolve();
	const live = !w.json && io.tty ? (await import('../ui/health/status-live.js')).mountStatus(io.tty.stdout, io.color === true) : undefined;
	const { assess, cniInfo } = await import('../cluster/health/index.js');
	const logs: LogCache = new Map();
	let last = '';
	let healthy = false;
	let latest: Snapshot | undefined;
	let lastError: string | undefined;
	let drawing = Promise.resolve();
	let latestListing: number | undefined;
	// The CNI's datapath comes from its ConfigMap, read beside the first list: redraw once it is in.
	void configRead.then(() => {
		const snapshot = latest;
		if (snapshot !== undefined) drawing = drawing.then(() => draw(snapshot, latestListing));
	});

	const draw = async (snapshot: Snapshot, remaining: number | undefined): Promise<void> => {
		// While the first lists still page, the frame shows the pages read so far (the first frame comes
		// after the first page of every collection), marked as such: never healthy, `listing` in JSON.
		const whole = await reportOf(snapshot, context, config, logs);
		const report = remaining === undefined ? whole : (await import('../cluster/health/index.js')).withListing(whole, remaining);
		healthy = report.healthy;
		if (live) {
			live.update(whole);
			live.notice(remaining === undefined ? undefined : `listing the cluster: ${remaining} more objects to read`);
			return;
		}
		// Compared without the timestamp, so an unchanged cluster prints nothing new; rendered once.
		const text = await render({ ...report, generatedAt: '' }, io, w.json);
		if (text !== last) io.stdout(w.json ? text.replace('"generatedAt":""', `"generatedAt":${JSON.stringify(report.generatedAt)}`) : `— ${report.generatedAt}\n${text}`);
		last = text;
	};
	// A crash loop is explained by its last log lines, read once per restart, as install's readiness wait reads them.
	const fetchLogs = (snapshot: Snapshot): Promise<boolean> =>
		readPreviousLogs(runner.previousLogs, assess(snapshot, { cni: cniOf(snapshot, context, cniInfo), now: Date.now() }), logs, w.signal);

	try {
		await followCluster(collections, {
			reader: runner.raw,
			signal: w.signal,
			more: more.then((found) => {
				if (found.length > 0) io.stderr(`status: also following ${[...new Set(found.map((c) => c.namespace))].join(', ')}\n`);
				return found;
			}),
			onUpdate: (snapshot, progress) => {
				latest = snapshot;
				firstFrame();
				const listing = progress.synced ? undefined : progress.remaining;
				latestListing = listing;
				drawing = drawing
					// A frame already superseded by a newer snapshot is skipped: its successor is queued.
					.then(() => (latest === snapshot ? draw(snapshot, listing) : undefined))
					.then(async () => {
						if (progress.synced && latest === snapshot && (await fetchLogs(snapshot)) && latest === snapshot) await draw(snapshot, undefined);
					})
					.catch((error: unknown) => {
						io.stderr(`status: ${(error as Error).message}\n`);
					});
			},
			onError: (message) => {
				if (live) live.error(message);
				else if (message !== undefined && message !== lastError) io.stderr(`status: ${message}\n`);
				lastError = message;
				if (message !== undefined) healthy = false;
			},
			onNote: (line) => {
				if (!live) io.stderr(`status: ${line}\n`);
			},
		});
		await drawing;
		await configRead;
	} finally {
		await live?.finish();
	}
	return w.signal.aborted ? EXIT.interrupted : healthy ? EXIT.ok : EXIT.failed;
}

/** --watch --poll: the whole cluster read again every interval; a live view on a terminal, elsewhere the report again each time it changes. */
async function watch(runner: KubectlRunner, context: Context, io: Io, w: { json: boolean; intervalMs: number; signal: AbortSignal }): Promise<number> {
	const live = !w.json && io.tty ? (await import('../ui/health/status-live.js')).mountStatus(io.tty.stdout, io.color === true) : undefined;
	let last = '';
	let healthy = false;
	try {
		while (!w.signal.aborted) {
			const report = await readReport(runner, context);
			if (w.signal.aborted) break;
			if (typeof report === 'string') {
				live?.error(report);
				if (!live && report !== last) io.stderr(`status: ${report}\n`);
				last = report;
				healthy = false;
			} else {
				healthy = report.healthy;
				live?.error(undefined);
				if (live) live.update(report);
				else {
					// Compared without the timestamp, so an unchanged cluster prints nothing new.
					const text = await render({ ...report, generatedAt: '' }, io, w.json);
					if (text !== last) io.stdout(w.json ? await render(report, io, true) : `— ${report.generatedAt}\n${text}`);
					last = text;
				}
			}
			await sleep(w.intervalMs, w.signal);
		}
	} finally {
		await live?.finish();
	}
	return w.signal.aborted ? EXIT.interrupted : healthy ? EXIT.ok : EXIT.failed;
}
