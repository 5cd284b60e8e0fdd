// `kubestrap status`: the health of an installed cluster — nodes, the CNI and its datapath,
// DaemonSets/Deployments, system pods and problems with causes. It reads the cluster over SSH on
// the first control plane (the spec's hosts and ssh settings), or with --kubeconfig through a local
// kubectl. The verdict comes from the same pure code install waits on (source/cluster/health).
import { checkKubeconfig } from './kubeconfig-check.js';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Remote } from '../remote/remote.js';
import type { Cluster, Host } from '../spec/types.js';
import type { Cni, StatusReport } from '../cluster/health/index.js';
import { EXIT } from './exit.js';
import type { Io } from './io.js';
import { parseDuration } from './duration.js';
import { sleep } from './sleep.js';
import { printProblems, specFromOptions, type SpecOptions } from './spec-input.js';
import { CILIUM_CONFIG_ARGS, kubectl, previousLogsArgs, SNAPSHOT_ARGS } from '../steps/kubectl.js';
import { formatProblem } from '../spec/resolve.js';

export interface StatusOptions extends SpecOptions {
	kubeconfig?: string;
	watch?: boolean;
	interval?: string;
	connectTimeout?: string;
	output?: string;
}

interface Result {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Runs kubectl with the given arguments somewhere that can reach the cluster. */
interface KubectlRunner {
	where: string;
	run(args: string[]): Promise<Result>;
	close(): Promise<void>;
}

function sshRunner(remote: Remote, signal: AbortSignal): KubectlRunner {
	return {
		where: `kubectl on ${remote.host} (over SSH)`,
		run: (args) => remote.exec(kubectl(...args), { sudo: true, signal, timeoutMs: 30_000 }),
		close: () => remote.close(),
	};
}

function localRunner(kubeconfig: string, env: Record<string, string | undefined>, signal: AbortSignal): KubectlRunner {
	return {
		where: `local kubectl with ${kubeconfig}`,
		run: (args) =>
			new Promise((done) => {
				// No stdin (closed at once) so kubectl can never wait on a prompt; a request timeout so an
				// API that accepts but never answers is reported, not waited on.
				const child = execFile('kubectl', ['--kubeconfig', kubeconfig, '--request-timeout=20s', ...args], { signal, timeout: 30_000, maxBuffer: 64 * 1024 * 1024, env: env as NodeJS.ProcessEnv }, (error, stdout, stderr) => {
					const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : null) : 0;
					done({ code, stdout: String(stdout), stderr: error && code === null ? `${String(stderr)}${error.message}` : String(stderr) });
				});
				child.stdin?.end();
			}),
		close: async () => undefined,
	};
}

function onPath(program: string, env: Record<string, string | undefined>): boolean {
	return (env['PATH'] ?? '').split(':').some((dir) => dir !== '' && existsSync(resolve(dir, program)));
}

/** target aws: the instances are found again (read-only, no checks), as install found them. */
async function awsHosts(cluster: Cluster, io: Io): Promise<Host[] | string> {
	const aws = cluster.spec.aws;
	if (!aws) return 'spec.aws: required with target "aws"';
	const [cloud, { envSecrets }] = await Promise.all([import('../cloud/index.js'), import('./aws.js')]);
	const client = cloud.createEc2Client(aws.region);
	const secrets = envSecrets(io);
	try {
		const found = await cloud.discoverInstances(client, aws, { region: aws.region, secrets, ...(io.env['AWS_PROFILE'] ? { profile: io.env['AWS_PROFILE'] } : {}) });
		if (found.problems.length > 0) return found.problems.map(formatProblem).join('\n');
		return cloud.hostsFromInstances(found.instances, aws.addressType);
	} catch (error) {
		return `aws: ${(error as Error).message}`;
	} finally {
		client.destroy();
	}
}

function lastLines(text: string): string {
	return text.trim().split('\n').slice(-3).join(' ');
}

