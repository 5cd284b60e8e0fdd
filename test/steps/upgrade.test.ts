// The upgrade against a scripted cluster of fake hosts: the plan (hops one minor at a time, refusals), the
// order kubeadm documents (apply on the first control plane before any `upgrade node`, each node drained
// before its kubelet changes and uncordoned after), a blocked drain and the resume, and a no-op re-run.
import test from 'ava';
import { stringify } from 'yaml';
import { planUpgrade, type NodeVersion } from '../../source/cluster/upgrade/plan.js';
import { runSteps } from '../../source/steps/runner.js';
import { connectStep } from '../../source/steps/list/connect.js';
import { gatherFactsStep } from '../../source/steps/list/gather-facts.js';
import { firstControlPlane } from '../../source/steps/list/init-control-plane.js';
import { readClusterState } from '../../source/steps/upgrade/cluster-state.js';
import { hopSteps } from '../../source/steps/upgrade/hop.js';
import { waitNodeAt } from '../../source/steps/upgrade/wait-node.js';
import { blockingPods } from '../../source/steps/upgrade/drain.js';
import { upgradeConfig } from '../../source/steps/upgrade/upgrade-config.js';
import { resolveSpec } from '../../source/spec/resolve.js';
import type { Cluster } from '../../source/spec/types.js';
import type { RunContext, StepEvent, StepHost } from '../../source/steps/types.js';
import { baremetalBase, withPaths } from '../spec/_base.js';
import { fakeCluster, type FakeCluster, type FakeClusterRemote } from './_fake-cluster.js';

const NAMES = ['cp-1', 'cp-2', 'cp-3', 'w-1', 'w-2'];

function cluster(version: string, cps: number, workers: number): Cluster {
	const hosts = [
		...Array.from({ length: cps }, (_, i) => ({ address: `192.0.2.${i + 1}`, role: 'control-plane', name: `cp-${i + 1}` })),
		...Array.from({ length: workers }, (_, i) => ({ address: `192.0.2.${i + 11}`, role: 'worker', name: `w-${i + 1}` })),
	];
	const result = resolveSpec({ file: { content: stringify(withPaths(baremetalBase(), { 'spec.hosts': hosts, 'spec.kubernetes.version': version, ...(cps > 1 ? { 'spec.kubernetes.controlPlaneEndpoint': '192.0.2.100:6443' } : {}) })), name: 'c.yaml' } });
	if (!result.ok) throw new Error(JSON.stringify(result.problems));
	return result.cluster;
}

function harness(c: Cluster, remote: (name: string) => FakeClusterRemote, concurrency = 1): { ctx: RunContext; events: StepEvent[] } {
	const events: StepEvent[] = [];
	const hosts: StepHost[] = c.spec.hosts.map((host) => ({ host, id: host.address }));
	const ctx: RunContext = {
		cluster: c, hosts, dryRun: false, concurrency, signal: new AbortController().signal, shared: new Map(),
		emit: (event) => events.push(event), secret: () => undefined, now: () => Date.now(),
		connect: async (host) => remote(host.host.name!),
	};
	return { ctx, events };
}

async function upgradeTo(c: Cluster, remote: (name: string) => FakeClusterRemote, concurrency = 1): Promise<{ ctx: RunContext; failures: string[]; problems: string[] }> {
	const { ctx } = harness(c, remote, concurrency);
	await runSteps(ctx, [connectStep, gatherFactsStep]);
	const state = await readClusterState(ctx, 'read', firstControlPlane(ctx));
	const spec = c.spec.kubernetes.version.split('.');
	const plan = planUpgrade({ nodes: state.nodes, apiServer: state.apiServer, target: { minor: spec.slice(0, 2).join('.'), ...(spec.length === 3 ? { patch: c.spec.kubernetes.version } : {}) }, cni: 'cilium', ...(state.cniRunning ? { cniRunning: state.cniRunning } : {}) });
	if (plan.problems.length > 0) return { ctx, failures: [], problems: plan.problems };
	const outcome = await runSteps(ctx, plan.hops.flatMap((hop) => hopSteps(hop)));
	return { ctx, failures: outcome.failures.map((f) => f.error.message), problems: [] };
}

