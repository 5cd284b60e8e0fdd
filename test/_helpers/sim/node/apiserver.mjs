// The simulated API server's HTTPS endpoint (a test double, not kube-apiserver): started inside a test host by
// the simulated `kubeadm init` / control-plane join, it serves /readyz, /livez, /healthz, /version, the lists
// and watches of raw.mjs (the same answers `kubectl get --raw` prints: paging, resourceVersion, bookmarks,
// 410 Gone, dropped streams), one ConfigMap by name and a pod's container log, with
// the host's real apiserver certificate (signed by the simulated cluster CA) on the addresses listed in
// state/apiserver.listen ("address port" lines). Only clients with a certificate signed by the cluster CA are
// answered; others get 401. (A real API server answers these paths anonymously by default; the simulation
// refuses so a test can prove the installer uses the admin credentials.) The cluster scenario's
// `apiUnreachable` closes the listeners, and clearing it opens them again. It ends with the host.

import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { clusterAt, containerLogs, readCluster } from './model.mjs';
import { raw, RawError } from './raw.mjs';
import { loadStore } from './store.mjs';

const SIM = process.env.KUBESTRAP_SIM_ROOT ?? '/opt/kubestrap-sim';
const PKI = process.env.KUBESTRAP_SIM_PKI ?? '/etc/kubernetes/pki';
const READY_FILE = process.env.KUBESTRAP_SIM_READY ?? '/run/kubestrap-sim-apiserver.ready';
const CLUSTER = `${SIM}/cluster`;
const SCENARIO = `${CLUSTER}/scenario.json`;
const POLL_MS = 100;

function log(message) {
	process.stdout.write(`${new Date().toISOString()} ${message}\n`);
}

