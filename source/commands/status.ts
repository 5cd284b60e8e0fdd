// `kubestrap status`: the health of an installed cluster — nodes, the CNI and its datapath,
// DaemonSets/Deployments, system pods and problems with causes. It reads the cluster over SSH on
// the first control plane (the spec's hosts and ssh settings), or with --kubeconfig through a local
// kubectl. The verdict comes from the same pure code install waits on (source/cluster/health).
import { localKubeconfigGate } from './kubeconfig-check.js';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Remote } from '../remote/remote.js';
import type { Cluster, Host } from '../spec/types.js';
import type { Cni, Snapshot, StatusReport } from '../cluster/health/index.js';
import { LocalFileError } from '../files/bounded-read.js';
import { EXIT } from './exit.js';
import { onSearchPath, sshIdentity, type Io } from './io.js';
import { parseDuration } from '../spec/durations.js';
import { sleep } from '../steps/sleep.js';
import { printProblems, specFromOptions, type SpecOptions } from './spec-input.js';
import { CILIUM_CONFIG_ARGS, kubectl, previousLogsArgs } from '../cluster/kubectl.js';
import { formatProblem } from '../spec/resolve.js';
import type { RawReader } from './cluster-follow.js';
import type { ApiReader } from '../kubeapi/api-reader.js';

export interface StatusOptions extends SpecOptions {
	kubeconfig?: string;
	watch?: boolean;
	poll?: boolean;
	interval?: string;
	connectTimeout?: string;
	output?: string;
}

