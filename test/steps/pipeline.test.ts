// The install steps together on scripted fake hosts: their order, the preflight gate, re-runs that resume
// or change nothing, per-host failures, dry runs and the credentials passed between steps. What each step
// sends, skips, plans and reports on its own is in its own file (test/steps/<step>.test.ts).
import test from 'ava';
import { parseAllDocuments, stringify } from 'yaml';
import { runSteps } from '../../source/steps/runner.js';
import { CniRefused } from '../../source/steps/cni/check.js';
import { INSTALL_STEPS as ALL_STEPS } from '../../source/steps/list/index.js';
import { WAIT_READY } from '../../source/steps/list/wait-ready.js';
import { CREDENTIALS } from '../../source/steps/list/join-credentials.js';
import { applyCommand, CNI_MANIFEST } from '../../source/steps/list/apply-cni.js';
import { KUBECONFIG } from '../../source/steps/list/fetch-kubeconfig.js';
import { resolveSpec } from '../../source/spec/resolve.js';
import type { Cluster } from '../../source/spec/types.js';
import type { RunContext, StepEvent, StepHost } from '../../source/steps/types.js';
import { baremetalBase, withPaths } from '../spec/_base.js';
import { CERT_KEY, FakeRemote, freshHost, TEST_CA_HASH, TOKEN, type FakeHostState } from './_fake-remote.js';

// The readiness wait watches a live API the fake hosts do not run; it has its own tests (wait-ready.test.ts).
// The steps that watch or probe the whole cluster (wait-ready, the network check) are tested on their own.
const INSTALL_STEPS = ALL_STEPS.filter((step) => step.id !== WAIT_READY && step.id !== NETWORK_CHECK);
import { NETWORK_CHECK } from '../../source/steps/list/network-check.js';

function cluster(changes: Record<string, unknown> = {}): Cluster {
	const result = resolveSpec({ file: { content: stringify(withPaths(baremetalBase(), changes)), name: 'c.yaml' } });
	if (!result.ok) throw new Error(JSON.stringify(result.problems));
	return result.cluster;
}

const threeHosts = {
	'spec.hosts': [
		{ address: '192.0.2.10', role: 'control-plane', privateAddress: '10.0.0.10' },
		{ address: '192.0.2.11', role: 'worker', privateAddress: '10.0.0.11' },
		{ address: '192.0.2.12', role: 'worker', privateAddress: '10.0.0.12' },
	],
};

interface Harness {
	ctx: RunContext;
	remotes: Map<string, FakeRemote>;
	events: StepEvent[];
	secrets: string[];
}

function harness(c: Cluster, states: Map<string, FakeHostState>, dryRun = false): Harness {
	const remotes = new Map<string, FakeRemote>();
	const events: StepEvent[] = [];
	const secrets: string[] = [];
	const hosts: StepHost[] = c.spec.hosts.map((host) => ({ host, id: host.address }));
	const ctx: RunContext = {
		cluster: c, hosts, dryRun, concurrency: 10, signal: new AbortController().signal, shared: new Map(),
		emit: (event) => events.push(event),
		secret: (value) => secrets.push(value),
		now: () => Date.now(),
		connect: async (host) => {
			const remote = new FakeRemote(states.get(host.id) ?? freshHost(host.id));
			remotes.set(host.id, remote);
			return remote;
		},
	};
	return { ctx, remotes, events, secrets };
}

function secretNames(manifest: string): string[] {
	return parseAllDocuments(manifest)
		.map((doc) => doc.toJS() as { kind?: string; metadata?: { name?: string } } | null)
		.filter((object) => object?.kind === 'Secret')
		.map((object) => object?.metadata?.name ?? '');
}

function states(c: Cluster, change: (id: string) => Partial<FakeHostState> = () => ({})): Map<string, FakeHostState> {
	return new Map(c.spec.hosts.map((h, i) => [h.address, freshHost(`node-${i}`, change(h.address))]));
}

