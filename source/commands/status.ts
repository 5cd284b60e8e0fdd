// `kubestrap status`: the health of an installed cluster — nodes, the CNI and its datapath,
// DaemonSets/Deployments, system pods and problems with causes. It reads the cluster over SSH on
// the first control plane (the spec's hosts and ssh settings), or with --kubeconfig through a local
// kubectl. The verdict comes from the same pure code install waits on (source/cluster/health).
import type { Session } from '../session/session.js';
import type { Cluster } from '../spec/types.js';
import type { Cni, Snapshot, StatusReport } from '../cluster/health/index.js';
import { EXIT } from './exit.js';
import { flagProblem, type Io } from './io.js';
import { parseDuration } from '../spec/durations.js';
import { sleep } from '../steps/sleep.js';
import type { SpecOptions } from './spec-input.js';
import { CILIUM_CONFIG_ARGS } from '../cluster/kubectl.js';
import { logsOf, readHealth, readPreviousLogs, type LogCache } from '../steps/read-health.js';
import { localRunner, sshRunner, type KubectlRunner } from '../steps/status/kubectl-runner.js';
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
	const read = await clusterFromOptions(options, io, 'read');
	if (typeof read === 'number') return done(read);
	if (read.kubeconfig !== undefined) {
		if (read.cluster) context = { cni: read.cluster.spec.network.cni, cluster: read.cluster.metadata.name };
		runner = localRunner(read.kubeconfig, io.childEnv, abort.signal);
	} else {
		const reached = await reachFirstControlPlane(read.cluster as Cluster, io, { command: 'status', connectTimeoutMs: connectTimeout as number, signal: abort.signal, deps });
		if (typeof reached === 'number') return done(reached);
		session = reached.session;
		const cluster = reached.session.cluster;
		context = { cni: cluster.spec.network.cni, cluster: cluster.metadata.name, ...(cluster.spec.hosts.every((h) => h.name) ? { nodeNames: cluster.spec.hosts.map((h) => h.name as string) } : {}) };
		runner = sshRunner(reached.remote, reached.host, abort.signal);
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
	// kube-system is followed at once; the CNI's own namespaces (if any exist) join when the namespace list answers.
	const more = cniCollections(runner.raw, w.signal, (message) => io.stderr(`status: ${message}\n`));
	const collections = collectionsFor(['kube-system']);
	// Which route this run took, for the user and the log: scripts read stdout, so it goes to stderr.
	io.stderr(`status: following ${runner.where}: list then watch (kubectl get --raw …?watch=1) of nodes and of pods, DaemonSets and Deployments in kube-system and the CNI's namespaces\n`);
	let config = '';
	const configRead = context.cni !== 'calico'
		? runner.run([...CILIUM_CONFIG_ARGS]).then((out) => {
				config = out.code === 0 ? out.stdout : '';
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
	let latestListing: string | undefined;
	// The CNI's datapath comes from its ConfigMap, read beside the first list: redraw once it is in.
	void configRead.then(() => {
		const snapshot = latest;
		if (snapshot !== undefined) drawing = drawing.then(() => draw(snapshot, latestListing));
	});

	const draw = async (snapshot: Snapshot, listing: string | undefined): Promise<void> => {
		// Without a terminal only whole documents are printed: nothing while the first list is paging.
		if (!live && listing !== undefined) return;
		const report = await reportOf(snapshot, context, config, logs);
		healthy = report.healthy && listing === undefined;
		if (live) {
			live.update(report);
			live.notice(listing);
			return;
		}
		// Compared without the timestamp, so an unchanged cluster prints nothing new; rendered once.
		const text = await render({ ...report, generatedAt: '' }, io, w.json);
		if (text !== last) io.stdout(w.json ? text.replace('"generatedAt":""', `"generatedAt":${JSON.stringify(report.generatedAt)}`) : `— ${report.generatedAt}\n${text}`);
		last = text;
	};
	// A crash loop is explained by its last log lines, read once per restart, as install's readiness wait reads them.
	const fetchLogs = (snapshot: Snapshot): Promise<boolean> =>
		readPreviousLogs((args, timeoutMs) => runner.run(args, timeoutMs), assess(snapshot, { cni: cniOf(snapshot, context, cniInfo), now: Date.now() }), logs, w.signal);

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
				const listing = progress.synced ? undefined : `listing the cluster: ${progress.remaining} more objects to read`;
				latestListing = listing;
				drawing = drawing
					.then(() => draw(snapshot, listing))
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
