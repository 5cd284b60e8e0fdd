// The simulated API server's HTTPS endpoint, reached from the test machine with the admin kubeconfig's
// credentials the way kubestrap's /readyz check will: real certificates from the simulated kubeadm, the
// client certificate required, apiUnreachable closing it, and host restarts and resets handled.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import test from 'ava';
import { parse } from 'yaml';

import { bootCluster } from './_cluster.js';

interface Credentials {
	server: string;
	ca: Buffer;
	cert: Buffer;
	key: Buffer;
}

interface Answer {
	status?: number;
	body?: string;
	error?: string;
}

async function adminCredentials(read: () => Promise<string | undefined>): Promise<Credentials> {
	const text = await read();
	if (text === undefined) throw new Error('no admin.conf');
	const doc = parse(text) as {
		clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
		users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
	};
	const b64 = (value: string): Buffer => Buffer.from(value, 'base64');
	return {
		server: doc.clusters[0]!.cluster.server,
		ca: b64(doc.clusters[0]!.cluster['certificate-authority-data']),
		cert: b64(doc.users[0]!.user['client-certificate-data']),
		key: b64(doc.users[0]!.user['client-key-data']),
	};
}

function get(server: string, path: string, tls: { ca: Buffer; cert?: Buffer; key?: Buffer }): Promise<Answer> {
	return new Promise((resolve) => {
		const url = new URL(path, server);
		const req = request({ hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: 'GET', ...tls, timeout: 5000 }, (res) => {
			let body = '';
			res.setEncoding('utf8');
			res.on('data', (chunk: string) => (body += chunk));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
		req.end();
	});
}

function subject(cert: Buffer): string {
	const dir = mkdtempSync(join(tmpdir(), 'kubestrap-cert-'));
	const file = join(dir, 'c.crt');
	execFileSync('sh', ['-c', 'cat > "$1"', 'sh', file], { input: cert });
	return execFileSync('openssl', ['x509', '-noout', '-subject', '-nameopt', 'RFC2253', '-in', file]).toString().trim().replace(/^subject=/, '');
}

/** A key and certificate from a CA the cluster does not know. */
function strangerCredentials(): { cert: Buffer; key: Buffer } {
	const dir = mkdtempSync(join(tmpdir(), 'kubestrap-stranger-'));
	execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'k'),
		'-subj', '/O=kubeadm:cluster-admins/CN=kubernetes-admin', '-days', '1', '-out', join(dir, 'c')], { stdio: 'ignore' });
	return { cert: readFileSync(join(dir, 'c')), key: readFileSync(join(dir, 'k')) };
}

test('/readyz answers "ok" to the admin credentials at the kubeconfig server and refuses other clients', async (t) => {
	const sim = await bootCluster(2);
	t.teardown(() => sim.close());
	const creds = await adminCredentials(() => sim.hosts.readHostFile(0, '/etc/kubernetes/admin.conf'));
	t.is(creds.server, `https://${sim.hosts.hosts[0]!.address}:6443`);
	t.is(subject(creds.cert), 'CN=kubernetes-admin,O=kubeadm:cluster-admins');

	// The CA from the kubeconfig verifies the server certificate for the server's IP address.
	t.deepEqual(await get(creds.server, '/readyz', creds), { status: 200, body: 'ok' });
	t.deepEqual(await get(creds.server, '/livez', creds), { status: 200, body: 'ok' });
	const verbose = await get(creds.server, '/readyz?verbose', creds);
	t.regex(verbose.body ?? '', /\[\+\]ping ok\n[\s\S]*readyz check passed\n$/);
	t.like(JSON.parse((await get(creds.server, '/version', creds)).body ?? '{}'), { major: '1', minor: '35', gitVersion: 'v1.35.1' });

	const anonymous = await get(creds.server, '/readyz', { ca: creds.ca });
	t.is(anonymous.status, 401);
	t.like(JSON.parse(anonymous.body ?? '{}'), { kind: 'Status', reason: 'Unauthorized', code: 401 });
	t.is((await get(creds.server, '/readyz', { ca: creds.ca, ...strangerCredentials() })).status, 401);
	// Without the cluster CA the client does not trust the server.
	t.regex((await get(creds.server, '/readyz', { ca: strangerCredentials().cert, cert: creds.cert, key: creds.key })).error ?? '', /^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/);
	// A worker runs no API server.
	t.is((await get(`https://${sim.hosts.hosts[1]!.address}:6443`, '/readyz', creds)).error, 'ECONNREFUSED');

	// The kubelet's kubeconfig holds a node identity signed by the same CA.
	const kubelet = await adminCredentials(() => sim.hosts.readHostFile(1, '/etc/kubernetes/kubelet.conf'));
	t.is(subject(kubelet.cert), 'CN=system:node:node2,O=system:nodes');
});

