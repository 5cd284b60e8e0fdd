// `status --watch` through the API itself: where the fetched kubeconfig reaches the API from this
// machine, the run lists and watches with @kubernetes/client-node against the test hosts' HTTPS
// endpoint (the simulated API server), with no kubectl anywhere: no kubectl call on the hosts, and
// with --kubeconfig not even a kubectl on this machine's PATH. A pod turning unready on the host
// reaches the output as a watch event.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import test from 'ava';
import { startHosts, type TestHosts } from '../_helpers/sshd-hosts.js';
import { ROOT, runCli, writeConfig } from './_install.js';

interface Doc {
	healthy: boolean;
	listing?: { remaining: number };
	pods: Array<{ name: string; ready: boolean }>;
	cni: { name: string; datapath: Record<string, string> };
}

/** Runs `status … --watch -o json`, hands each document to `step` until it returns true, then Ctrl-C. */
function watchDocs(args: string[], cwd: string, env: Record<string, string>, step: (doc: Doc) => Promise<boolean> | boolean): Promise<{ code: number | null; stderr: string; docs: Doc[] }> {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, [join(ROOT, 'bin/kubestrap.js'), ...args], { cwd, env: { ...process.env, NO_COLOR: '1', SSH_AUTH_SOCK: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
		let stderr = '';
		let partial = '';
		let done = false;
		let queue = Promise.resolve();
		const docs: Doc[] = [];
		const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		child.stdout.on('data', (chunk: Buffer) => {
			const lines = (partial + chunk.toString()).split('\n');
			partial = lines.pop() ?? '';
			for (const line of lines.filter((l) => l.startsWith('{"apiVersion"'))) {
				queue = queue.then(async () => {
					if (done) return;
					const doc = JSON.parse(line) as Doc;
					docs.push(doc);
					if (await step(doc)) {
						done = true;
						child.kill('SIGINT');
					}
				});
			}
		});
		child.on('close', (code) => {
			clearTimeout(killer);
			resolve({ code, stderr, docs });
		});
	});
}

async function kubectlCalls(hosts: TestHosts, since: number): Promise<string[]> {
	const calls: string[] = [];
	for (const index of [0, 1]) calls.push(...(await hosts.readCalls(index)).filter((c) => c.prog === 'kubectl' && c.t >= since).map((c) => c.argv.join(' ')));
	return calls;
}

test('after install, status --watch follows the cluster through the API with the official client, and with --kubeconfig needs no kubectl', async (t) => {
	// An install and three runs: longer than the default inactivity timeout on a loaded machine.
	t.timeout(300_000);
	const hosts = await startHosts(2);
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const install = await runCli(['install', '--config', config, '--yes'], dir);
	t.is(install.code, 0, install.stderr);
	const report = JSON.parse((await runCli(['status', '--config', config, '-o', 'json'], dir)).stdout) as Doc;
	const coredns = report.pods.find((p) => p.name.startsWith('coredns-'))?.name ?? '';
	t.not(coredns, '');

	// --config: the fetched ./e2e.kubeconfig answers from here, so the run takes the API route.
	const start = Date.now();
	let flippedAt = 0;
	const run = await watchDocs(['status', '--config', config, '--watch', '-o', 'json'], dir, {}, async (doc) => {
		if (flippedAt === 0 && doc.healthy) {
			flippedAt = await hosts.flipPod(coredns);
			return false;
		}
		return flippedAt > 0 && doc.pods.some((p) => p.name === coredns && !p.ready) && !doc.healthy;
	});
	t.is(run.code, 130, run.stderr);
	t.regex(run.stderr, /status: following the API at https:\/\/\S+:6443 \(@kubernetes\/client-node, kubeconfig \S+e2e\.kubeconfig\): list then watch \(GET …\?watch=1 with resourceVersion\)/);
	t.true(flippedAt > 0, 'the cluster was seen healthy first');
	t.true(run.docs.some((d) => d.pods.some((p) => p.name === coredns && !p.ready)), 'the flip reached the output');
	// The datapath comes from the cilium-config ConfigMap, read through the API too.
	// (read after the first frame, so a frame or two may come before it)
	t.true(run.docs.some((d) => d.cni.name === 'cilium' && d.cni.datapath['routing'] === 'tunnel vxlan'), JSON.stringify(run.docs.map((d) => d.cni)));
	t.deepEqual(await kubectlCalls(hosts, start), [], 'no kubectl ran on any host');

	// --kubeconfig with no kubectl on PATH at all: the same route.
	const second = Date.now();
	const bare = await watchDocs(['status', '--kubeconfig', 'e2e.kubeconfig', '--watch', '-o', 'json'], dir, { PATH: '/nonexistent' }, (doc) => doc.listing === undefined && doc.pods.some((p) => p.name === coredns));
	t.is(bare.code, 130, bare.stderr);
	t.regex(bare.stderr, /status: following the API at https:\/\/\S+ \(@kubernetes\/client-node, kubeconfig \S+\)/);
	t.deepEqual(await kubectlCalls(hosts, second), [], 'no kubectl ran on any host');
});
