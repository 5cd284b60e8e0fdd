// `kubestrap check` and install's last step, as a user runs them, on 1+3 sshd hosts with the simulated
// cluster: a blocked VXLAN port between two nodes fails install naming the pair, the port and the fix;
// once it is open the install resumes green; check prints its grid, -o json its report, and Ctrl-C or
// the end of a check leaves no namespace behind.
import test from 'ava';
import { startHosts, type TestHosts } from '../_helpers/sshd-hosts.js';
import { runCli, writeConfig } from './_install.js';

async function checkNamespaces(hosts: TestHosts): Promise<string[]> {
	const out = await hosts.simKubectl(['get', 'namespaces', '-l', 'kubestrap.dev/check=true', '-o', 'name']);
	return out.stdout.split('\n').filter(Boolean);
}

test('install fails on a blocked 8472/udp naming the pair and port, resumes green; check, -o json and Ctrl-C', async (t) => {
	const hosts = await startHosts(4);
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const [a, b] = [hosts.hosts[1]!.name, hosts.hosts[3]!.name];
	await hosts.setClusterScenario({ speed: 4, network: { blocked: [{ nodes: [a, b], protocol: 'udp', port: 8472 }] } });

	const blocked = await runCli(['install', '--config', config, '--yes'], dir);
	t.is(blocked.code, 1, blocked.stderr);
	t.regex(blocked.stderr, new RegExp(`✗ cross-node ${a} → ${b}: TIMEOUT`));
	t.regex(blocked.stderr, new RegExp(`step "network-check" failed: ✗ network check: \\d+/\\d+ paths pass`));
	t.regex(blocked.stderr, new RegExp(`(${a} ↔ ${b}|${b} ↔ ${a}): pods on .* cannot reach each other .* Cilium VXLAN tunnel between these two nodes is blocked \\(UDP port 8472\\)`));
	t.regex(blocked.stderr, new RegExp(`fix: let UDP port 8472 through between (${hosts.hosts[1]!.address.replace(/\./g, '\\.')}|${hosts.hosts[3]!.address.replace(/\./g, '\\.')}) and`));
	t.deepEqual(await checkNamespaces(hosts), [], 'the failed check deleted its namespace');

	await hosts.setClusterScenario({ speed: 4 });
	const resumed = await runCli(['install', '--config', config, '--yes'], dir);
	t.is(resumed.code, 0, resumed.stderr);
	t.regex(resumed.stderr, /✓ network check: 44\/44 paths pass over 4 nodes \(Cilium VXLAN 8472\/udp\)/);

	const check = await runCli(['check', '--config', config], dir);
	t.is(check.code, 0, check.stderr);
	t.regex(check.stderr, /from \\ to +1 +2 +3 +4 +\| same svc-ip svc-dns k8s-dns nodeport/);
	t.regex(check.stderr, /deleted namespace kubestrap-check-/);

	const json = await runCli(['check', '--config', config, '-o', 'json'], dir);
	t.is(json.code, 0, json.stderr);
	const report = JSON.parse(json.stdout) as { version: number; result: string; paths: Array<{ path: string; result: string }>; nodes: unknown[] };
	t.like(report, { version: 1, result: 'pass' });
	t.is(report.nodes.length, 4);
	t.true(report.paths.every((p) => p.result === 'pass'));

	await hosts.setClusterScenario({ speed: 4, network: { dnsDown: true } });
	const dns = await runCli(['check', '--config', config, '--timeout', '2m'], dir);
	t.is(dns.code, 1, dns.stderr);
	t.regex(dns.stderr, /CoreDNS .* is not answering/);
	await hosts.setClusterScenario({ speed: 4 });

	const interrupted = await runCli(['check', '--config', config], dir, { signalAfter: { pattern: /check: probing/, signal: 'SIGINT' } });
	t.is(interrupted.code, 130, interrupted.stderr);
	t.regex(interrupted.stderr, /check interrupted; namespace kubestrap-check-\w+ deleted/);
	t.deepEqual(await checkNamespaces(hosts), []);
});

test('invalid input exits 2 and contacts nothing', async (t) => {
	const hosts = await startHosts(1);
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const timeout = await runCli(['check', '--config', config, '--timeout', 'soon'], dir);
	t.deepEqual([timeout.code, timeout.stderr], [2, '--timeout "soon" is not a duration; use e.g. 10m, 90s or 1h30m\n']);
	const external = await runCli(['check', '--config', config, '--external', 'a;b'], dir);
	t.is(external.code, 2);
	t.regex(external.stderr, /^--external "a;b": not a host name/);
	t.deepEqual(await hosts.readCalls(0), []);
});