interface Result {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Reads the cluster somewhere that can reach it: kubectl over SSH, a local kubectl, or the API itself. */
interface KubectlRunner {
	where: string;
	/** how the watch route makes its requests, for the line that names the route */
	how: string;
	/** kubectl with these arguments (the one-shot status and --poll; the API route, used only to follow, has none) */
	run(args: string[]): Promise<Result>;
	/** GET PATH: the API's own answer (a watch streams line by line); never rejects */
	raw: RawReader;
	/** the Cilium ConfigMap as JSON, '' when absent or unreadable */
	cniConfig(): Promise<string>;
	/** the previous run's last log lines of a container (`kubectl logs --previous --tail`) */
	previousLogs(namespace: string, pod: string, container: string, lines: number): Promise<Result>;
	close(): Promise<void>;
}

const KUBECTL_RAW = 'kubectl get --raw …?watch=1';

/** The ConfigMap and logs reads of a kubectl runner. */
function kubectlReads(run: (args: string[]) => Promise<Result>): Pick<KubectlRunner, 'cniConfig' | 'previousLogs'> {
	return {
		cniConfig: async () => {
			const out = await run([...CILIUM_CONFIG_ARGS]);
			return out.code === 0 ? out.stdout : '';
		},
		previousLogs: (namespace, pod, container, lines) => run(previousLogsArgs(namespace, pod, container, lines)),
	};
}

function sshRunner(remote: Remote, signal: AbortSignal): KubectlRunner {
	const where = `kubectl on ${remote.host} (over SSH)`;
	const run = (args: string[]): Promise<Result> => remote.exec(kubectl(...args), { sudo: true, signal, timeoutMs: 30_000 });
	return {
		where,
		how: KUBECTL_RAW,
		run,
		...kubectlReads(run),
		raw: {
			where,
			get: (path, options) =>
				remote
					.exec(kubectl('get', '--raw', path), {
						sudo: true,
						signal: options.signal,
						timeoutMs: options.timeoutMs,
						...(options.onLine ? { onLine: (stream: string, line: string) => (stream === 'stdout' ? options.onLine?.(line) : undefined) } : {}),
					})
					.catch((error: unknown) => ({ code: null, stdout: '', stderr: (error as Error).message })),
		},
		close: () => remote.close(),
	};
}

function localRaw(kubeconfig: string, env: Readonly<Record<string, string | undefined>> | undefined, where: string): RawReader {
	return {
		where,
		get: (path, options) =>
			new Promise((done) => {
				const child = spawn('kubectl', ['--kubeconfig', kubeconfig, 'get', '--raw', path], { signal: options.signal, ...(env ? { env: env as NodeJS.ProcessEnv } : {}), stdio: ['ignore', 'pipe', 'pipe'] });
				const out: Buffer[] = [];
				const err: Buffer[] = [];
				let partial = '';
				const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs);
				child.stdout.on('data', (chunk: Buffer) => {
					if (!options.onLine) return void out.push(chunk);
					const lines = (partial + chunk.toString('utf8')).split('\n');
					partial = lines.pop() ?? '';
					for (const line of lines) options.onLine(line);
				});
				child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
				child.on('error', (error) => {
					clearTimeout(timer);
					done({ code: null, stdout: '', stderr: error.message });
				});
				child.on('close', (code) => {
					clearTimeout(timer);
					if (options.onLine && partial !== '') options.onLine(partial);
					done({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
				});
			}),
	};
}

function localRunner(kubeconfig: string, env: Readonly<Record<string, string | undefined>> | undefined, signal: AbortSignal): KubectlRunner {
	const run = (args: string[]): Promise<Result> =>
		new Promise((done) => {
				// No stdin (closed at once) so kubectl can never wait on a prompt; a request timeout so an
				// API that accepts but never answers is reported, not waited on.
				const child = execFile('kubectl', ['--kubeconfig', kubeconfig, '--request-timeout=20s', ...args], { signal, timeout: 30_000, maxBuffer: 64 * 1024 * 1024, ...(env ? { env: env as NodeJS.ProcessEnv } : {}) }, (error, stdout, stderr) => {
					const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : null) : 0;
					done({ code, stdout: String(stdout), stderr: error && code === null ? `${String(stderr)}${error.message}` : String(stderr) });
				});
				child.stdin?.end();
		});
	return {
		where: `local kubectl with ${kubeconfig}`,
		how: KUBECTL_RAW,
		raw: localRaw(kubeconfig, env, `local kubectl with ${kubeconfig}`),
		run,
		...kubectlReads(run),
		close: async () => undefined,
	};
}


/** target aws: the instances are found again (read-only, no checks), as install found them. */
async function awsHosts(cluster: Cluster, io: Io): Promise<Host[] | string> {
	const aws = cluster.spec.aws;
	if (!aws) return 'spec.aws: required with target "aws"';
	const [cloud, { envSecrets }] = await Promise.all([import('../cloud/index.js'), import('./aws.js')]);
	const client = cloud.createEc2Client(aws.region);
	const secrets = envSecrets(io);
	try {
		const found = await cloud.discoverInstances(client, aws, { region: aws.region, secrets, ...(io.awsProfile ? { profile: io.awsProfile } : {}) });
		if (found.problems.length > 0) return found.problems.map(formatProblem).join('\n');
		return cloud.hostsFromInstances(found.instances, aws.addressType);
	} catch (error) {
		return `aws: ${(error as Error).message}`;
	} finally {
		client.destroy();
	}
}

type Context = { cni?: Cni; cluster?: string; nodeNames?: string[] };

async function readReport(runner: KubectlRunner, spec: Context): Promise<StatusReport | string> {
	const [health, { readHealth }] = await Promise.all([import('../cluster/health/index.js'), import('../steps/read-health.js')]);
	const read = await readHealth((args) => runner.run(args), { ...spec, now: Date.now(), cniConfig: true });
	if (!read.ok) return `${runner.where}: ${read.error}`;
	return health.statusReport(read.verdict, read.cni, { ...(spec.cluster ? { cluster: spec.cluster } : {}), generatedAt: new Date().toISOString() });
}

async function render(report: StatusReport, io: Io, json: boolean): Promise<string> {
	if (json) return `${JSON.stringify(report)}\n`;
	const { formatStatus } = await import('../cluster/health/index.js');
	return `${formatStatus(report, { width: io.tty?.stdout.columns ?? 100 }).join('\n')}\n`;
}

/** The API route: @kubernetes/client-node through the kubeconfig, no kubectl (source/kubeapi). */
function apiRunner(reader: ApiReader): KubectlRunner {
	const raw: RawReader = { where: reader.where, get: (path, options) => reader.get(path, options) };
	return {
		where: reader.where,
		how: 'GET …?watch=1 with resourceVersion',
		run: async () => ({ code: null, stdout: '', stderr: `${reader.where} runs no kubectl` }),
		raw,
		cniConfig: async () => {
			const out = await reader.get('/api/v1/namespaces/kube-system/configmaps/cilium-config', { signal: new AbortController().signal, timeoutMs: 30_000 });
			return out.code === 0 ? out.stdout : '';
		},
		previousLogs: (namespace, pod, container, lines) =>
			reader.get(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log?container=${encodeURIComponent(container)}&previous=true&tailLines=${lines}`, { signal: new AbortController().signal, timeoutMs: 30_000 }),
		close: async () => undefined,
	};
}

/** The API through the kubeconfig, when it answers GET /version from here; else why not. */
async function reachApi(path: string, signal: AbortSignal): Promise<KubectlRunner | string> {
	const { apiReader } = await import('../kubeapi/api-reader.js');
	let reader: ApiReader;
	try {
		reader = await apiReader(path);
	} catch (error) {
		return `the client could not load ${path}: ${(error as Error).message}`;
	}
	const probe = await reader.get('/version', { signal, timeoutMs: 10_000 });
	if (probe.code !== 0) return `${reader.server} did not answer GET /version from here (${(probe.stderr || probe.stdout).trim().split('\n')[0]})`;
	return apiRunner(reader);
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

export async function statusCommand(options: StatusOptions, io: Io): Promise<number> {
	const json = options.output === 'json';
	const interval = parseDuration(options.interval ?? '2s', '--interval');
	const connectTimeout = parseDuration(options.connectTimeout ?? '30', '--connect-timeout');
	for (const value of [interval, connectTimeout]) {
		if (typeof value === 'string') {
			io.stderr(`${value}\n`);
			return EXIT.invalid;
		}
	}
	const abort = new AbortController();
	const onAbort = (): void => abort.abort();
	io.signal?.addEventListener('abort', onAbort, { once: true });

	let runner: KubectlRunner;
	let context: { cni?: Cni; cluster?: string; nodeNames?: string[] } = {};
	if (options.kubeconfig !== undefined) {
		const path = resolve(io.cwd, options.kubeconfig);
		const follows = options.watch === true && options.poll !== true;
		const refused = await localKubeconfigGate(path, io, 'read', !follows);
		if (refused !== undefined) return refused;
		if (options.config !== undefined) {
			const spec = await specFromOptions(options, io);
			if (!spec.ok) {
				printProblems(spec, io);
				return EXIT.invalid;
			}
			context = { cni: spec.cluster.spec.network.cni, cluster: spec.cluster.metadata.name };
		}
		const local = localRunner(path, io.childEnv, abort.signal);
		if (follows) {
			const chosen = await apiRoute(path, io, abort.signal, local);
			if (typeof chosen === 'number') return chosen;
			runner = chosen;
		} else {
			runner = local;
		}
	} else {
		const spec = await specFromOptions(options, io);
		if (!spec.ok) {
			printProblems(spec, io);
			return EXIT.invalid;
		}
		let cluster = spec.cluster;
		if (cluster.spec.target === 'aws' && cluster.spec.hosts.length === 0) {
			const found = await awsHosts(cluster, io);
			if (typeof found === 'string') {
				io.stderr(`status: ${found}\n`);
				return EXIT.failed;
			}
			cluster = { ...cluster, spec: { ...cluster.spec, hosts: found } };
		}
		const first = cluster.spec.hosts.find((h) => h.role === 'control-plane');
		if (!first) {
			io.stderr('spec.hosts: no control-plane host to read the cluster from; add one, or use --kubeconfig\n');
			return EXIT.invalid;
		}
		context = { cni: cluster.spec.network.cni, cluster: cluster.metadata.name, ...(cluster.spec.hosts.every((h) => h.name) ? { nodeNames: cluster.spec.hosts.map((h) => h.name as string) } : {}) };
		// After install the fetched kubeconfig (./<name>.kubeconfig) is the shorter way to follow the
		// cluster when the API answers through it from here; SSH stays the route when it does not.
		const fetched = resolve(io.cwd, `${cluster.metadata.name}.kubeconfig`);
		const api = options.watch === true && options.poll !== true && existsSync(fetched) ? await fetchedRoute(fetched, io, abort.signal) : undefined;
		if (api !== undefined) {
			runner = api;
		} else {
			const [{ connect }, { createRedactor }, { connectOptions }] = await Promise.all([import('../remote/connection.js'), import('../remote/redact.js'), import('../session/ssh-connect.js')]);
			try {
				const remote = await connect(connectOptions(cluster, first.address, sshIdentity(io), { deadlineMs: connectTimeout as number, redactor: createRedactor(), signal: abort.signal }));
				runner = sshRunner(remote, abort.signal);
			} catch (error) {
				io.signal?.removeEventListener('abort', onAbort);
				if (abort.signal.aborted) return EXIT.interrupted;
				io.stderr(`status: ${(error as Error).message}\n`);
				// A bad ~/.ssh/config (or a file it includes) is bad input: exit 2, as for any bad local file.
				return error instanceof LocalFileError ? EXIT.invalid : EXIT.failed;
			}
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
		io.signal?.removeEventListener('abort', onAbort);
	}
}

/** The report of a snapshot: the verdict, the CNI's datapath and the last logs of crash loops. */
async function reportOf(snapshot: Snapshot, context: Context, config: string, logs: Map<string, string[]>): Promise<StatusReport> {
	const health = await import('../cluster/health/index.js');
	const detected = health.cniInfo(snapshot, '').cni;
	const cni: Cni = context.cni ?? (detected === 'calico' ? 'calico' : 'cilium');
	let verdict = health.assess(snapshot, { cni, now: Date.now(), ...(context.nodeNames ? { nodeNames: context.nodeNames } : {}) });
	if (logs.size > 0) verdict = health.withLogs(verdict, logs);
	return health.statusReport(verdict, health.cniInfo(snapshot, config), { ...(context.cluster ? { cluster: context.cluster } : {}), generatedAt: new Date().toISOString() });
}

/**
 * --watch: the nodes and the system namespaces are listed once (in pages, so the first frame comes
 * early) and then followed with watches; a frame is drawn when something changed. On a terminal a
 * live view, elsewhere the report again each time it changes.
 */
async function follow(runner: KubectlRunner, context: Context, io: Io, w: { json: boolean; signal: AbortSignal }): Promise<number> {
	const { cniCollections, collectionsFor, followCluster } = await import('./cluster-follow.js');
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
	const { logRequests, logKey, logLines, assess } = await import('../cluster/health/index.js');
	const logs = new Map<string, string[]>();
	const logsSeen = new Map<string, number>();
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
	// A crash loop is explained by its last log lines, read once per restart.
	const fetchLogs = async (snapshot: Snapshot): Promise<boolean> => {
		const verdict = assess(snapshot, { cni: context.cni ?? 'cilium', now: Date.now() });
		let fetched = false;
		for (const want of logRequests(verdict)) {
			const key = logKey(want.namespace, want.pod, want.container);
			const restarts = verdict.pods.find((p) => p.namespace === want.namespace && p.name === want.pod)?.restartCount ?? 0;
			if (logsSeen.get(key) === restarts) continue;
			logsSeen.set(key, restarts);
			const out = await runner.previousLogs(want.namespace, want.pod, want.container, 5);
			if (out.code === 0) {
				logs.set(key, logLines(out.stdout));
				fetched = true;
			}
		}
		return fetched;
	};

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
async function watch(runner: KubectlRunner, context: { cni?: Cni; cluster?: string; nodeNames?: string[] }, io: Io, w: { json: boolean; intervalMs: number; signal: AbortSignal }): Promise<number> {
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