test('a fresh 1+2 cluster: every step runs, in order, with the expected commands', async (t) => {
	const c = cluster(threeHosts);
	const hostStates = states(c);
	const { ctx, remotes, events, secrets } = harness(c, hostStates);
	const outcome = await runSteps(ctx, INSTALL_STEPS);
	t.deepEqual(outcome.failures.map((f) => f.error.message), []);
	t.deepEqual(events.filter((e) => e.kind === 'step').map((e) => (e as { step: string }).step), ['connect', 'facts', 'cni-change', 'preflight', 'prepare', 'containerd', 'package-repo', 'kubernetes-version', 'packages', 'init', 'credentials', 'join-workers', 'delete-token', 'cilium-preflight', 'calico-pool-before', 'apply-cni', 'restart-cni-agents', 'calico-pool-after', 'kubeconfig']);
	const cp = remotes.get('192.0.2.10')!;
	const changing = new Set(cp.changes());
	t.deepEqual(cp.calls.filter((call) => changing.has(call.argv.join(' ')) && !call.sudo).map((call) => call.argv.join(' ')), [], 'host changes run through sudo');
	const worker = remotes.get('192.0.2.11')!;
	t.true(worker.changes().includes('kubeadm join --config /etc/kubestrap/kubeadm-join.yaml'));
	t.false(hostStates.get('192.0.2.11')!.files.has('/etc/kubestrap/kubeadm-join.yaml'), 'the join file is removed after use');
	t.deepEqual(ctx.shared.get(CREDENTIALS), { token: TOKEN, caCertHash: TEST_CA_HASH });
	t.deepEqual(secrets.filter((s) => !s.includes('PRIVATE KEY')), [TOKEN]);
	t.regex(String(ctx.shared.get(KUBECONFIG)), /server: https:\/\/192\.0\.2\.10:6443/);
});

test('three control planes: certificate key for control-plane joins, one at a time, then workers', async (t) => {
	const c = cluster({
		'spec.hosts': [
			{ address: '192.0.2.1', role: 'control-plane' }, { address: '192.0.2.2', role: 'control-plane' }, { address: '192.0.2.3', role: 'control-plane' },
			{ address: '192.0.2.4', role: 'worker' }, { address: '192.0.2.5', role: 'worker' },
		],
		'spec.kubernetes.controlPlaneEndpoint': 'api.lab.example:6443',
	});
	const { ctx, remotes, secrets } = harness(c, states(c));
	const outcome = await runSteps(ctx, INSTALL_STEPS);
	t.deepEqual(outcome.failures, []);
	t.true(remotes.get('192.0.2.1')!.changes().some((line) => line.startsWith('kubeadm init --config /etc/kubestrap/kubeadm-init.yaml --upload-certs')));
	t.deepEqual(secrets.filter((s) => !s.includes('PRIVATE KEY')), [TOKEN, CERT_KEY]);
	const join = remotes.get('192.0.2.2')!.uploads.find((u) => u.path === '/etc/kubestrap/kubeadm-join.yaml');
	t.regex(join?.content ?? '', new RegExp(`certificateKey: ${CERT_KEY}`));
	t.regex(join?.content ?? '', /apiServerEndpoint: api\.lab\.example:6443/);
	t.regex(String(ctx.shared.get(KUBECONFIG)), /server: https:\/\/api\.lab\.example:6443/);
});

test('a re-run on installed hosts changes nothing', async (t) => {
	const c = cluster(threeHosts);
	const hostStates = states(c);
	await runSteps(harness(c, hostStates).ctx, INSTALL_STEPS);
	const again = harness(c, hostStates);
	const outcome = await runSteps(again.ctx, INSTALL_STEPS);
	t.deepEqual(outcome.failures, []);
	// Only the CNI is applied again: server-side apply leaves unchanged objects as they are.
	for (const remote of again.remotes.values()) {
		t.deepEqual(remote.changes(), remote.state.hostname === 'node-0' ? [applyCommand().join(' '), `rm -f ${CNI_MANIFEST}`] : [], remote.state.hostname);
	}
	const reapplied = again.remotes.get('192.0.2.10')!.uploads.find((u) => u.path === CNI_MANIFEST);
	t.deepEqual(secretNames(reapplied?.content ?? ''), [], 'the Hubble TLS Secrets are made once');
	t.true(again.events.some((e) => e.kind === 'host' && e.step === 'credentials' && e.state === 'skipped' && e.detail === 'every host has joined'));
});