test('three control planes behind an endpoint address: every API server and the endpoint answer; apiUnreachable, restarts and reset', async (t) => {
	const sim = await bootCluster(4, { controlPlanes: 3, useEndpointAddress: true });
	t.teardown(() => sim.close());
	const creds = await adminCredentials(() => sim.hosts.readHostFile(0, '/etc/kubernetes/admin.conf'));
	const endpoint = `https://${sim.hosts.endpointAddress}:6443`;
	t.is(creds.server, endpoint);
	t.is((await get(endpoint, '/readyz', creds)).body, 'ok');
	for (const host of sim.hosts.hosts.slice(0, 3)) {
		t.is((await get(`https://${host.address}:6443`, '/readyz', creds)).body, 'ok', host.name);
	}

	// 'local': the endpoint is closed, kubectl on the hosts still works.
	await sim.hosts.setClusterScenario({ apiUnreachable: 'local' });
	// A connection caught while the server closes may see ECONNRESET first; closed means refused.
	t.is((await waitFor(() => get(endpoint, '/readyz', creds), isRefused)).error, 'ECONNREFUSED');
	t.is((await sim.kubectl(['get', 'nodes', '-o', 'json'])).code, 0);
	// true: the API server is down for everyone.
	await sim.hosts.setClusterScenario({ apiUnreachable: true });
	const refused = await sim.kubectl(['get', 'nodes,pods,daemonsets,deployments', '-A', '-o', 'json']);
	t.is(refused.code, 1);
	t.regex(refused.stderr, new RegExp(`The connection to the server ${sim.hosts.endpointAddress!.replaceAll('.', '\\.')}:6443 was refused - did you specify the right host or port\\?\\n$`));
	await sim.hosts.setClusterScenario({});
	t.is((await waitFor(() => get(endpoint, '/readyz', creds), (answer) => answer.status === 200)).body, 'ok');

	// Like a load balancer: with one control plane down the endpoint is served by another.
	const holder = await endpointHolder(sim.hosts);
	t.not(holder, undefined);
	await sim.hosts.stopHost(holder!);
	t.is((await waitFor(() => get(`https://${sim.hosts.hosts[holder!]!.address}:6443`, '/readyz', creds), isRefused)).error, 'ECONNREFUSED');
	t.is((await waitFor(() => get(endpoint, '/readyz', creds), (answer) => answer.status === 200)).body, 'ok');
	t.not(await endpointHolder(sim.hosts), holder);
	// Its API server comes back with the host, as the kubelet would restart the static pod.
	await sim.hosts.startHost(holder!);
	t.is((await get(`https://${sim.hosts.hosts[holder!]!.address}:6443`, '/readyz', creds)).body, 'ok');

	// kubeadm reset stops it (the restarted host's connection is gone, so the other two).
	for (const index of [0, 1, 2]) {
		if (index === holder) continue;
		const reset = await sim.remotes[index]!.exec(['kubeadm', 'reset', '-f'], { sudo: true });
		t.is(reset.code, 0, reset.stderr);
		t.is((await waitFor(() => get(`https://${sim.hosts.hosts[index]!.address}:6443`, '/readyz', creds), isRefused)).error, 'ECONNREFUSED');
		t.false((await sim.hosts.processes(index)).some((info) => info.cmdline.includes('apiserver.mjs')));
	}
});

/** Which host's API server holds the endpoint address (its log says so last). */
async function endpointHolder(hosts: { hosts: { index: number }[]; endpointAddress: string | undefined; readHostFile(index: number, path: string): Promise<string | undefined>; processes(index?: number): Promise<{ cmdline: string }[]> }): Promise<number | undefined> {
	for (const host of hosts.hosts.slice(0, 3)) {
		const alive = (await hosts.processes(host.index)).some((info) => info.cmdline.includes('apiserver.mjs'));
		const log = await hosts.readHostFile(host.index, '/opt/kubestrap-sim/state/apiserver.log') ?? '';
		const last = log.split('\n').filter((line) => line.includes(`${hosts.endpointAddress}:6443`) || line.includes('closed')).at(-1) ?? '';
		if (alive && last.includes(`listening on ${hosts.endpointAddress}:6443`)) return host.index;
	}
	return undefined;
}

const isRefused = (answer: Answer): boolean => answer.error === 'ECONNREFUSED';

async function waitFor(probe: () => Promise<Answer>, done: (answer: Answer) => boolean): Promise<Answer> {
	const deadline = Date.now() + 5000;
	for (;;) {
		const answer = await probe();
		if (done(answer) || Date.now() > deadline) return answer;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}
