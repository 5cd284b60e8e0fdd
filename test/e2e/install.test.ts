// kubestrap install and plan, run as a user would, against real OpenSSH hosts with simulated node
// programs: a fresh install, a re-run that changes nothing, a failure that resumes, refused host
// keys, an unreachable host, and the join token kept out of every command line and output.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { startHosts, type TestHosts } from '../_helpers/sshd-hosts.js';
import { runCli, writeConfig } from './_install.js';

const MUTATING = /^(kubeadm (init|join)|apt-get install|systemctl (restart|enable)|swapoff|modprobe|sysctl --system)/;

async function mutatingCalls(hosts: TestHosts): Promise<string[]> {
	const all = await Promise.all(hosts.hosts.map(async (_, i) => (await hosts.readCalls(i)).map((c) => `${i}: ${[c.prog, ...c.argv].join(' ')}`)));
	return all.flat().filter((line) => MUTATING.test(line.replace(/^\d+: /, '')));
}

function tokens(hosts: TestHosts): string[] {
	try {
		return readdirSync(join(hosts.runDir, 'cluster', 'tokens'));
	} catch {
		return [];
	}
}

test('1 control plane + 3 workers: plan, install, journal, kubeconfig, then a re-run changes nothing', async (t) => {
	const hosts = await startHosts(4);
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });

	const plan = await runCli(['plan', '--config', config], dir);
	t.is(plan.code, 0, plan.stderr);
	t.regex(plan.stdout, new RegExp(`${hosts.hosts[0]!.address.replace(/\./g, '\\.')} \\(control-plane\\)\\n[\\s\\S]*init +sudo kubeadm init --config /etc/kubestrap/kubeadm-init.yaml`));
	t.regex(plan.stdout, /join-workers +sudo kubeadm join --config \/etc\/kubestrap\/kubeadm-join\.yaml/);
	t.deepEqual(await mutatingCalls(hosts), [], 'plan changes nothing');

	const watch = hosts.watchCmdlines(() => tokens(hosts), 50);
	const install = await runCli(['install', '--config', config, '--yes'], dir);
	const watched = await watch.stop();
	t.is(install.code, 0, install.stderr);
	t.regex(install.stderr, /==> Join workers \(3 hosts\)/);
	t.true(watched.samples > 5, `sampled /proc/*/cmdline ${watched.samples} times`);
	t.deepEqual(watched.hits, [], 'no join token in any process command line');

	const kubeconfig = join(dir, 'e2e.kubeconfig');
	t.is(statSync(kubeconfig).mode & 0o777, 0o600);
	t.regex(readFileSync(kubeconfig, 'utf8'), new RegExp(`server: https://${hosts.hosts[0]!.address.replace(/\./g, '\\.')}:6443`));
	const journal = JSON.parse(readFileSync(join(dir, '.kubestrap/e2e/journal.json'), 'utf8')) as { entries: Record<string, { status: string }> };
	for (const h of hosts.hosts.slice(1)) t.is(journal.entries[`join-workers@${h.address}`]?.status, 'done');
	t.is(statSync(join(dir, '.kubestrap/e2e/journal.json')).mode & 0o777, 0o600);

	const logs = readdirSync(join(dir, '.kubestrap/e2e/logs')).map((name) => readFileSync(join(dir, '.kubestrap/e2e/logs', name), 'utf8')).join('\n');
	for (const token of tokens(hosts)) {
		t.false(install.stdout.includes(token) || install.stderr.includes(token), 'token on the terminal');
		t.false(logs.includes(token), 'token in the log file');
	}

	t.regex(install.stderr, /\[ready\] \d+\/\d+ pods ready, 4\/4 nodes Ready/);
	t.regex(install.stderr, /ready: 4 nodes Ready, \d+ pods ready, API answers through .*e2e\.kubeconfig/);
	const applied = await hosts.clusterObjects();
	t.true(applied.some((o) => o.kind === 'DaemonSet' && o.name === 'cilium'));
	t.true(applied.some((o) => o.kind === 'Secret' && o.name === 'hubble-server-certs'));

	const before = await mutatingCalls(hosts);
	const again = await runCli(['install', '--config', config, '--yes'], dir);
	t.is(again.code, 0, again.stderr);
	t.deepEqual(await mutatingCalls(hosts), before, 'a re-run changes nothing on the hosts');
	const reapplied = await hosts.clusterObjects();
	t.deepEqual(reapplied.map((o) => `${o.kind}/${o.name}@${o.generation}/${o.resourceVersion}`), applied.map((o) => `${o.kind}/${o.name}@${o.generation}/${o.resourceVersion}`), 'the re-apply is a no-op');
	t.regex(again.stderr, /- .*: every host has joined/);
});

