// `status --watch` on the sshd test hosts follows the cluster through the watch route: one list of the
// nodes and of kube-system, then `kubectl get --raw …?watch=1` streams; a pod turning unready on the
// host reaches the output without another list; broken streams are resumed and expired ones relisted.
// (These follow over SSH: the API route through the fetched kubeconfig is status-watch-api.test.ts.)
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { startHosts, type TestHosts } from '../_helpers/sshd-hosts.js';
import { ROOT, runCli, writeConfig } from './_install.js';

interface Doc {
	healthy: boolean;
	pods: Array<{ name: string; ready: boolean }>;
}

/** Runs `status --watch -o json`, hands each document to `step` until it returns true, then Ctrl-C. */
function watchDocs(args: string[], cwd: string, step: (doc: Doc) => Promise<boolean> | boolean): Promise<{ code: number | null; stderr: string }> {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, [join(ROOT, 'bin/kubestrap.js'), ...args], { cwd, env: { ...process.env, NO_COLOR: '1', SSH_AUTH_SOCK: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
		let stderr = '';
		let partial = '';
		let done = false;
		let queue = Promise.resolve();
		const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		child.stdout.on('data', (chunk: Buffer) => {
			const lines = (partial + chunk.toString()).split('\n');
			partial = lines.pop() ?? '';
			for (const line of lines.filter((l) => l.trim() !== '')) {
				queue = queue.then(async () => {
					if (done) return;
					if (await step(JSON.parse(line) as Doc)) {
						done = true;
						child.kill('SIGINT');
					}
				});
			}
		});
		child.on('close', (code) => {
			clearTimeout(killer);
			resolve({ code, stderr });
		});
	});
}

async function installed(t: { teardown(fn: () => Promise<void>): void }): Promise<{ hosts: TestHosts; dir: string; config: string; coredns: string }> {
	const hosts = await startHosts(2);
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const install = await runCli(['install', '--config', config, '--yes'], dir);
	if (install.code !== 0) throw new Error(install.stderr);
	const report = JSON.parse((await runCli(['status', '--config', config, '-o', 'json'], dir)).stdout) as Doc;
	return { hosts, dir, config, coredns: report.pods.find((p) => p.name.startsWith('coredns-'))?.name ?? '' };
}

async function kubectlCalls(hosts: TestHosts, since: number): Promise<string[]> {
	return (await hosts.readCalls(0)).filter((c) => c.prog === 'kubectl' && c.t >= since).map((c) => c.argv.join(' '));
}

test('status --watch follows a pod change through watches, without listing again', async (t) => {
	const { hosts, dir, config, coredns } = await installed(t);
	// The API does not answer from this machine (a firewall between it and the cluster): the fetched
	// kubeconfig is tried and the run follows over SSH, saying why.
	await hosts.setClusterScenario({ apiUnreachable: 'local' });
	const start = Date.now();
	let flippedAt = 0;
	const run = await watchDocs(['status', '--config', config, '--watch', '-o', 'json'], dir, async (doc) => {
		if (flippedAt === 0 && doc.healthy) {
			flippedAt = await hosts.flipPod(coredns);
			return false;
		}
		return flippedAt > 0 && doc.pods.some((p) => p.name === coredns && !p.ready) && !doc.healthy;
	});
	t.is(run.code, 130, run.stderr);
	t.regex(run.stderr, /status: https:\/\/\S+ did not answer GET \/version from here \(.*ECONNREFUSED.*\): following over SSH/);
	t.regex(run.stderr, /status: following kubectl on \S+ \(over SSH\): list then watch .* in kube-system/);
	const calls = await kubectlCalls(hosts, start);
	t.log(calls.join('\n'));
	t.false(calls.some((c) => c.includes('nodes,pods,daemonsets,deployments')), 'no full re-read of the cluster');
	t.is(calls.filter((c) => c.includes('get --raw /api/v1/namespaces/kube-system/pods?limit=')).length, 1, 'kube-system pods listed once');
	t.is(calls.filter((c) => c.includes('get --raw /api/v1/nodes?limit=')).length, 1, 'nodes listed once');
	t.true(calls.some((c) => /get --raw \/api\/v1\/namespaces\/kube-system\/pods\?watch=1&resourceVersion=\d+&allowWatchBookmarks=true/.test(c)));
	t.true(calls.some((c) => c.includes('get --raw /apis/apps/v1/namespaces/kube-system/deployments?watch=1')));
	t.false(calls.some((c) => c.includes('--raw /api/v1/pods')), 'no cluster-wide pod list');
});

test('broken watch streams are resumed, expired ones listed again, and changes still arrive', async (t) => {
	const { hosts, dir, config, coredns } = await installed(t);
	// Without the fetched kubeconfig the run follows over SSH at once.
	rmSync(join(dir, 'e2e.kubeconfig'));
	// Every stream breaks after 2 s, and a resourceVersion older than 1 s has expired.
	await hosts.setClusterScenario({ watchDropSeconds: 2, watchHistorySeconds: 1 });
	const start = Date.now();
	let flippedAt = 0;
	const run = await watchDocs(['status', '--config', config, '--watch', '-o', 'json'], dir, async (doc) => {
		if (flippedAt === 0 && doc.healthy) {
			await new Promise((resolve) => setTimeout(resolve, 5000));
			flippedAt = await hosts.flipPod(coredns);
			return false;
		}
		return flippedAt > 0 && doc.pods.some((p) => p.name === coredns && !p.ready);
	});
	t.is(run.code, 130, run.stderr);
	t.regex(run.stderr, /the watch of pods in kube-system broke \(exit 1\): error: unexpected EOF; watching again in \d+ ms/);
	t.regex(run.stderr, /watch of pods in kube-system expired \(too old resource version: \d+ \(\d+\)\): listing again/);
	const calls = await kubectlCalls(hosts, start);
	t.true(calls.filter((c) => c.includes('get --raw /api/v1/namespaces/kube-system/pods?limit=')).length >= 2, 'listed again after the expiry');
});