function nodes(list: Array<Partial<NodeVersion> & { name: string }>): NodeVersion[] {
	return list.map((n) => ({ controlPlane: false, kubelet: '1.35.8', ready: true, unschedulable: false, ...n }));
}

function indexOf(log: string[], entry: string): number {
	const at = log.indexOf(entry);
	if (at < 0) throw new Error(`${entry} not in ${JSON.stringify(log)}`);
	return at;
}

test('plan: one hop per minor, each checked; downgrades, NotReady nodes and untested minors are refused', (t) => {
	const base = { nodes: nodes([{ name: 'a', controlPlane: true }, { name: 'b' }]), apiServer: '1.35.8', cni: 'cilium' as const, cniRunning: '1.20.1' };
	t.deepEqual(planUpgrade({ ...base, target: { minor: '1.36' } }), { hops: [{ from: '1.35', to: '1.36', cniBefore: false }], problems: [] });
	t.deepEqual(planUpgrade({ ...base, apiServer: '1.34.11', target: { minor: '1.36' } }).hops.map((h) => `${h.from}→${h.to}`), ['1.34→1.35', '1.35→1.36']);
	t.deepEqual(planUpgrade({ ...base, target: { minor: '1.35' } }).hops, [{ from: '1.35', to: '1.35', cniBefore: false }], 'same minor: the newest patch');
	t.regex(planUpgrade({ ...base, apiServer: '1.36.2', target: { minor: '1.35' } }).problems[0] ?? '', /older than the v1\.36\.2 the cluster runs; kubeadm does not downgrade/);
	t.regex(planUpgrade({ ...base, target: { minor: '1.37' } }).problems.join('\n'), /hop 1\.36 → 1\.37: Kubernetes 1\.37 is not supported: Cilium 1\.20\.1 is not tested on it/);
	t.regex(planUpgrade({ ...base, nodes: nodes([{ name: 'a', controlPlane: true }, { name: 'b', ready: false }]), target: { minor: '1.36' } }).problems[0] ?? '', /node b is NotReady/);
	const old = planUpgrade({ ...base, cniRunning: '1.19.5', target: { minor: '1.36' } });
	t.deepEqual(old.hops[0]?.cniBefore, true, 'Cilium 1.19 is not tested on 1.36: it moves first');
	t.deepEqual(old.cni, { from: '1.19.5', to: '1.20.1', when: 'before-first-hop' });
	t.deepEqual(planUpgrade({ ...base, apiServer: '1.34.11', cniRunning: '1.19.5', target: { minor: '1.35' } }).cni?.when, 'after-control-plane');
	t.regex(planUpgrade({ ...base, cniRunning: '1.18.3', target: { minor: '1.36' } }).problems.join('\n'), /one minor at a time/);
});

test('the v1beta4 UpgradeConfiguration and the pods a drain names as blocking', (t) => {
	t.is(upgradeConfig('1.36.4', { address: 'a', role: 'worker' }), 'apiVersion: kubeadm.k8s.io/v1beta4\nkind: UpgradeConfiguration\napply:\n  kubernetesVersion: v1.36.4\n  certificateRenewal: true\n  etcdUpgrade: true\nnode:\n  certificateRenewal: true\n  etcdUpgrade: true\n');
	t.deepEqual(blockingPods('evicting pod default/web-1\nerror when evicting pods/"web-1" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod\'s disruption budget.\n'), ['default/web-1']);
	// The timeout lines name the same pod; kubectl's refusals to delete name namespace/name already.
	t.deepEqual(blockingPods('error when evicting pods/"web-1" -n "default": global timeout reached: 5m0s\nerror: unable to drain node "w" due to error: cannot delete Pods that declare no controller (use --force to override): default/bare, continuing command...'), ['default/web-1', 'default/bare']);
});