test('a worker added to the spec later is joined by running again', async (t) => {
	const c = cluster(threeHosts);
	const hostStates = states(c);
	await runSteps(harness(c, hostStates).ctx, INSTALL_STEPS);
	const bigger = cluster({ 'spec.hosts': [...threeHosts['spec.hosts'], { address: '192.0.2.13', role: 'worker' }] });
	const again = harness(bigger, hostStates);
	await runSteps(again.ctx, INSTALL_STEPS);
	t.true(again.remotes.get('192.0.2.13')!.changes().includes('kubeadm join --config /etc/kubestrap/kubeadm-join.yaml'));
	t.deepEqual(again.remotes.get('192.0.2.11')!.changes(), []);
	t.false(again.remotes.get('192.0.2.10')!.changes().some((line) => line.startsWith('kubeadm init')));
});

test('preflight is a gate: an old kernel on one host stops the run before any change anywhere', async (t) => {
	const c = cluster(threeHosts);
	const { ctx, remotes } = harness(c, states(c, (id) => (id === '192.0.2.12' ? { kernel: '5.4.0-150-generic' } : {})));
	const outcome = await runSteps(ctx, INSTALL_STEPS);
	t.is(outcome.failures.length, 1);
	t.is(outcome.failures[0]?.host, '192.0.2.12');
	t.regex(outcome.failures[0]?.error.message ?? '', /192\.0\.2\.12: step "preflight" failed[\s\S]*kernel 5\.4\.0-150-generic is older than 5\.10/);
	for (const remote of remotes.values()) t.deepEqual(remote.changes(), []);
});

test('one worker fails: the others finish, the error names host, step, command and output', async (t) => {
	const c = cluster(threeHosts);
	const hostStates = states(c, (id) => (id === '192.0.2.12' ? { failures: new Map([['kubeadm join', { code: 1, signal: null, stdout: '[preflight] Running pre-flight checks', stderr: 'error execution phase preflight: unable to fetch the kubeadm-config ConfigMap' }]]) } : {}));
	const first = harness(c, hostStates);
	const outcome = await runSteps(first.ctx, INSTALL_STEPS);
	t.deepEqual(outcome.failures.map((f) => [f.step, f.host]), [['join-workers', '192.0.2.12']]);
	t.is(outcome.failures[0]?.error.message, '192.0.2.12: step "join-workers" failed: sudo kubeadm join --config /etc/kubestrap/kubeadm-join.yaml exited 1\n  [preflight] Running pre-flight checks\n  error execution phase preflight: unable to fetch the kubeadm-config ConfigMap');
	t.true(hostStates.get('192.0.2.11')!.files.has('/etc/kubernetes/kubelet.conf'));
	t.true(first.ctx.shared.has(KUBECONFIG), 'later steps still ran for the healthy hosts');
	hostStates.get('192.0.2.12')!.failures.clear();
	const resumed = harness(c, hostStates);
	const second = await runSteps(resumed.ctx, INSTALL_STEPS);
	t.deepEqual(second.failures, []);
	t.true(resumed.remotes.get('192.0.2.12')!.changes().includes('kubeadm join --config /etc/kubestrap/kubeadm-join.yaml'));
	t.deepEqual(resumed.remotes.get('192.0.2.11')!.changes(), []);
});

test('a dry run reports every change per host and makes none', async (t) => {
	const c = cluster(threeHosts);
	const { ctx, remotes, events } = harness(c, states(c), true);
	const outcome = await runSteps(ctx, INSTALL_STEPS);
	t.deepEqual(outcome.failures, []);
	for (const remote of remotes.values()) {
		t.deepEqual(remote.changes(), []);
		t.deepEqual(remote.uploads, []);
	}
	const plan = events.filter((e): e is Extract<StepEvent, { kind: 'plan' }> => e.kind === 'plan');
	t.true(plan.some((p) => p.host === '192.0.2.10' && p.action === 'sudo kubeadm init --config /etc/kubestrap/kubeadm-init.yaml --skip-token-print --skip-certificate-key-print'));
	t.true(plan.some((p) => p.host === '192.0.2.11' && p.action === 'sudo kubeadm join --config /etc/kubestrap/kubeadm-join.yaml'));
	t.true(plan.some((p) => p.host === '192.0.2.12' && p.action.startsWith('write /etc/kubestrap/kubeadm-join.yaml (mode 0600')));
	t.true(plan.some((p) => p.host === '192.0.2.10' && p.action === `sudo ${applyCommand().join(' ')}`));
	t.false(remotes.get('192.0.2.10')!.calls.some((call) => call.argv[0] === 'kubectl'), 'no cluster to ask yet');
});