function status(code, reason, message) {
	return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

function serverVersion() {
	try {
		return JSON.parse(readFileSync(`${SIM}/cluster/info.json`, 'utf8')).version;
	} catch {
		return 'v0.0.0';
	}
}

const CHECKS = ['ping', 'log', 'etcd', 'etcd-readiness', 'informer-sync', 'poststarthook/start-apiserver-admission-initializer', 'poststarthook/generic-apiserver-start-informers', 'shutdown'];

function handle(req, res) {
	if (!req.socket.authorized) {
		res.writeHead(401, { 'Content-Type': 'application/json' });
		res.end(status(401, 'Unauthorized', 'Unauthorized'));
		return;
	}
	const url = new URL(req.url ?? '/', 'https://apiserver');
	if (['/readyz', '/livez', '/healthz'].includes(url.pathname)) {
		res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
		if (url.searchParams.has('verbose')) {
			res.end(`${CHECKS.map((check) => `[+]${check} ok`).join('\n')}\n${url.pathname.slice(1)} check passed\n`);
		} else {
			res.end('ok');
		}
		return;
	}
	if (url.pathname === '/version') {
		const gitVersion = serverVersion();
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end(JSON.stringify({
			major: '1', minor: gitVersion.split('.')[1] ?? '0', emulationMajor: '1', emulationMinor: gitVersion.split('.')[1] ?? '0',
			gitVersion, gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z',
			goVersion: 'go1.25.5', compiler: 'gc', platform: 'linux/amd64',
		}, null, 2));
		return;
	}
	if (req.method !== 'GET') {
		res.writeHead(405, { 'Content-Type': 'application/json' });
		res.end(status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
		return;
	}
	const object = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps\/([^/]+)$/.exec(url.pathname);
	if (object) return configMap(res, decodeURIComponent(object[1]), decodeURIComponent(object[2]));
	const log = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(url.pathname);
	if (log) return podLog(res, decodeURIComponent(log[1]), decodeURIComponent(log[2]), url.searchParams);
	return collection(req, res, `${url.pathname}${url.search}`);
}

function sendError(res, code, reason, message) {
	res.writeHead(code, { 'Content-Type': 'application/json' });
	res.end(status(code, reason, message));
}

/** Lists and watches: the same answers `kubectl get --raw` prints on the hosts (raw.mjs), over HTTP. */
async function collection(req, res, path) {
	let started = false;
	const closed = () => res.destroyed || res.writableEnded || req.socket.destroyed;
	const out = (text, done) => {
		if (!started) {
			started = true;
			res.writeHead(200, { 'Content-Type': 'application/json' });
		}
		if (closed()) return done?.();
		res.write(text, () => done?.());
	};
	try {
		let refused = false;
		const running = raw(CLUSTER, path, scenario(), out, closed).catch((error) => {
			refused = true;
			throw error;
		});
		// A watch the server accepts is answered 200 at once, before any event (as kube-apiserver
		// does), so a client sees the stream open; a path or query it refuses fails before that.
		await Promise.resolve();
		await Promise.resolve();
		const query = new URL(path, 'https://apiserver').searchParams;
		if (!refused && !started && ['1', 'true'].includes(query.get('watch') ?? '')) {
			started = true;
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.flushHeaders();
		}
		await running;
		if (!closed()) {
			if (!started) res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end();
		}
	} catch (error) {
		if (error instanceof RawError && error.http && !started) return sendError(res, error.http.code, error.http.status.reason, error.http.status.message);
		// A stream cut mid-way (the scenario's watchDropSeconds): the connection breaks, as a dropped one does.
		res.destroy();
	}
}

function configMap(res, namespace, name) {
	const found = Object.values(loadStore(CLUSTER).objects).find((rec) => rec.kind === 'ConfigMap' && rec.namespace === namespace && rec.name === name);
	if (!found) return sendError(res, 404, 'NotFound', `configmaps "${name}" not found`);
	res.writeHead(200, { 'Content-Type': 'application/json' });
	res.end(JSON.stringify(found.object));
}

const KUBECTL_ERROR = /^Error from server \((\w+)\): (.*)$/s;
const CODES = { NotFound: 404, BadRequest: 400 };

function podLog(res, namespace, name, query) {
	const model = clusterAt(readCluster(CLUSTER), Date.now());
	const pod = model.pods.find((p) => p.name === name && p.workload.namespace === namespace);
	if (!pod) return sendError(res, 404, 'NotFound', `pods "${name}" not found`);
	const names = (pod.spec.containers ?? []).map((c) => c.name);
	const container = query.get('container') ?? (names.length === 1 ? names[0] : undefined);
	if (container === undefined) return sendError(res, 400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
	const result = containerLogs(model, namespace, name, container, query.get('previous') === 'true');
	if (result.error) {
		const m = KUBECTL_ERROR.exec(result.error);
		return sendError(res, CODES[m?.[1]] ?? 500, m?.[1] ?? 'InternalError', m?.[2] ?? result.error);
	}
	const tail = Number(query.get('tailLines') ?? -1);
	const lines = tail >= 0 ? result.lines.slice(-tail || result.lines.length) : result.lines;
	res.writeHead(200, { 'Content-Type': 'text/plain' });
	res.end(tail === 0 ? '' : lines.map((l) => `${l}\n`).join(''));
}

function scenario() {
	try {
		return JSON.parse(readFileSync(SCENARIO, 'utf8'));
	} catch {
		return {};
	}
}

function unreachable() {
	try {
		const value = JSON.parse(readFileSync(SCENARIO, 'utf8')).apiUnreachable;
		return value === true || value === 'local';
	} catch {
		return false;
	}
}

const options = {
	key: readFileSync(`${PKI}/apiserver.key`),
	cert: readFileSync(`${PKI}/apiserver.crt`),
	ca: readFileSync(`${PKI}/ca.crt`),
	requestCert: true,
	rejectUnauthorized: false,
};
const addresses = readFileSync(`${SIM}/state/apiserver.listen`, 'utf8').split('\n').filter(Boolean).map((line) => {
	const [host, port] = line.trim().split(/\s+/);
	return { host, port: Number(port) };
});

const RETRY_MS = 500;
let servers = [];
/** Addresses another control plane holds (a shared endpoint): retried, so the endpoint stays served like a
 * load balancer in front of the control planes as long as one of them is up. */
let taken = [];

function listen({ host, port }) {
	return new Promise((resolve) => {
		const server = createServer(options, handle);
		server.once('error', (error) => {
			if (error.code === 'EADDRINUSE') taken.push({ host, port });
			else log(`not listening on ${host}:${port}: ${error.code ?? error.message}`);
			resolve(undefined);
		});
		server.listen({ host, port }, () => {
			log(`listening on ${host}:${port}`);
			resolve(server);
		});
	});
}

async function open() {
	taken = [];
	const opened = await Promise.all(addresses.map(listen));
	servers = opened.filter(Boolean);
}

setInterval(async () => {
	if (down || busy || taken.length === 0) return;
	const retry = taken;
	taken = [];
	for (const server of await Promise.all(retry.map(listen))) if (server) servers.push(server);
}, RETRY_MS);

async function close() {
	taken = [];
	const closing = servers;
	servers = [];
	await Promise.all(closing.map((server) => new Promise((resolve) => {
		server.close(() => resolve());
		server.closeAllConnections();
	})));
	log('closed (scenario apiUnreachable)');
}

let down = unreachable();
let busy = false;
if (!down) await open();
writeFileSync(READY_FILE, `${process.pid}\n`);

let lastChange = 0;
setInterval(async () => {
	let changed;
	try {
		changed = statSync(SCENARIO).mtimeMs;
	} catch {
		changed = -1;
	}
	if (changed === lastChange || busy) return;
	lastChange = changed;
	const wantDown = unreachable();
	if (wantDown === down) return;
	busy = true;
	down = wantDown;
	if (down) await close();
	else await open();
	busy = false;
}, POLL_MS);

process.on('SIGTERM', () => process.exit(0));