test('1.35 → 1.36 on 1+2: kubeadm apply first, then each worker drained, upgraded, Ready, uncordoned, one at a time', async (t) => {
	const c = cluster('1.36', 1, 2);
	const { cluster: fake, remote } = fakeCluster('1.35.8', [{ name: 'cp-1', controlPlane: true }, { name: 'w-1', controlPlane: false }, { name: 'w-2', controlPlane: false }]);
	const { failures, problems } = await upgradeTo(c, remote);
	t.deepEqual([...failures, ...problems], []);
	const log = fake.log;
	t.is(fake.apiServer, '1.36.4', 'the newest 1.36 patch the repository offers');
	t.deepEqual([...fake.nodes.values()].map((n) => `${n.kubelet} ${n.unschedulable}`), ['1.36.4 false', '1.36.4 false', '1.36.4 false']);
	const apply = indexOf(log, 'cp-1: kubeadm upgrade apply v1.36.4');
	for (const worker of ['w-1', 'w-2']) {
		const drain = indexOf(log, `${worker}: drain`);
		const kubelet = indexOf(log, `${worker}: install kubelet=1.36.4-1.1`);
		const uncordon = indexOf(log, `${worker}: uncordon`);
		t.true(apply < indexOf(log, `${worker}: kubeadm upgrade node`), 'apply before any upgrade node');
		t.true(drain < kubelet && kubelet < indexOf(log, `${worker}: restart kubelet`) && indexOf(log, `${worker}: restart kubelet`) < uncordon, `${worker}: drain, kubelet, restart, uncordon`);
	}
	t.true(indexOf(log, 'w-1: uncordon') < indexOf(log, 'w-2: drain'), 'max-unavailable 1: the next worker waits');
	t.true(indexOf(log, 'cp-1: drain') > apply && indexOf(log, 'cp-1: uncordon') < indexOf(log, 'w-1: drain'), 'the control plane\'s kubelet before the workers');
	const cpCalls = remote('cp-1').calls.map((call) => call.argv.join(' '));
	t.true(cpCalls.indexOf('apt-mark unhold kubeadm') < cpCalls.indexOf('kubeadm upgrade plan v1.36.4'));
	t.true(cpCalls.includes('apt-mark hold kubeadm'));
	t.true(cpCalls.includes('kubeadm upgrade apply --config /etc/kubestrap/kubeadm-upgrade.yaml --yes'));
	// A re-run changes nothing.
	const before = log.length;
	const again = await upgradeTo(c, remote);
	t.deepEqual([...again.failures, ...again.problems], []);
	t.deepEqual(log.slice(before), []);
});

test('RPM hosts (dnf): the repo file names the new minor before the version is looked up; kubeadm, then each node\'s kubelet, with --disableexcludes=kubernetes; no apt', async (t) => {
	const c = cluster('1.36', 1, 1);
	const { cluster: fake, remote } = fakeCluster('1.35.8', [{ name: 'cp-1', controlPlane: true }, { name: 'w-1', controlPlane: false }], undefined, { rpm: true });
	const { failures, problems } = await upgradeTo(c, remote);
	t.deepEqual([...failures, ...problems], []);
	const log = fake.log;
	t.is(fake.apiServer, '1.36.4');
	t.deepEqual([...fake.nodes.values()].map((n) => `${n.kubelet} ${n.unschedulable}`), ['1.36.4 false', '1.36.4 false']);
	const lookup = indexOf(log, 'cp-1: dnf list (1.36)');
	t.true(indexOf(log, 'cp-1: write /etc/yum.repos.d/kubernetes.repo (1.36)') < lookup, 'the repo file names v1.36 before the lookup');
	t.true(lookup < indexOf(log, 'cp-1: dnf install kubeadm-1.36.4') && indexOf(log, 'cp-1: dnf install kubeadm-1.36.4') < indexOf(log, 'cp-1: kubeadm upgrade apply v1.36.4'));
	for (const node of ['cp-1', 'w-1']) {
		t.true(indexOf(log, `${node}: drain`) < indexOf(log, `${node}: dnf install kubelet-1.36.4`), `${node} drained before its kubelet`);
		t.true(indexOf(log, `${node}: restart kubelet`) < indexOf(log, `${node}: uncordon`));
	}
	for (const name of ['cp-1', 'w-1']) {
		const sent = remote(name).calls.map((call) => call.argv.join(' '));
		t.deepEqual(sent.filter((line) => /^(apt|env DEBIAN)/.test(line)), [], `${name}: no apt`);
		t.true(sent.includes('dnf install -y kubelet-1.36.4 kubectl-1.36.4 --disableexcludes=kubernetes'), sent.join('\n'));
		t.regex(remote(name).state.files.get('/etc/yum.repos.d/kubernetes.repo')?.content ?? '', /^exclude=kubelet kubeadm kubectl cri-tools kubernetes-cni$/m, 'the hold stays in the new repo file');
	}
	t.true(remote('cp-1').calls.some((call) => call.argv.join(' ') === 'dnf --showduplicates list kubeadm --disableexcludes=kubernetes'));
	const before = log.length;
	const again = await upgradeTo(c, remote);
	t.deepEqual([...again.failures, ...again.problems], []);
	t.deepEqual(log.slice(before).filter((entry) => !entry.includes('dnf list')), [], 'a re-run changes nothing');
});

