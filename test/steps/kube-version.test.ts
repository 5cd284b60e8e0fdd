// The exact Kubernetes version an install settles on: the newest patch the package repository offers,
// the spec's exact patch, the version a running cluster reports (for joining nodes), the one an earlier
// run chose, and what plan shows — against scripted fake hosts.
import test from 'ava';
import { stringify } from 'yaml';
import { runSteps } from '../../source/steps/runner.js';
import { INSTALL_STEPS as ALL_STEPS } from '../../source/steps/list/index.js';
import { WAIT_READY } from '../../source/steps/list/wait-ready.js';
import { NETWORK_CHECK } from '../../source/steps/list/network-check.js';
import { KUBE_VERSION, parseDnfList, parseMadison } from '../../source/steps/package-versions.js';
import { openJournal } from '../../source/steps/journal.js';
import { resolveSpec } from '../../source/spec/resolve.js';
import type { Cluster } from '../../source/spec/types.js';
import type { RunContext, StepEvent, StepHost } from '../../source/steps/types.js';
import { baremetalBase, withPaths } from '../spec/_base.js';
import { FakeRemote, freshHost, type FakeHostState } from './_fake-remote.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The readiness wait and the network check watch and probe a live cluster the fake hosts do not run
// (wait-ready.test.ts and the check's own tests cover them).
const INSTALL_STEPS = ALL_STEPS.filter((step) => step.id !== WAIT_READY && step.id !== NETWORK_CHECK);

function cluster(changes: Record<string, unknown> = {}): Cluster {
	const result = resolveSpec({ file: { content: stringify(withPaths(baremetalBase(), { 'spec.hosts': [{ address: '192.0.2.10', role: 'control-plane' }, { address: '192.0.2.11', role: 'worker' }], ...changes })), name: 'c.yaml' } });
	if (!result.ok) throw new Error(JSON.stringify(result.problems));
	return result.cluster;
}

function harness(c: Cluster, states: Map<string, FakeHostState>, options: { dryRun?: boolean; journal?: RunContext['journal'] } = {}): { ctx: RunContext; remotes: Map<string, FakeRemote>; events: StepEvent[] } {
	const remotes = new Map<string, FakeRemote>();
	const events: StepEvent[] = [];
	const hosts: StepHost[] = c.spec.hosts.map((host) => ({ host, id: host.address }));
	const ctx: RunContext = {
		cluster: c, hosts, dryRun: options.dryRun === true, concurrency: 4, signal: new AbortController().signal, shared: new Map(),
		...(options.journal ? { journal: options.journal } : {}),
		emit: (event) => events.push(event), secret: () => undefined, now: () => Date.now(),
		connect: async (host) => {
			const remote = new FakeRemote(states.get(host.id) ?? freshHost(host.id));
			remotes.set(host.id, remote);
			return remote;
		},
	};
	return { ctx, remotes, events };
}

function states(c: Cluster, published?: Record<string, number>): Map<string, FakeHostState> {
	return new Map(c.spec.hosts.map((h, i) => [h.address, freshHost(`node-${i}`, published ? { published } : {})]));
}

const installs = (remote: FakeRemote | undefined): string[] => (remote?.changes() ?? []).filter((line) => line.includes('apt-get install') && line.includes('kubeadm='));

test('madison and dnf listings: the versions of the minor, newest first', (t) => {
	const madison = [
		'   kubeadm | 1.36.10-1.1 | https://pkgs.k8s.io/core:/stable:/v1.36/deb  Packages',
		'   kubeadm | 1.36.9-1.1 | https://pkgs.k8s.io/core:/stable:/v1.36/deb  Packages',
		'   kubeadm | 1.36.0-1.1 | https://pkgs.k8s.io/core:/stable:/v1.36/deb  Packages',
		'   kubeadm | 1.35.2-1.1 | https://pkgs.k8s.io/core:/stable:/v1.35/deb  Packages',
	].join('\n');
	t.deepEqual(parseMadison(madison, '1.36'), ['1.36.10', '1.36.9', '1.36.0']);
	t.deepEqual(parseMadison('N: Unable to locate package kubeadm\n', '1.36'), []);
	const dnf = ['Available Packages', 'kubeadm.x86_64      1.36.2-150500.1.1      kubernetes', 'kubeadm.x86_64      1.36.11-150500.1.1     kubernetes'].join('\n');
	t.deepEqual(parseDnfList(dnf, '1.36'), ['1.36.11', '1.36.2']);
});

test('a minor in the spec installs the newest patch the repository offers, on every host', async (t) => {
	const c = cluster({ 'spec.kubernetes.version': '1.36' });
	const { ctx, remotes } = harness(c, states(c, { '1.36': 7 }));
	const outcome = await runSteps(ctx, INSTALL_STEPS);
	t.deepEqual(outcome.failures, []);
	t.is(ctx.shared.get(KUBE_VERSION), '1.36.7');
	t.true(remotes.get('192.0.2.10')!.calls.some((call) => call.argv.join(' ') === 'apt-cache madison kubeadm'));
	t.false(remotes.get('192.0.2.11')!.calls.some((call) => call.argv[0] === 'apt-cache'), 'asked once, on the first control plane');
	for (const address of ['192.0.2.10', '192.0.2.11']) t.deepEqual(installs(remotes.get(address)), ['env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-change-held-packages kubelet=1.36.7-1.1 kubeadm=1.36.7-1.1 kubectl=1.36.7-1.1']);
	const init = remotes.get('192.0.2.10')!.uploads.find((u) => u.path === '/etc/kubestrap/kubeadm-init.yaml');
	t.regex(init?.content ?? '', /kubernetesVersion: v1\.36\.7/);
});

