// A stand-in API server in front of the scale benchmark's large cluster, for the API route of
// `status --watch` (@kubernetes/client-node through a kubeconfig): HTTPS on a loopback port with a
// throwaway certificate, answering from the files the benchmark wrote as bench/scale/kubectl.mjs
// answers `kubectl get --raw` — pages (limit/continue, resourceVersion) and watch streams, where
// the kube-system pod watch flips one pod's readiness every second and appends the moment to
// flips.log. It runs in the benchmark's process, so its work is not counted as kubestrap's.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

type Obj = Record<string, any>;

export interface StandInApi {
	server: string;
	ca: Buffer;
	close(): Promise<void>;
}

function notFound(): string {
	return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', code: 404 });
}

export async function startApi(data: string): Promise<StandInApi> {
	const key = join(data, 'api.key');
	const cert = join(data, 'api.crt');
	execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
	const files = new Map<string, Obj[] | undefined>();
	const itemsOf = (path: string): Obj[] | undefined => {
		if (!files.has(path)) {
			const file = join(data, `${path.replaceAll('/', '_')}.json`);
			files.set(path, existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Obj[]) : undefined);
		}
		return files.get(path);
	};
	const timers = new Set<NodeJS.Timeout>();
	const server: Server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
		const url = new URL(req.url ?? '/', 'https://127.0.0.1');
		if (url.pathname === '/version') {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ major: '1', minor: '35', gitVersion: 'v1.35.1' }));
			return;
		}
		const items = itemsOf(url.pathname);
		if (items === undefined) {
			res.writeHead(404, { 'Content-Type': 'application/json' });
			res.end(notFound());
			return;
		}
		const rv = 1000;
		const watch = url.searchParams.get('watch');
		if (watch !== '1' && watch !== 'true') {
			const limit = Number(url.searchParams.get('limit') ?? 0);
			const start = Number(url.searchParams.get('continue') || 0);
			const page = limit > 0 ? items.slice(start, start + limit) : items.slice(start);
			const more = start + page.length < items.length;
			const metadata = { resourceVersion: String(rv), ...(more ? { continue: String(start + page.length), remainingItemCount: items.length - start - page.length } : {}) };
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata, items: page }));
			return;
		}
		// The stream is answered at once, before any event, as kube-apiserver does.
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.flushHeaders();
		let version = Number(url.searchParams.get('resourceVersion')) || rv;
		const flip = url.pathname === '/api/v1/namespaces/kube-system/pods' ? items.find((p) => String(p['metadata']['name']).startsWith('coredns-')) : undefined;
		if (!flip) return;
		let ready = true;
		const timer = setInterval(() => {
			ready = !ready;
			version++;
			const object = structuredClone(flip);
			object['metadata']['resourceVersion'] = String(version);
			for (const c of object['status']['conditions'] as Obj[]) if (c['type'] === 'Ready' || c['type'] === 'ContainersReady') c['status'] = ready ? 'True' : 'False';
			for (const c of object['status']['containerStatuses'] as Obj[]) c['ready'] = ready;
			appendFileSync(join(data, 'flips.log'), `${Date.now()} ${ready}\n`);
			res.write(`${JSON.stringify({ type: 'MODIFIED', object })}\n`);
		}, 1000);
		timers.add(timer);
		res.on('close', () => {
			clearInterval(timer);
			timers.delete(timer);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as AddressInfo).port;
	return {
		server: `https://127.0.0.1:${port}`,
		ca: readFileSync(cert),
		close: () =>
			new Promise((resolve) => {
				for (const timer of timers) clearInterval(timer);
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