test('HA 3+1: apply on the first control plane, upgrade node on the others, one at a time, before any worker', async (t) => {
	const c = cluster('1.36', 3, 1);
	const { cluster: fake, remote } = fakeCluster('1.35.8', [...['cp-1', 'cp-2', 'cp-3'].map((name) => ({ name, controlPlane: true })), { name: 'w-1', controlPlane: false }]);
	const { failures } = await upgradeTo(c, remote);
	t.deepEqual(failures, []);
	const apply = indexOf(fake.log, 'cp-1: kubeadm upgrade apply v1.36.4');
	t.true(apply < indexOf(fake.log, 'cp-2: kubeadm upgrade node') && indexOf(fake.log, 'cp-2: kubeadm upgrade node') < indexOf(fake.log, 'cp-3: kubeadm upgrade node'));
	t.true(indexOf(fake.log, 'cp-3: uncordon') < indexOf(fake.log, 'w-1: drain'));
	t.false(fake.log.includes('cp-1: kubeadm upgrade node'));
});

test('a two-minor target runs two complete hops; kubeadm itself refuses a skipped minor', async (t) => {
	const c = cluster('1.36', 1, 1);
	const { cluster: fake, remote } = fakeCluster('1.34.11', [{ name: 'cp-1', controlPlane: true }, { name: 'w-1', controlPlane: false }]);
	const { failures } = await upgradeTo(c, remote);
	t.deepEqual(failures, []);
	t.true(indexOf(fake.log, 'w-1: uncordon') < indexOf(fake.log, 'cp-1: kubeadm upgrade apply v1.36.4'), 'hop 1 finishes on every node before hop 2');
	t.true(indexOf(fake.log, 'cp-1: kubeadm upgrade apply v1.35.8') < indexOf(fake.log, 'w-1: uncordon'));
	t.is(fake.nodes.get('w-1')?.kubelet, '1.36.4');
	const skip = fakeCluster('1.34.11', [{ name: 'cp-1', controlPlane: true }]);
	const result = skip.remote('cp-1').exec(['kubeadm', 'upgrade', 'apply', '--config', 'x']);
	skip.remote('cp-1').packages.set('kubeadm', '1.36.4');
	t.regex((await skip.remote('cp-1').exec(['kubeadm', 'upgrade', 'apply', '--config', 'x'])).stderr, /can upgrade only 1 minor version at a time/);
	await result;
});