test('3 control planes + 2 workers behind an endpoint', async (t) => {
	const hosts = await startHosts(5, { endpointAddress: true });
	t.teardown(() => hosts.stop());
	const endpoint = `${hosts.endpointAddress}:6443`;
	const { dir, config } = writeConfig(hosts, { controlPlanes: 3, endpoint });
	const install = await runCli(['install', '--config', config, '--yes'], dir);
	t.is(install.code, 0, install.stderr);
	const calls = await mutatingCalls(hosts);
	t.true(calls.some((line) => line.startsWith('0: kubeadm init --config /etc/kubestrap/kubeadm-init.yaml --upload-certs')));
	for (const i of [1, 2, 3, 4]) t.true(calls.some((line) => line === `${i}: kubeadm join --config /etc/kubestrap/kubeadm-join.yaml`), `host ${i} joined`);
	t.true(readFileSync(join(dir, 'e2e.kubeconfig'), 'utf8').includes(`server: https://${endpoint}`));
	t.regex(install.stderr, /ready: 5 nodes Ready/);
});

test('one worker fails: the others finish, the error names host, step and output, and a re-run completes', async (t) => {
	const hosts = await startHosts(3, { scenario: (i) => (i === 2 ? { faults: [{ match: 'kubeadm join*', exitCode: 1, stderr: 'error execution phase kubelet-start: timed out waiting for the condition', times: 1 }] } : {}) });
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const first = await runCli(['install', '--config', config, '--yes'], dir);
	t.is(first.code, 1);
	const failing = hosts.hosts[2]!.address;
	t.regex(first.stderr, new RegExp(`error: ${failing.replace(/\./g, '\\.')}: step "join-workers" failed: sudo kubeadm join --config /etc/kubestrap/kubeadm-join\\.yaml exited 1\\n[\\s\\S]*timed out waiting for the condition`));
	t.regex(first.stderr, /resume with: kubestrap install --config .*cluster\.yaml --yes/);
	t.regex(first.stderr, new RegExp(`✓ ${hosts.hosts[1]!.address.replace(/\./g, '\\.')}`));
	const second = await runCli(['install', '--config', config, '--yes'], dir);
	t.is(second.code, 0, second.stderr);
	t.regex(second.stderr, new RegExp(`- ${hosts.hosts[1]!.address.replace(/\./g, '\\.')}: already done`));
	t.regex(second.stderr, new RegExp(`✓ ${failing.replace(/\./g, '\\.')}`));
});

test('host keys: unknown under strict is refused before any command; accept-new records it; a changed key is refused', async (t) => {
	const hosts = await startHosts(1);
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1, knownHostsFile: 'empty_known_hosts' });
	writeFileSync(join(dir, 'empty_known_hosts'), '', { mode: 0o600 });
	const strict = await runCli(['install', '--config', config, '--yes', '--connect-timeout', '5'], dir);
	t.is(strict.code, 1);
	t.regex(strict.stderr, /host key ssh-ed25519 SHA256:\S+ is not in empty_known_hosts and the host key policy is strict/);
	t.deepEqual(await hosts.readCalls(0), [], 'no command ran on the host');

	const accept = writeConfig(hosts, { controlPlanes: 1, knownHostsFile: 'accepted_known_hosts', policy: 'accept-new' });
	const plan = await runCli(['plan', '--config', accept.config], accept.dir);
	t.is(plan.code, 0, plan.stderr);
	const recorded = readFileSync(join(accept.dir, 'accepted_known_hosts'), 'utf8');
	t.true(recorded.includes(hosts.hosts[0]!.hostKeyBase64));
	t.is(statSync(join(accept.dir, 'accepted_known_hosts')).mode & 0o777, 0o600);

	await hosts.replaceHostKey(0);
	const changed = await runCli(['plan', '--config', accept.config, '--connect-timeout', '5'], accept.dir);
	t.is(changed.code, 1);
	t.regex(changed.stderr, /SHA256:/);
	t.regex(changed.stderr, /changed|does not match|mismatch/i);
});

test('an unreachable host is named in a clear error within the connect timeout', async (t) => {
	const hosts = await startHosts(2);
	t.teardown(() => hosts.stop());
	await hosts.stopHost(1);
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const run = await runCli(['install', '--config', config, '--yes', '--connect-timeout', '3'], dir);
	t.is(run.code, 1);
	t.regex(run.stderr, new RegExp(`${hosts.hosts[1]!.address.replace(/\./g, '\\.')}`));
	t.regex(run.stderr, /unreachable|refused|timed out/i);
	t.deepEqual(await mutatingCalls(hosts), [], 'nothing changed on the reachable host either: connect is before any change');
});