test('an exact patch in the spec is installed as named', async (t) => {
	const c = cluster({ 'spec.kubernetes.version': '1.36.2' });
	const { ctx, remotes } = harness(c, states(c));
	await runSteps(ctx, INSTALL_STEPS);
	t.deepEqual(installs(remotes.get('192.0.2.11')), ['env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-change-held-packages kubelet=1.36.2-1.1 kubeadm=1.36.2-1.1 kubectl=1.36.2-1.1']);
});

test('a node joining a running cluster gets the version the cluster runs, not a newer patch', async (t) => {
	const c = cluster({ 'spec.kubernetes.version': '1.36' });
	const hostStates = states(c, { '1.36': 4 });
	await runSteps(harness(c, hostStates).ctx, INSTALL_STEPS);
	// A month later: 1.36.6 is out, and a new worker joins.
	const bigger = cluster({ 'spec.kubernetes.version': '1.36', 'spec.hosts': [{ address: '192.0.2.10', role: 'control-plane' }, { address: '192.0.2.11', role: 'worker' }, { address: '192.0.2.12', role: 'worker' }] });
	for (const state of hostStates.values()) state.published = { '1.36': 6 };
	hostStates.set('192.0.2.12', freshHost('node-2', { published: { '1.36': 6 } }));
	const again = harness(bigger, hostStates);
	const outcome = await runSteps(again.ctx, INSTALL_STEPS);
	t.deepEqual(outcome.failures, []);
	t.is(again.ctx.shared.get(KUBE_VERSION), '1.36.4');
	t.deepEqual(installs(again.remotes.get('192.0.2.12')), ['env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-change-held-packages kubelet=1.36.4-1.1 kubeadm=1.36.4-1.1 kubectl=1.36.4-1.1']);
	t.deepEqual(installs(again.remotes.get('192.0.2.11')), [], 'installed nodes are left alone');
});

test('a spec at another minor than the running cluster is refused: that is an upgrade', async (t) => {
	const c = cluster({ 'spec.kubernetes.version': '1.35' });
	const hostStates = states(c);
	await runSteps(harness(c, hostStates).ctx, INSTALL_STEPS);
	const again = harness(cluster({ 'spec.kubernetes.version': '1.36' }), hostStates);
	const outcome = await runSteps(again.ctx, INSTALL_STEPS);
	t.regex(outcome.failures[0]?.error.message ?? '', /the cluster runs Kubernetes v1\.35\.8 and the spec asks for 1\.36: change the minor with `kubestrap upgrade`/);
	t.false(again.remotes.get('192.0.2.11')!.changes().some((line) => line.includes('kubeadm=')), 'the gate stops before packages');
});

test('the journal keeps the chosen patch, so a resumed install does not drift to a newer one', async (t) => {
	const c = cluster({ 'spec.kubernetes.version': '1.36' });
	const dir = await mkdtemp(join(tmpdir(), 'kubestrap-journal-'));
	const hostStates = states(c, { '1.36': 3 });
	hostStates.get('192.0.2.10')!.failures.set('kubeadm init', { code: 1, signal: null, stdout: '', stderr: 'error execution phase preflight' });
	await runSteps(harness(c, hostStates, { journal: await openJournal(dir, 'demo') }).ctx, INSTALL_STEPS);
	hostStates.get('192.0.2.10')!.failures.clear();
	for (const state of hostStates.values()) state.published = { '1.36': 5 };
	const journal = await openJournal(dir, 'demo');
	t.is(journal.value('kubernetesVersion'), '1.36.3');
	const again = harness(c, hostStates, { journal });
	t.deepEqual((await runSteps(again.ctx, INSTALL_STEPS)).failures, []);
	t.is(again.ctx.shared.get(KUBE_VERSION), '1.36.3');
});

test('plan names the exact version when the repository is set up, and says it will ask when it is not', async (t) => {
	const c = cluster({ 'spec.kubernetes.version': '1.36' });
	const fresh = harness(c, states(c), { dryRun: true });
	await runSteps(fresh.ctx, INSTALL_STEPS);
	const action = (events: StepEvent[]): string | undefined => events.find((e): e is Extract<StepEvent, { kind: 'plan' }> => e.kind === 'plan' && e.step === 'kubernetes-version')?.action;
	t.is(action(fresh.events), 'Kubernetes the newest 1.36 patch in pkgs.k8s.io, asked once the repository points at 1.36');
	const configured = states(c, { '1.36': 9 });
	configured.get('192.0.2.10')!.files.set('/etc/apt/sources.list.d/kubernetes.list', { content: 'deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/v1.36/deb/ /\n', mode: 0o644 });
	const known = harness(c, configured, { dryRun: true });
	await runSteps(known.ctx, INSTALL_STEPS);
	t.is(action(known.events), 'Kubernetes v1.36.9 (the newest 1.36 patch in https://pkgs.k8s.io/core:/stable:/v1.36/deb/)');
});