test('a drain a PodDisruptionBudget blocks stops with the node, the pods and what to do; the node is uncordoned; the next run resumes', async (t) => {
	const c = cluster('1.36', 1, 2);
	const { cluster: fake, remote } = fakeCluster('1.35.8', [{ name: 'cp-1', controlPlane: true }, { name: 'w-1', controlPlane: false }, { name: 'w-2', controlPlane: false }]);
	fake.blockedDrains.set('w-1', 'error when evicting pods/"web-0" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod\'s disruption budget.\nThere are pending pods in node "w-1" when an error occurred: error when evicting pods/"web-0" -n "default": global timeout reached: 5m0s\npod/web-0\nerror: unable to drain node "w-1" due to error: error when evicting pods/"web-0" -n "default": global timeout reached: 5m0s, continuing command...\nThere are pending nodes to be drained:\n w-1\nerror when evicting pods/"web-0" -n "default": global timeout reached: 5m0s\n');
	// kubectl names the pod only: the budget comes from the API, matched by the pod's labels.
	fake.pdbs.push(
		{ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { namespace: 'default', name: 'web' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } }, status: { currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0, expectedPods: 2 } },
		{ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { namespace: 'default', name: 'db' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'db' } } }, status: { currentHealthy: 1, desiredHealthy: 0, disruptionsAllowed: 1, expectedPods: 1 } },
	);
	fake.pods.set('w-1', [{ metadata: { namespace: 'default', name: 'web-0', labels: { app: 'web', 'pod-template-hash': 'abc' } } }, { metadata: { namespace: 'default', name: 'db-0', labels: { app: 'db' } } }]);
	const first = await upgradeTo(c, remote);
	t.is(first.failures.length, 1);
	t.regex(first.failures[0] ?? '', /192\.0\.2\.11: step "kubelet-workers-1\.36" failed: kubectl .* drain w-1/);
	t.regex(first.failures[0] ?? '', /blocking pods: default\/web-0/);
	t.regex(first.failures[0] ?? '', /\n {2}PodDisruptionBudget default\/web \(minAvailable 2; 2 of 2 pods healthy, 2 needed, 0 disruptions allowed now\) covers default\/web-0\n/);
	t.notRegex(first.failures[0] ?? '', /default\/db/, 'a budget that does not cover the blocking pod is not named');
	t.regex(first.failures[0] ?? '', /what to do for default\/web: scale its workload so that 3 pods are Ready \(2 now\), or lower default\/web's minAvailable to 1 \(kubectl -n default patch pdb web --type=merge -p '\{"spec":\{"minAvailable":1\}\}'\)/);
	t.regex(first.failures[0] ?? '', /then run kubestrap upgrade again: it resumes at w-1/);
	t.regex(first.failures[0] ?? '', /node w-1 was uncordoned again and still runs v1\.35\.8/);
	t.false(fake.nodes.get('w-1')!.unschedulable);
	t.is(fake.apiServer, '1.36.4');
	t.false(fake.log.includes('w-2: drain'), 'the upgrade stops at the blocked node');
	fake.blockedDrains.clear();
	const before = fake.log.length;
	const resumed = await upgradeTo(c, remote);
	t.deepEqual(resumed.failures, []);
	t.false(fake.log.slice(before).some((entry) => entry.includes('kubeadm upgrade apply')), 'the control plane is not upgraded again');
	t.deepEqual([...fake.nodes.values()].map((n) => n.kubelet), ['1.36.4', '1.36.4', '1.36.4']);
});

test('a node an interrupted run left cordoned at the new version is uncordoned by the next run', async (t) => {
	const c = cluster('1.36', 1, 1);
	const { cluster: fake, remote } = fakeCluster('1.36.4', [{ name: 'cp-1', controlPlane: true }, { name: 'w-1', controlPlane: false }]);
	fake.nodes.get('w-1')!.unschedulable = true;
	const { failures } = await upgradeTo(c, remote);
	t.deepEqual(failures, []);
	t.false(fake.nodes.get('w-1')!.unschedulable);
	t.deepEqual(fake.log, ['w-1: uncordon']);
});

export type { FakeCluster };

test('a kubelet that never comes back Ready: the wait names the node, why, and that it is still cordoned', async (t) => {
	const c = cluster('1.36', 1, 1);
	const { cluster: fake, remote } = fakeCluster('1.36.4', [{ name: 'cp-1', controlPlane: true }, { name: 'w-1', controlPlane: false }]);
	fake.nodes.get('w-1')!.ready = false;
	fake.nodes.get('w-1')!.unschedulable = true;
	const { ctx } = harness(c, remote);
	await runSteps(ctx, [connectStep]);
	// The clock jumps past the deadline after the first read, so the wait ends without real waiting.
	let clock = 0;
	ctx.now = () => (clock += 11 * 60_000);
	const error = await t.throwsAsync(waitNodeAt(ctx, 'kubelet-workers-1.36', firstControlPlane(ctx), 'w-1', '1.36.4'));
	t.is(error?.message, 'w-1 did not come back at v1.36.4 within 10 min (it is NotReady); it is still cordoned: fix it, then re-run kubestrap upgrade (or kubectl uncordon w-1)');
});
