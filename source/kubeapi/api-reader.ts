// The Kubernetes API from this machine through a kubeconfig, with the official client
// (@kubernetes/client-node): its KubeConfig loads the file (contexts, CA, client certificates,
// tokens, exec plugins, proxies) and signs every request, and its Watch follows a watch stream.
// The answers are handed on as the API's own bytes — a list's JSON, a watch's events one line each —
// so the pure list-then-watch code (source/cluster/health/list-watch.ts) reads them exactly as it
// reads `kubectl get --raw` over SSH. A failed request is described as kubectl describes it
// (`Error from server (Reason): message`), so a 410 Gone is recognised the same way on every route.
//
// The client is loaded on first use (its import costs time the one-shot commands need not pay), and
// it is the 1.x line: 2.x needs Node 22 (its HTTP client, undici 8, does not load on Node 20).
import { request } from 'node:https';
import { request as plainRequest, type IncomingMessage } from 'node:http';

export interface ApiResult {
	/** 0 when the API answered 200 (a watch: the stream ended normally); 1 for an error answer; null when no answer came */
	code: number | null;
	stdout: string;
	stderr: string;
}

export interface ApiGetOptions {
	signal: AbortSignal;
	timeoutMs: number;
	/** a watch: each event as one JSON line, as the API sends them */
	onLine?: (line: string) => void;
}

export interface ApiReader {
	/** e.g. "the API at https://10.0.0.10:6443 (@kubernetes/client-node, kubeconfig ./demo.kubeconfig)" */
	where: string;
	server: string;
	get(path: string, options: ApiGetOptions): Promise<ApiResult>;
}

type KubeConfigLike = {
	loadFromFile(file: string): void;
	getCurrentCluster(): { server: string } | null;
	applyToHTTPSOptions(opts: Record<string, unknown>): Promise<void>;
};

interface WatchLike {
	watch(path: string, query: Record<string, unknown>, callback: (type: string, object: unknown, event: unknown) => void, done: (error: unknown) => void): Promise<AbortController>;
}

/** The API's Status of an error answer, as kubectl prints it: `Error from server (Reason): message`. */
export function describeError(status: number, body: string): string {
	try {
		const parsed = JSON.parse(body) as { kind?: string; reason?: string; message?: string; code?: number };
		if (parsed.kind === 'Status' && typeof parsed.message === 'string') return `Error from server (${parsed.reason ?? status}): ${parsed.message} (HTTP ${parsed.code ?? status})`;
	} catch {
		// not a Status: the body itself says what happened
	}
	const text = body.trim().split('\n').slice(0, 2).join(' ').slice(0, 300);
	return `the API answered HTTP ${status}${text === '' ? '' : `: ${text}`}`;
}

/** Splits a watch's query string into the parameters the client's Watch takes (it adds watch=true itself). */
export function watchQuery(path: string): { path: string; query: Record<string, string> } | undefined {
	const url = new URL(path, 'https://api.invalid');
	const watch = url.searchParams.get('watch');
	if (watch !== '1' && watch !== 'true') return undefined;
	const query: Record<string, string> = {};
	for (const [key, value] of url.searchParams) if (key !== 'watch') query[key] = value;
	return { path: url.pathname, query };
}

/**
 * A reader of the API through the kubeconfig at `path`. Throws when the client cannot load the file
 * (the command checked it before: a usable context, a server and credentials).
 */
export async function apiReader(kubeconfigPath: string): Promise<ApiReader> {
	const client = (await import('kube-client-node')) as unknown as { KubeConfig: new () => KubeConfigLike; Watch: new (config: KubeConfigLike) => WatchLike };
	const config = new client.KubeConfig();
	config.loadFromFile(kubeconfigPath);
	const server = config.getCurrentCluster()?.server;
	if (server === undefined || server === '') throw new Error(`${kubeconfigPath}: the current context names no server`);
	const base = server.replace(/\/+$/, '');
	const where = `the API at ${base} (@kubernetes/client-node, kubeconfig ${kubeconfigPath})`;

	const list = async (path: string, options: ApiGetOptions): Promise<ApiResult> => {
		const url = new URL(base + path);
		const opts: Record<string, unknown> = { method: 'GET', headers: { Accept: 'application/json' } };
		await config.applyToHTTPSOptions(opts);
		return new Promise((done) => {
			const send = url.protocol === 'http:' ? plainRequest : request;
			const req = send(url, { ...opts, signal: options.signal, timeout: options.timeoutMs }, (res: IncomingMessage) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('error', (error) => done({ code: null, stdout: '', stderr: error.message }));
				res.on('end', () => {
					const body = Buffer.concat(chunks).toString('utf8');
					if (res.statusCode === 200) done({ code: 0, stdout: body, stderr: '' });
					else done({ code: 1, stdout: '', stderr: describeError(res.statusCode ?? 0, body) });
				});
			});
			req.on('timeout', () => req.destroy(new Error(`no answer from ${base} within ${Math.round(options.timeoutMs / 1000)} s`)));
			req.on('error', (error: NodeJS.ErrnoException) => done({ code: null, stdout: '', stderr: `${base}: ${error.code ? `${error.code} ` : ''}${error.message}` }));
			req.end();
		});
	};

	const watch = (target: { path: string; query: Record<string, string> }, options: ApiGetOptions): Promise<ApiResult> =>
		new Promise((done) => {
			let controller: AbortController | undefined;
			let settled = false;
			const finish = (result: ApiResult): void => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				options.signal.removeEventListener('abort', onAbort);
				controller?.abort();
				done(result);
			};
			const onAbort = (): void => finish({ code: null, stdout: '', stderr: 'stopped' });
			const timer = setTimeout(() => finish({ code: null, stdout: '', stderr: `the watch of ${target.path} sent nothing to end it within ${Math.round(options.timeoutMs / 1000)} s` }), options.timeoutMs);
			if (options.signal.aborted) return onAbort();
			options.signal.addEventListener('abort', onAbort, { once: true });
			const watcher = new client.Watch(config);
			watcher
				.watch(
					target.path,
					target.query,
					(_type, _object, event) => {
						if (!settled) options.onLine?.(JSON.stringify(event));
					},
					(error: unknown) => {
						if (error === null || error === undefined) return finish({ code: 0, stdout: '', stderr: '' });
						const e = error as { statusCode?: number; message?: string; name?: string };
						if (e.name === 'AbortError') return finish({ code: null, stdout: '', stderr: 'stopped' });
						finish({ code: e.statusCode === undefined ? null : 1, stdout: '', stderr: e.statusCode === undefined ? `${base}: ${e.message ?? String(error)}` : `Error from server: the watch was answered HTTP ${e.statusCode} ${e.message ?? ''}`.trim() });
					},
				)
				.then((c) => {
					controller = c;
					if (settled) c.abort();
				})
				.catch((error: unknown) => finish({ code: null, stdout: '', stderr: `${base}: ${(error as Error).message}` }));
		});

	return {
		where,
		server: base,
		get: (path, options) => {
			const target = options.onLine ? watchQuery(path) : undefined;
			return target ? watch(target, options) : list(path, options);
		},
	};
}
