// kubestrap reset on real sshd hosts with the simulated node programs: remove a worker and a control
// plane (reachable or not) from a running cluster, reset the whole cluster, install again; every
// host clean afterwards, its own firewall chain, nftables table, BPF pin and CNI config intact.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { join } from 'node:path';
import test from 'ava';
import { startHosts, type TestHosts } from '../_helpers/sshd-hosts.js';
import { formatState, hostState, HOST_OWN, leftovers, ownIntact, visit } from './_host-state.js';
import { TmuxSession } from '../_helpers/tmux.js';
import { ROOT, runCli, writeConfig } from './_install.js';

function etcdMembers(hosts: TestHosts): string[] {
	const file = join(hosts.clusterDir, 'etcd', 'members');
	return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

test('1+2: remove a worker (cluster stays healthy, host clean, own firewall intact), then reset all and install again', async (t) => {
	const hosts = await startHosts(3, { scenario: HOST_OWN });
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const installed = await runCli(['install', '--config', config, '--yes'], dir);
	t.is(installed.code, 0, installed.stderr);
	visit(hosts, 2);
	const before = hostState(hosts, 2);
	t.true(leftovers(before).length > 10, 'the install left Kubernetes and Cilium state to remove');
	t.log(`worker before reset:\n${formatState(before)}`);
	const worker = hosts.hosts[2]!.address;

	// kubeconfig again: 0600, the endpoint as server, a context named after the cluster; --merge keeps other contexts.
	const fetched = await runCli(['kubeconfig', '--config', config, '--output-file', 'again.kubeconfig'], dir);
	t.is(fetched.code, 0, fetched.stderr);
	t.is(statSync(join(dir, 'again.kubeconfig')).mode & 0o777, 0o600);
	const again = parse(readFileSync(join(dir, 'again.kubeconfig'), 'utf8')) as { clusters: Array<{ cluster: { server: string } }>; 'current-context': string };
	t.is(again.clusters[0]!.cluster.server, `https://${hosts.hosts[0]!.address}:6443`);
	t.is(again['current-context'], 'e2e');
	writeFileSync(join(dir, 'mine.config'), 'apiVersion: v1\nkind: Config\nclusters: [{ name: other, cluster: { server: "https://127.0.0.1:1" } }]\ncontexts: [{ name: other, context: { cluster: other, user: other } }]\nusers: [{ name: other, user: {} }]\ncurrent-context: other\n', { mode: 0o600 });
	const merged = await runCli(['kubeconfig', '--config', config, '--merge'], dir, { env: { KUBECONFIG: `${join(dir, 'mine.config')}:${join(dir, 'second.config')}` } });
	t.is(merged.code, 0, merged.stderr);
	const mine = parse(readFileSync(join(dir, 'mine.config'), 'utf8')) as { contexts: Array<{ name: string }>; 'current-context': string };
	t.deepEqual(mine.contexts.map((c) => c.name), ['other', 'e2e']);
	t.is(mine['current-context'], 'e2e');
	t.false(existsSync(join(dir, 'second.config')));

	const removed = await runCli(['reset', '--config', config, '--host', worker, '--yes'], dir);
	t.is(removed.code, 0, removed.stderr);
	t.regex(removed.stderr, /==> Drain the nodes being removed/);
	t.regex(removed.stderr, new RegExp(`removed: ${worker.replace(/\./g, '\\.')} \\(node node3\\); Nodes deleted`));
	const after = hostState(hosts, 2);
	t.log(`worker after reset:\n${formatState(after)}`);
	t.deepEqual(leftovers(after), []);
	ownIntact(t, hostState(hosts, 2));
	t.truthy(await hosts.readHostFile(2, '/etc/cni/net.d/87-podman-bridge.conflist'), 'another tool\'s CNI config stays');
	const nodes = await hosts.simKubectl(['get', 'nodes', '-o', 'name']);
	t.is(nodes.stdout, 'node/node1\nnode/node2\n');
	const status = await runCli(['status', '--config', config], dir);
	t.is(status.code, 0, status.stdout + status.stderr);
	// The token made for the joins is gone (deleted once they were done).
	t.deepEqual(readdirSync(join(hosts.clusterDir, 'tokens')), []);

	const all = await runCli(['reset', '--config', config, '--yes'], dir);
	t.is(all.code, 0, all.stderr);
	t.regex(all.stderr, /reset done: 3 hosts clean, verified; the local journal of e2e was cleared/);
	for (const index of [0, 1, 2]) {
		t.deepEqual(leftovers(hostState(hosts, index)), [], `host ${index + 1} clean`);
		ownIntact(t, hostState(hosts, index));
	}
	t.false(existsSync(join(dir, '.kubestrap/e2e/journal.json')));
	const reinstalled = await runCli(['install', '--config', config, '--yes'], dir);
	t.is(reinstalled.code, 0, reinstalled.stderr);
	t.regex(reinstalled.stderr, /ready: 3 nodes Ready/);
});

test('3 control planes: an unreachable one is taken out of etcd by ID and its Node deleted; cleaned when it is back (etcd members 2)', async (t) => {
	const hosts = await startHosts(4, { scenario: HOST_OWN, endpointAddress: true });
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 3, endpoint: `${hosts.endpointAddress}:6443` });
	const installed = await runCli(['install', '--config', config, '--yes'], dir);
	t.is(installed.code, 0, installed.stderr);
	t.is(etcdMembers(hosts).length, 3);
	const cp3 = hosts.hosts[2]!.address;
	await hosts.stopHost(2);
	const first = await runCli(['reset', '--config', config, '--host', cp3, '--yes', '--connect-timeout', '2'], dir);
	t.is(first.code, 1, first.stderr);
	t.regex(first.stderr, /etcd: 3 members now, 2 after this removal; quorum is then 2 of 2/);
	t.regex(first.stderr, new RegExp(`${cp3.replace(/\./g, '\\.')}: unreachable \\(.*\\); it was skipped — its Node and etcd member were removed from the cluster; clean the host when it answers again with: kubestrap reset`));
	t.regex(first.stderr, /etcdctl .*member remove [0-9a-f]{16}|==> Remove unreachable control planes from etcd/);
	t.is(etcdMembers(hosts).length, 2);
	t.false(etcdMembers(hosts).some((line) => line.includes(' node3 ')));
	t.is((await hosts.simKubectl(['get', 'node', 'node3', '--ignore-not-found', '-o', 'name'])).stdout, '');

	await hosts.startHost(2);
	const second = await runCli(['reset', '--config', config, '--host', cp3, '--yes'], dir);
	t.is(second.code, 0, second.stderr);
	t.deepEqual(leftovers(hostState(hosts, 2)), []);
	ownIntact(t, hostState(hosts, 2));
	t.is(etcdMembers(hosts).length, 2);

	// Reachable control plane: kubeadm reset on it leaves etcd.
	const refused = await runCli(['reset', '--config', config, '--host', hosts.hosts[0]!.address, '--host', hosts.hosts[1]!.address, '--host', cp3, '--yes'], dir);
	t.is(refused.code, 2);
	t.regex(refused.stderr, /removing every control plane leaves the workers without a cluster; reset the whole cluster instead/);
	const cp2 = await runCli(['reset', '--config', config, '--host', hosts.hosts[1]!.address, '--yes'], dir);
	t.is(cp2.code, 0, cp2.stderr);
	t.is(etcdMembers(hosts).length, 1);
	t.deepEqual(leftovers(hostState(hosts, 1)), []);
});

