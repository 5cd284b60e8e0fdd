// install's wait for readiness and `kubestrap status`, run as a user would against the sshd test hosts
// whose simulated cluster plays pod lifecycles: a healthy cluster ends in exit 0 and a healthy status;
// a broken image ends (with a short --timeout) in exit 1 naming the pod, the image and the cause; a
// kubeconfig this machine cannot use keeps install from reporting success.
import test from 'ava';
import { startHosts } from '../_helpers/sshd-hosts.js';
import { runCli, writeConfig } from './_install.js';

interface StatusJson {
	kind: string;
	healthy: boolean;
	summary: { podsReady: number; podsTotal: number; nodesReady: number; nodesTotal: number };
	nodes: Array<{ name: string; ready: boolean; internalIP: string }>;
	cni: { name: string; release: string | null; datapath: Record<string, string> };
	problems: Array<{ subject: string; cause: string }>;
}

test('healthy: install waits until every pod is ready, then status and status -o json say healthy (exit 0)', async (t) => {
	const hosts = await startHosts(2);
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const install = await runCli(['install', '--config', config, '--yes'], dir);
	t.is(install.code, 0, install.stderr);
	t.regex(install.stderr, /\[pod\] kube-system\/coredns-\S+ 0\/1 Pending/, 'CoreDNS waits for the CNI');
	t.regex(install.stderr, /\[node\] node1 Ready/);
	t.regex(install.stderr, /ready: 2 nodes Ready, \d+ pods ready, API answers through/);

	const status = await runCli(['status', '--config', config], dir);
	t.is(status.code, 0, status.stderr);
	t.regex(status.stdout, /Cluster e2e: healthy/);
	t.regex(status.stdout, /cilium 1\.20\.1/);
	const json = await runCli(['status', '--config', config, '-o', 'json'], dir);
	t.is(json.code, 0, json.stderr);
	const report = JSON.parse(json.stdout) as StatusJson;
	t.is(report.kind, 'Status');
	t.true(report.healthy);
	t.deepEqual(report.problems, []);
	t.is(report.summary.podsReady, report.summary.podsTotal);
	t.deepEqual(report.nodes.map((n) => [n.name, n.ready, n.internalIP]), hosts.hosts.map((h, i) => [`node${i + 1}`, true, h.address]));
	t.is(report.cni.name, 'cilium');
	t.is(report.cni.datapath['ipam'], 'cluster-pool');
});

test('a broken image: install times out with exit 1 naming the pod, the image and the cause; status says the same', async (t) => {
	const hosts = await startHosts(2);
	t.teardown(() => hosts.stop());
	await hosts.setClusterScenario({ imagePullBackOff: 'cilium-operator' });
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const install = await runCli(['install', '--config', config, '--yes', '--timeout', '15s'], dir);
	t.is(install.code, 1, install.stderr);
	t.regex(install.stderr, /Timed out after 15s waiting for the cluster to be ready/);
	t.regex(install.stderr, /pod kube-system\/cilium-operator-\S+ \((ImagePullBackOff|ErrImagePull)\): image "quay\.io\/cilium\/operator-generic:v1\.20\.1@sha256:[0-9a-f]{64}" cannot be pulled/);
	t.regex(install.stderr, /Recent events:[\s\S]*Failed to pull image/);
	t.regex(install.stderr, /Look further: kubestrap status --config /);
	t.notRegex(install.stderr, /^ready:/m, 'no success line');

	const json = await runCli(['status', '--config', config, '-o', 'json'], dir);
	t.is(json.code, 1);
	const report = JSON.parse(json.stdout) as StatusJson;
	t.false(report.healthy);
	t.true(report.problems.some((p) => /^pod kube-system\/cilium-operator-/.test(p.subject) && p.cause.includes('cannot be pulled')));
	t.true(report.problems.some((p) => p.subject === 'deployment kube-system/cilium-operator'));
});

test('a crash loop shows its last log lines, in the timeout report and in status', async (t) => {
	const hosts = await startHosts(1);
	t.teardown(() => hosts.stop());
	await hosts.setClusterScenario({ crashLoop: { workload: 'coredns', exitCode: 1, logs: ['[FATAL] plugin/loop: Loop detected for zone "."'] } });
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const install = await runCli(['install', '--config', config, '--yes', '--timeout', '12s'], dir);
	t.is(install.code, 1, install.stderr);
	t.regex(install.stderr, /pod kube-system\/coredns-\S+ \(CrashLoopBackOff\): exit code 1 \(Error\)[^\n]*\n\s+\[FATAL\] plugin\/loop: Loop detected/);
	const status = await runCli(['status', '--config', config], dir);
	t.is(status.code, 1);
	t.regex(status.stdout, /Loop detected/);
});

test('a kubeconfig this machine cannot use: install does not report success', async (t) => {
	const hosts = await startHosts(1);
	t.teardown(() => hosts.stop());
	await hosts.setClusterScenario({ apiUnreachable: 'local' });
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const install = await runCli(['install', '--config', config, '--yes', '--timeout', '8s'], dir);
	t.is(install.code, 1, install.stderr);
	t.regex(install.stderr, /api \/readyz[\s\S]*cannot reach the API at https:\/\/127\.77\.\d+\.\d+:6443 with the kubeconfig/);
	t.notRegex(install.stderr, /^ready:/m);
});

test('install\'s wait follows the cluster by list then watch: the first control plane is never asked for the whole snapshot again', async (t) => {
	const hosts = await startHosts(2);
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const install = await runCli(['install', '--config', config, '--yes'], dir);
	t.is(install.code, 0, install.stderr);
	const kubectl = (await hosts.readCalls(0)).filter((c) => c.prog === 'kubectl');
	const raw = kubectl.filter((c) => c.argv.includes('--raw')).map((c) => c.argv[c.argv.indexOf('--raw') + 1] ?? '');
	// The readiness step is the install's last: everything from its first request on is the wait.
	const wait = kubectl.slice(kubectl.findIndex((c) => c.argv.includes('--raw')));
	t.true(raw.length > 0, 'the wait reads through kubectl get --raw');
	t.deepEqual(wait.filter((c) => c.argv.includes('nodes,pods,daemonsets,deployments')), [], 'no whole snapshot list during the wait');
	t.deepEqual(raw.filter((p) => p.startsWith('/api/v1/nodes?limit=')).length, 1, 'the nodes are listed once');
	t.true(raw.some((p) => /^\/api\/v1\/namespaces\/kube-system\/pods\?watch=1&resourceVersion=\d+/.test(p)), 'then watched from the list\'s version');
	t.true(raw.some((p) => /^\/api\/v1\/nodes\?watch=1&resourceVersion=\d+/.test(p)));
	t.deepEqual((await hosts.readCalls(1)).filter((c) => c.prog === 'kubectl' && c.argv.includes('--raw')), [], 'only the first control plane is asked');
});
