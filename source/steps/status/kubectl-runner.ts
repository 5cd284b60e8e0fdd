// Where status's kubectl calls run: on the first control plane over the session's SSH connection
// (with the admin kubeconfig kubeadm wrote there), or through a local kubectl with --kubeconfig. Each
// runner also reads `kubectl get --raw PATH`, the list-and-watch the follower streams line by line.
import { execFile, spawn } from 'node:child_process';
import { CILIUM_CONFIG_ARGS, kubectl } from '../../cluster/kubectl.js';
import { kubectlLogs, type PreviousLogsRead } from '../read-health.js';
import type { StepRemote } from '../types.js';
import type { RawReader } from './cluster-follow.js';

export interface Result {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Runs kubectl with the given arguments somewhere that can reach the cluster. */
export interface KubectlRunner {
	where: string;
	/** how the watch route makes its requests, for the line that names the route */
	how: string;
	/** bounded by timeoutMs (default 30 s); never rejects */
	run(args: string[], timeoutMs?: number): Promise<Result>;
	/** `kubectl get --raw PATH` (the API's own answer; a watch streams line by line); never rejects */
	raw: RawReader;
	/** the Cilium ConfigMap as JSON, '' when absent or unreadable */
	cniConfig(): Promise<string>;
	/** the previous run's last log lines of a container */
	previousLogs: PreviousLogsRead;
	close(): Promise<void>;
}

const KUBECTL_RAW = 'kubectl get --raw …?watch=1';

/** The ConfigMap and logs reads of a kubectl runner. */
function kubectlReads(run: KubectlRunner['run']): Pick<KubectlRunner, 'cniConfig' | 'previousLogs'> {
	return {
		cniConfig: async () => {
			const out = await run([...CILIUM_CONFIG_ARGS]);
			return out.code === 0 ? out.stdout : '';
		},
		previousLogs: kubectlLogs(run),
	};
}

/** The session closes the connection; close() here has nothing of its own to release. */
export function sshRunner(remote: Pick<StepRemote, 'exec'>, host: string, signal: AbortSignal): KubectlRunner {
	const where = `kubectl on ${host} (over SSH)`;
	// Never rejects (an interrupted or failed call is a result without an exit code), like the raw reads:
	// the ConfigMap and log reads run beside the follow and must not end the run on Ctrl-C.
	const run: KubectlRunner['run'] = (args, timeoutMs) =>
		remote.exec(kubectl(...args), { sudo: true, signal, timeoutMs: timeoutMs ?? 30_000 }).catch((error: unknown) => ({ code: null, stdout: '', stderr: (error as Error).message }));
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
		close: async () => undefined,
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

export function localRunner(kubeconfig: string, env: Readonly<Record<string, string | undefined>> | undefined, signal: AbortSignal): KubectlRunner {
	const run: KubectlRunner['run'] = (args, timeoutMs) =>
			new Promise((done) => {
				// No stdin (closed at once) so kubectl can never wait on a prompt; a request timeout so an
				// API that accepts but never answers is reported, not waited on.
				const child = execFile('kubectl', ['--kubeconfig', kubeconfig, '--request-timeout=20s', ...args], { signal, timeout: timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024, ...(env ? { env: env as NodeJS.ProcessEnv } : {}) }, (error, stdout, stderr) => {
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