test('a re-run that would change the Cilium IPAM mode of the live cluster is refused by the CNI check before any host is touched', async (t) => {
	const c = cluster(threeHosts);
	const hostStates = states(c);
	await runSteps(harness(c, hostStates).ctx, INSTALL_STEPS);
	const changed = cluster({ ...threeHosts, 'spec.network.cilium.ipam': 'kubernetes' });
	const again = harness(changed, hostStates);
	const outcome = await runSteps(again.ctx, INSTALL_STEPS);
	t.is(outcome.failures.length, 1);
	t.is(outcome.failures[0]?.error.message, '192.0.2.10: step "cni-change" refused:\n  spec.network.cilium.ipam: the cluster runs ipam "cluster-pool", the spec asks for "kubernetes": Cilium cannot change the IPAM mode of a running cluster (pods would lose their addresses); keep the running mode or reinstall the cluster');
	t.true(outcome.failures[0]?.error instanceof CniRefused, 'install exits 2 for it');
	for (const remote of again.remotes.values()) t.deepEqual(remote.changes(), [], 'no host touched');
});

test('Cilium ENI on discovered instances: networkd kept off eth1+, node-ip the private address, maxPods per node by kubelet patch', async (t) => {
	const resolved = resolveSpec({ flags: { metadata: { name: 'eni' }, spec: { target: 'aws', aws: { region: 'eu-west-1', instanceIds: ['i-0abc123def4567890'] }, network: { cni: 'cilium', cilium: { ipam: 'eni' } } } } });
	if (!resolved.ok) throw new Error(JSON.stringify(resolved.problems));
	const c: Cluster = { ...resolved.cluster, spec: { ...resolved.cluster.spec, hosts: [
		{ address: '198.51.100.10', privateAddress: '10.0.1.10', role: 'control-plane', name: 'ip-10-0-1-10', maxPods: 17 },
		{ address: '198.51.100.11', privateAddress: '10.0.1.11', role: 'worker', name: 'ip-10-0-1-11', maxPods: 29 },
	] } };
	const { ctx, remotes } = harness(c, states(c));
	const outcome = await runSteps(ctx, INSTALL_STEPS);
	t.deepEqual(outcome.failures.map((f) => f.error.message), []);
	for (const [address, maxPods] of [['198.51.100.10', 17], ['198.51.100.11', 29]] as const) {
		const remote = remotes.get(address)!;
		const unmanaged = remote.uploads.find((u) => u.path === '/etc/systemd/network/99-kubestrap-eni-unmanaged.network');
		t.regex(unmanaged?.content ?? '', /\[Match\]\nName=eth\[1-9\]\*\n\n\[Link\]\nUnmanaged=yes\n/);
		const patch = remote.uploads.find((u) => u.path === '/etc/kubestrap/patches/kubeletconfiguration+merge.yaml');
		t.is(patch?.content, `maxPods: ${maxPods}\n`);
		t.is(patch?.mode, 0o600);
	}
	const init = remotes.get('198.51.100.10')!.uploads.find((u) => u.path === '/etc/kubestrap/kubeadm-init.yaml')?.content ?? '';
	t.regex(init, /kubeletExtraArgs:\n\s+- name: node-ip\n\s+value: 10\.0\.1\.10/);
	t.regex(init, /patches:\n\s+directory: \/etc\/kubestrap\/patches/);
	t.regex(init, /kind: KubeletConfiguration\ncgroupDriver: systemd\nmaxPods: 17\n/);
	const join = remotes.get('198.51.100.11')!.uploads.find((u) => u.path === '/etc/kubestrap/kubeadm-join.yaml')?.content ?? '';
	t.regex(join, /apiServerEndpoint: 10\.0\.1\.10:6443/);
	t.regex(join, /patches:\n\s+directory: \/etc\/kubestrap\/patches/);
	t.regex(join, /value: 10\.0\.1\.11/);
});

test('without ENI there is no networkd file and no kubelet patch', async (t) => {
	const c = cluster(threeHosts);
	const { ctx, remotes } = harness(c, states(c));
	await runSteps(ctx, INSTALL_STEPS);
	for (const remote of remotes.values()) {
		t.false(remote.uploads.some((u) => u.path.startsWith('/etc/systemd/network/') || u.path.startsWith('/etc/kubestrap/patches/')));
		t.false(remote.uploads.some((u) => /patches:|maxPods/.test(u.content)));
	}
});