test('--dry-run changes nothing and prints every command; no terminal and no --yes is exit 2; Ctrl-C mid reset, then resume', async (t) => {
	const hosts = await startHosts(2, { scenario: (i) => ({ ...HOST_OWN, ...(i === 1 ? { faults: [{ match: 'kubeadm reset*', delaySeconds: 20, exitCode: null, times: 1 }] } : {}) }) });
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	t.is((await runCli(['install', '--config', config, '--yes'], dir)).code, 0);
	visit(hosts, 0);
	visit(hosts, 1);
	const before = [hostState(hosts, 0), hostState(hosts, 1)];
	const callsBefore = (await hosts.readCalls(1)).length;

	const dry = await runCli(['reset', '--config', config, '--dry-run'], dir);
	t.is(dry.code, 0, dry.stderr);
	t.regex(dry.stdout, /Reset plan for cluster e2e: every command per host. Nothing was changed./);
	t.regex(dry.stdout, /clean +sudo kubeadm reset -f --cleanup-tmp-dir --skip-phases=remove-etcd-member/);
	t.regex(dry.stdout, /clean +sudo ip link delete cilium_host/);
	t.regex(dry.stdout, /clean +sudo iptables-restore < \(iptables-save of tables filter, mangle, nat, raw without \d+ KUBE-\/CILIUM_\/cali- line\(s\)/);
	t.regex(dry.stdout, /clean +sudo rm -rf -- \/sys\/fs\/bpf\/cilium/);
	t.deepEqual([hostState(hosts, 0), hostState(hosts, 1)], before, 'nothing changed on any host');
	const changing = (await hosts.readCalls(1)).slice(callsBefore).filter((c) => !['ip', 'iptables-save', 'ip6tables-save', 'nft', 'systemctl', 'kubectl'].includes(c.prog) || (c.prog === 'ip' && c.argv.includes('delete')) || (c.prog === 'nft' && c.argv.includes('delete')) || (c.prog === 'systemctl' && c.argv[0] !== 'is-active'));
	t.deepEqual(changing.map((c) => `${c.prog} ${c.argv.join(' ')}`), [], 'only reads ran');

	const noTty = await runCli(['reset', '--config', config], dir);
	t.is(noTty.code, 2);
	t.regex(noTty.stderr, /no terminal to confirm on; add --yes/);

	const interrupted = await runCli(['reset', '--config', config, '--yes'], dir, { signalAfter: { pattern: /==> Clean the hosts/, signal: 'SIGINT' } });
	t.is(interrupted.code, 130, interrupted.stderr);
	t.regex(interrupted.stderr, /interrupted: running commands were stopped; what finished is kept. Resume with: kubestrap reset --config .* --yes/);
	t.false(existsSync(join(dir, '.kubestrap/e2e/lock')));
	const resumed = await runCli(['reset', '--config', config, '--yes'], dir);
	t.is(resumed.code, 0, resumed.stderr);
	for (const index of [0, 1]) t.deepEqual(leftovers(hostState(hosts, index)), []);
	writeFileSync(join(dir, 'done'), '');
});

test('on a terminal: the hosts, the exact commands and etcd\'s fate are shown, and nothing happens until the cluster name is typed', async (t) => {
	const hosts = await startHosts(2, { scenario: HOST_OWN });
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	t.is((await runCli(['install', '--config', config, '--yes'], dir)).code, 0);
	const worker = hosts.hosts[1]!.address;
	const command = `SSH_AUTH_SOCK= ${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, 'bin/kubestrap.js'))} reset --config ${JSON.stringify(config)} --host ${worker}`;
	const wrong = await TmuxSession.start({ command, cwd: dir, env: { NO_COLOR: '1' }, width: 160, height: 60 });
	t.teardown(() => wrong.kill());
	await wrong.waitFor(/Type the cluster name \(e2e\) to confirm:/, { timeoutMs: 60_000 });
	await wrong.text('demo');
	await wrong.keys('Enter');
	t.is(await wrong.waitForExit({ timeoutMs: 30_000 }), 2);
	t.regex(await wrong.capture(), /not confirmed: nothing was changed/);
	t.true(leftovers(hostState(hosts, 1)).length > 0, 'nothing was removed');

	const session = await TmuxSession.start({ command, cwd: dir, env: { NO_COLOR: '1' }, width: 160, height: 60 });
	t.teardown(() => session.kill());
	const screen = await session.waitFor(/Type the cluster name \(e2e\) to confirm:/, { timeoutMs: 60_000 });
	t.regex(screen, /Remove 1 node from cluster e2e \(drain, leave etcd, delete the Node\)/);
	t.regex(screen, /clean +sudo kubeadm reset -f --cleanup-tmp-dir/);
	await session.text('e2e');
	await session.keys('Enter');
	t.is(await session.waitForExit({ timeoutMs: 120_000 }), 0, await session.capture());
	t.deepEqual(leftovers(hostState(hosts, 1)), []);
	ownIntact(t, hostState(hosts, 1));
});