async function readReport(runner: KubectlRunner, spec: { cni?: Cni; cluster?: string; nodeNames?: string[] }): Promise<StatusReport | string> {
	const health = await import('../cluster/health/index.js');
	const list = await runner.run([...SNAPSHOT_ARGS]);
	if (list.code !== 0) return `${runner.where}: kubectl ${SNAPSHOT_ARGS.join(' ')} exited ${list.code ?? 'by signal'}: ${lastLines(list.stderr || list.stdout)}`;
	let snapshot: ReturnType<typeof health.parseSnapshot>;
	try {
		snapshot = health.parseSnapshot(list.stdout);
	} catch (error) {
		return `${runner.where}: ${(error as Error).message}`;
	}
	const detected = health.cniInfo(snapshot, '').cni;
	const cni: Cni = spec.cni ?? (detected === 'calico' ? 'calico' : 'cilium');
	const config = cni === 'cilium' ? await runner.run([...CILIUM_CONFIG_ARGS]) : undefined;
	let verdict = health.assess(snapshot, { cni, now: Date.now(), ...(spec.nodeNames ? { nodeNames: spec.nodeNames } : {}) });
	// A crash loop is explained by its last log lines, read one container at a time.
	const logs = new Map<string, string[]>();
	for (const want of health.logRequests(verdict)) {
		const out = await runner.run(previousLogsArgs(want.namespace, want.pod, want.container, 5));
		if (out.code === 0) logs.set(health.logKey(want.namespace, want.pod, want.container), health.logLines(out.stdout));
	}
	if (logs.size > 0) verdict = health.withLogs(verdict, logs);
	const info = health.cniInfo(snapshot, config?.code === 0 ? config.stdout : '');
	return health.statusReport(verdict, info, { ...(spec.cluster ? { cluster: spec.cluster } : {}), generatedAt: new Date().toISOString() });
}

async function render(report: StatusReport, io: Io, json: boolean): Promise<string> {
	if (json) return `${JSON.stringify(report)}\n`;
	const { formatStatus } = await import('../cluster/health/index.js');
	return `${formatStatus(report, { width: io.tty?.stdout.columns ?? 100 }).join('\n')}\n`;
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
		if (!existsSync(path)) {
			io.stderr(`--kubeconfig: ${path} does not exist\n`);
			return EXIT.invalid;
		}
		const verdict = await checkKubeconfig(path);
		if (verdict.error !== undefined) {
			io.stderr(`${verdict.error}\n`);
			return EXIT.invalid;
		}
		for (const warning of verdict.warnings) io.stderr(`${warning}\n`);
		if (!onPath('kubectl', io.env)) {
			io.stderr('--kubeconfig: no kubectl on PATH to read the cluster with; install kubectl, or use --config cluster.yaml to read it over SSH on the first control plane\n');
			return EXIT.invalid;
		}
		if (options.config !== undefined) {
			const spec = await specFromOptions(options, io);
			if (!spec.ok) {
				printProblems(spec, io);
				return EXIT.invalid;
			}
			context = { cni: spec.cluster.spec.network.cni, cluster: spec.cluster.metadata.name };
		}
		runner = localRunner(path, io.env, abort.signal);
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
		const [{ connect }, { createRedactor }, { connectOptions }] = await Promise.all([import('../remote/connection.js'), import('../remote/redact.js'), import('./ssh-connect.js')]);
		try {
			const remote = await connect(connectOptions(cluster, first.address, io, { deadlineMs: connectTimeout as number, redactor: createRedactor(), signal: abort.signal }));
			runner = sshRunner(remote, abort.signal);
		} catch (error) {
			io.signal?.removeEventListener('abort', onAbort);
			if (abort.signal.aborted) return EXIT.interrupted;
			io.stderr(`status: ${(error as Error).message}\n`);
			return EXIT.failed;
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
		return await watch(runner, context, io, { json, intervalMs: interval as number, signal: abort.signal });
	} finally {
		await runner.close();
		io.signal?.removeEventListener('abort', onAbort);
	}
}

/** --watch: a live view on a terminal; elsewhere the report again each time it changes. */
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
