// The lease on the first control plane, for real: two installs of one cluster from two directories (the
// local lock cannot see each other), a lease held by a live run, and stale leases taken over.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import test from 'ava';
import { startHosts, type TestHosts } from '../_helpers/sshd-hosts.js';
import { runCli, writeConfig } from './_install.js';

const LEASE = '/var/lib/kubestrap/lease';

/** Puts a lease on host 0 as another run would have left it, `ageSeconds` old. */
function plantLease(hosts: TestHosts, record: Record<string, unknown>, ageSeconds: number): void {
	const path = hosts.hostPath(0, LEASE);
	mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
	writeFileSync(path, `planted0123456789abcdef\n${JSON.stringify(record)}\n`, { mode: 0o600 });
	const when = new Date(Date.now() - ageSeconds * 1000);
	utimesSync(path, when, when);
}

async function allCalls(hosts: TestHosts): Promise<string[]> {
	const calls = await Promise.all(hosts.hosts.map((_, i) => hosts.readCalls(i)));
	return calls.flatMap((list, i) => list.map((call) => `${i}: ${call.prog} ${call.argv.join(' ')}`));
}

test('two installs of one cluster from two directories at once: exactly one proceeds, the other is refused naming the holder', async (t) => {
	const hosts = await startHosts(2);
	t.teardown(() => hosts.stop());
	const a = writeConfig(hosts, { controlPlanes: 1 });
	const b = writeConfig(hosts, { controlPlanes: 1 });
	const [first, second] = await Promise.all([
		runCli(['install', '--config', a.config, '--yes', '--skip-check'], a.dir),
		runCli(['install', '--config', b.config, '--yes', '--skip-check'], b.dir),
	]);
	const runs = [{ run: first, dir: a.dir }, { run: second, dir: b.dir }];
	const won = runs.filter((r) => r.run.code === 0);
	const refused = runs.filter((r) => r.run.code === 1);
	t.is(won.length, 1, `${first.stderr}\n----\n${second.stderr}`);
	t.is(refused.length, 1, `${first.stderr}\n----\n${second.stderr}`);
	const loser = refused[0]!;
	const winner = won[0]!;
	const cp = hosts.hosts[0]!.address.replace(/\./g, '\\.');
	t.regex(loser.run.stderr, new RegExp(`error: ${cp}: another kubestrap run holds the lease on this host: [^@\\s]+@${hostname()} \\(pid \\d+, in ${winner.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, running kubestrap install --config`));
	t.regex(loser.run.stderr, /Nothing was changed\. Wait for that run to finish/);
	// The refused run stopped at the lease: no step after it started.
	t.notRegex(loser.run.stderr, /==> (Gather facts|Preflight|Prepare)/);
	t.is(await hosts.readHostFile(0, LEASE), undefined, 'the winner released its lease');
});

test('a live lease held by a run on another machine: refused, exit 1, nothing run on any host but the lease read', async (t) => {
	const hosts = await startHosts(2);
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	plantLease(hosts, { user: 'alice', machine: 'laptop-7', pid: 4242, cwd: '/home/alice/clusters', command: 'kubestrap install --config cluster.yaml --yes', cluster: 'e2e', startedAt: '2026-12-06T03:00:00.000Z' }, 10);
	const refused = await runCli(['install', '--config', config, '--yes'], dir);
	t.is(refused.code, 1, refused.stderr);
	t.regex(refused.stderr, /another kubestrap run holds the lease on this host: alice@laptop-7 \(pid 4242, in \/home\/alice\/clusters, running kubestrap install --config cluster\.yaml --yes, cluster e2e, since 2026-12-06T03:00:00\.000Z\), refreshed \d+s ago/);
	t.regex(refused.stderr, /sudo rm -f \/var\/lib\/kubestrap\/lease/);
	t.deepEqual(await allCalls(hosts), [], 'no simulated program was run on any host');
	t.regex((await hosts.readHostFile(0, LEASE)) ?? '', /^planted0123456789abcdef\n.*alice/, 'the holder keeps its lease');
});

test('stale leases are taken over with a line saying whose they were: not refreshed for too long, or their pid gone on this machine', async (t) => {
	const hosts = await startHosts(2);
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	plantLease(hosts, { user: 'bob', machine: 'ci-runner-3', pid: 77, cwd: '/builds/x', command: 'kubestrap install', cluster: 'e2e', startedAt: '2026-12-06T01:00:00.000Z' }, 3600);
	const first = await runCli(['install', '--config', config, '--yes', '--skip-check'], dir);
	t.is(first.code, 0, first.stderr);
	t.regex(first.stderr, /taking over a stale lease held by bob@ci-runner-3 \(pid 77, in \/builds\/x, running kubestrap install, cluster e2e, since 2026-12-06T01:00:00\.000Z\): not refreshed for 3\d{3}s/);
	t.is(await hosts.readHostFile(0, LEASE), undefined, 'released at the end');

	// A fresh lease from this machine whose pid is gone.
	plantLease(hosts, { user: 'carol', machine: hostname(), pid: 2 ** 22 + 4321, cwd: '/srv/other', command: 'kubestrap upgrade', cluster: 'e2e', startedAt: '2026-12-06T02:00:00.000Z' }, 5);
	const second = await runCli(['install', '--config', config, '--yes', '--skip-check'], dir);
	t.is(second.code, 0, second.stderr);
	t.regex(second.stderr, new RegExp(`taking over a stale lease held by carol@${hostname()} .*: pid ${2 ** 22 + 4321} is no longer running on ${hostname()}`));
	t.is(await hosts.readHostFile(0, LEASE), undefined);
});

test('a failed install releases its lease too', async (t) => {
	const hosts = await startHosts(2, { scenario: (i) => (i === 1 ? { faults: [{ match: 'apt-get install*containerd*', exitCode: 100, stderr: 'E: Unable to locate package containerd', times: 1 }] } : {}) });
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const failed = await runCli(['install', '--config', config, '--yes'], dir);
	t.is(failed.code, 1, failed.stderr);
	t.is(await hosts.readHostFile(0, LEASE), undefined);
});
