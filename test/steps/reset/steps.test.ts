// The reset steps against scripted hosts: one test per step (connect, find-nodes, drain, etcd-member,
// clean, verify, delete-node) and the whole list for a node removal and a dry run.
import test from 'ava';
import { stringify } from 'yaml';
import { resolveSpec } from '../../../source/spec/resolve.js';
import type { Cluster } from '../../../source/spec/types.js';
import { cleanStep } from '../../../source/steps/reset/clean.js';
import { resetConnectStep } from '../../../source/steps/reset/connect.js';
import { deleteNodeStep } from '../../../source/steps/reset/delete-node.js';
import { drainStep } from '../../../source/steps/reset/drain.js';
import { etcdMemberStep } from '../../../source/steps/reset/etcd-member.js';
import { RESET_STEPS } from '../../../source/steps/reset/list.js';
import { findNodesStep } from '../../../source/steps/reset/nodes.js';
import { newScope, RESET, type ResetScope } from '../../../source/steps/reset/scope.js';
import { APT_KEYRING, APT_SOURCE, DNF_KEY, DNF_REPO } from '../../../source/steps/list/kube-packages.js';
import { DOCKER_KEY, DOCKER_REPO } from '../../../source/steps/list/container-runtime.js';
import { verifyCleanStep } from '../../../source/steps/reset/verify.js';
import { runSteps } from '../../../source/steps/runner.js';
import type { RunContext, Step, StepEvent } from '../../../source/steps/types.js';
import { baremetalBase, withPaths } from '../../spec/_base.js';
import { FakeNodeRemote, HOST_RULES, joinedNode, type FakeNode } from './_fake-node.js';

const CP1 = '192.0.2.10';
const CP2 = '192.0.2.11';
const CP3 = '192.0.2.12';
const WORKER = '192.0.2.13';

function cluster(): Cluster {
	const result = resolveSpec({ file: { content: stringify(withPaths(baremetalBase(), {
		'spec.hosts': [
			{ address: CP1, role: 'control-plane', privateAddress: '10.0.0.10', name: 'cp1' },
			{ address: CP2, role: 'control-plane', privateAddress: '10.0.0.11', name: 'cp2' },
			{ address: CP3, role: 'control-plane', privateAddress: '10.0.0.12', name: 'cp3' },
			{ address: WORKER, role: 'worker', privateAddress: '10.0.0.13' },
		],
		'spec.kubernetes.controlPlaneEndpoint': '10.0.0.100:6443',
	})), name: 'c.yaml' } });
	if (!result.ok) throw new Error(JSON.stringify(result.problems));
	return result.cluster;
}

interface Harness {
	ctx: RunContext;
	scope: ResetScope;
	nodes: Map<string, FakeNode>;
	remotes: Map<string, FakeNodeRemote>;
	events: StepEvent[];
}

function harness(targets: string[], options: { unreachable?: string[]; dryRun?: boolean; removePackages?: boolean } = {}): Harness {
	const c = cluster();
	const members = [
		{ id: '8e9e05c52164694d', name: 'cp1', peer: 'https://10.0.0.10:2380' },
		{ id: '91bc3c398fb3c146', name: 'cp2', peer: 'https://10.0.0.11:2380' },
		{ id: 'fd422379fda50e48', name: 'cp2-old', peer: 'https://10.0.0.12:2380' },
	];
	const nodes = new Map<string, FakeNode>(c.spec.hosts.map((h) => [h.address, joinedNode()]));
	Object.assign(nodes.get(CP1)!, {
		nodes: [{ name: 'cp1', ip: '10.0.0.10' }, { name: 'cp2', ip: '10.0.0.11' }, { name: 'cp3', ip: '10.0.0.12' }, { name: 'worker-a', ip: '10.0.0.13' }],
		members,
	});
	const remotes = new Map<string, FakeNodeRemote>();
	const events: StepEvent[] = [];
	const scope = newScope(targets, targets.length === c.spec.hosts.length, options.removePackages === true, 120);
	const ctx: RunContext = {
		cluster: c,
		hosts: c.spec.hosts.map((host) => ({ host, id: host.address })),
		dryRun: options.dryRun === true,
		concurrency: 4,
		signal: new AbortController().signal,
		shared: new Map([[RESET, scope]]),
		emit: (event) => events.push(event),
		secret: () => undefined,
		now: () => Date.now(),
		connect: async (host) => {
			if (options.unreachable?.includes(host.id)) throw new Error(`cannot connect (connect ECONNREFUSED ${host.id}:22)`);
			const remote = new FakeNodeRemote(nodes.get(host.id)!);
			remotes.set(host.id, remote);
			return remote;
		},
	};
	return { ctx, scope, nodes, remotes, events };
}

async function upTo(h: Harness, last: Step): Promise<void> {
	const steps = RESET_STEPS.slice(0, RESET_STEPS.indexOf(last));
	const outcome = await runSteps(h.ctx, steps);
	if (outcome.failures.length > 0) throw outcome.failures[0]!.error;
}

test('connect: a host that does not answer is noted as unreachable and the run goes on', async (t) => {
	const h = harness([WORKER], { unreachable: [WORKER] });
	const outcome = await runSteps(h.ctx, [resetConnectStep]);
	t.deepEqual(outcome.failures, []);
	t.regex(h.scope.unreachable.get(WORKER) ?? '', /ECONNREFUSED/);
	t.true(h.remotes.has(CP1) && h.remotes.has(CP2) && h.remotes.has(CP3), 'every control plane is connected');
});

test('find-nodes: the spec name, else the InternalIP; the API host\'s own Node name too', async (t) => {
	const h = harness([WORKER, CP3]);
	await upTo(h, findNodesStep);
	await runSteps(h.ctx, [findNodesStep]);
	t.is(h.scope.nodeNames.get(WORKER), 'worker-a', 'no name in the spec: found by 10.0.0.13');
	t.is(h.scope.nodeNames.get(CP3), 'cp3');
	t.is(h.scope.apiNode, 'cp1');
});

test('drain: kubectl drain with --ignore-daemonsets, --delete-emptydir-data and the timeout, on the control plane that stays', async (t) => {
	const h = harness([WORKER]);
	await upTo(h, drainStep);
	await runSteps(h.ctx, [drainStep]);
	t.deepEqual(h.remotes.get(CP1)!.changes(), ['kubectl --kubeconfig /etc/kubernetes/admin.conf drain worker-a --ignore-daemonsets --delete-emptydir-data --timeout=120s']);
	t.deepEqual(h.remotes.get(WORKER)!.changes(), []);
});

test('etcd-member: an unreachable control plane\'s member is removed by the ID of its exact peer URL, never by name', async (t) => {
	const h = harness([CP2], { unreachable: [CP2] });
	await upTo(h, etcdMemberStep);
	const outcome = await runSteps(h.ctx, [etcdMemberStep]);
	t.deepEqual(outcome.failures, []);
	const removes = h.remotes.get(CP1)!.changes().filter((c) => c.includes('member remove'));
	t.is(removes.length, 1);
	t.regex(removes[0]!, / member remove 91bc3c398fb3c146$/);
	t.deepEqual(h.nodes.get(CP1)!.members!.map((m) => m.name), ['cp1', 'cp2-old'], 'cp2-old (a name that starts like it) stays');
});

test('etcd-member: a reachable control plane is left to kubeadm reset', async (t) => {
	const h = harness([CP3]);
	await upTo(h, etcdMemberStep);
	await runSteps(h.ctx, [etcdMemberStep]);
	t.deepEqual(h.remotes.get(CP1)!.changes().filter((c) => c.includes('member')), []);
	t.true(h.events.some((e) => e.kind === 'host' && e.step === 'etcd-member' && e.state === 'skipped' && e.detail === 'kubeadm reset on the host removes its member'));
});

test('clean: kubeadm reset, the CNI links, only the owned rules (the host\'s own chain stays), nft tables, pins and files', async (t) => {
	const h = harness([WORKER]);
	await upTo(h, cleanStep);
	const outcome = await runSteps(h.ctx, [cleanStep]);
	t.deepEqual(outcome.failures, []);
	const changes = h.remotes.get(WORKER)!.changes();
	t.is(changes[0], 'kubeadm reset -f --cleanup-tmp-dir');
	t.true(changes.includes('ip link delete lxc0123456789ab'));
	t.true(changes.includes('ip link delete cilium_host'));
	t.false(changes.includes('ip link delete eth0'));
	t.true(changes.includes('nft delete table ip kube-proxy'));
	t.false(changes.some((c) => c.includes('hostfw')));
	const node = h.nodes.get(WORKER)!;
	t.deepEqual(node.iptables.trim().split('\n'), [...HOST_RULES, 'COMMIT', '*nat', ':PREROUTING ACCEPT [0:0]', 'COMMIT']);
	t.deepEqual(node.links, ['lo', 'eth0']);
	t.deepEqual(node.pins, []);
	t.deepEqual([...node.paths], []);
});

test('clean --remove-packages: dnf remove on an RPM host (no hold to lift: exclude= goes with the repo file), apt-mark unhold and apt-get remove on a Debian host; verify passes', async (t) => {
	const h = harness([WORKER, CP3], { removePackages: true });
	const rpm = h.nodes.get(WORKER)!;
	Object.assign(rpm, { packageManager: 'dnf', packages: new Set(['kubeadm', 'kubelet', 'kubectl', 'containerd.io']) });
	for (const path of [DNF_REPO, DNF_KEY, DOCKER_REPO, DOCKER_KEY]) rpm.paths.add(path);
	const deb = h.nodes.get(CP3)!;
	Object.assign(deb, { packageManager: 'apt', packages: new Set(['kubeadm', 'kubelet', 'kubectl', 'containerd']) });
	for (const path of [APT_SOURCE, APT_KEYRING]) deb.paths.add(path);
	await upTo(h, cleanStep);
	const outcome = await runSteps(h.ctx, [cleanStep, verifyCleanStep]);
	t.deepEqual(outcome.failures, []);
	const rpmChanges = h.remotes.get(WORKER)!.changes();
	t.is(rpmChanges.at(-1), 'dnf remove -y kubeadm kubelet kubectl cri-tools kubernetes-cni containerd.io containerd');
	t.false(rpmChanges.some((c) => /apt/.test(c)), rpmChanges.join('\n'));
	t.true(rpmChanges.some((c) => c.startsWith('rm -rf --') && [DNF_REPO, DNF_KEY, DOCKER_REPO, DOCKER_KEY].every((p) => c.includes(p))), 'the Kubernetes and Docker repo files and keys go');
	t.deepEqual([...rpm.packages!], []);
	t.deepEqual([...rpm.paths], []);
	t.deepEqual(h.remotes.get(CP3)!.changes().slice(-2), ['apt-mark unhold kubeadm kubelet kubectl', 'env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q kubeadm kubelet kubectl cri-tools kubernetes-cni containerd']);
	t.deepEqual([...deb.packages!], []);
});

test('verify: a leftover fails the host, naming what is left; a clean host passes', async (t) => {
	const h = harness([WORKER]);
	await upTo(h, verifyCleanStep);
	h.nodes.get(WORKER)!.links.push('cali0123456789a');
	const outcome = await runSteps(h.ctx, [verifyCleanStep]);
	t.is(outcome.failures.length, 1);
	t.regex(outcome.failures[0]!.error.message, /still on the host:\n\s+links: cali0123456789a/);
	h.nodes.get(WORKER)!.links.pop();
	const again = await runSteps(h.ctx, [verifyCleanStep]);
	t.deepEqual(again.failures, []);
});

test('delete-node: the Node is deleted and proven gone; a control plane also proves no etcd member has its peer URL', async (t) => {
	const h = harness([CP2], { unreachable: [CP2] });
	const outcome = await runSteps(h.ctx, RESET_STEPS);
	t.deepEqual(outcome.failures, []);
	t.false(h.nodes.get(CP1)!.nodes!.some((n) => n.name === 'cp2'));
	t.true(h.remotes.get(CP1)!.changes().includes('kubectl --kubeconfig /etc/kubernetes/admin.conf delete node cp2 --ignore-not-found'));
	// The unreachable host itself was never touched.
	t.false(h.remotes.has(CP2));
	// A member the reset cannot remove is reported with the command to do it.
	const stuck = harness([CP3]);
	stuck.nodes.get(CP3)!.failures = new Map();
	await upTo(stuck, deleteNodeStep);
	const failed = await runSteps(stuck.ctx, [deleteNodeStep]);
	t.regex(failed.failures[0]?.error.message ?? '', /etcd still has a member with its peer URL \(fd422379fda50e48 https:\/\/10.0.0.12:2380\); remove it with: sudo kubectl .* member remove fd422379fda50e48/);
});

test('a dry run reads but changes nothing and plans every command', async (t) => {
	const h = harness([WORKER], { dryRun: true });
	const outcome = await runSteps(h.ctx, RESET_STEPS);
	t.deepEqual(outcome.failures, []);
	for (const remote of h.remotes.values()) t.deepEqual(remote.changes(), []);
	const plans = h.events.filter((e): e is Extract<StepEvent, { kind: 'plan' }> => e.kind === 'plan').map((e) => e.action);
	t.true(plans.includes('sudo kubectl --kubeconfig /etc/kubernetes/admin.conf drain worker-a --ignore-daemonsets --delete-emptydir-data --timeout=120s'));
	t.true(plans.includes('sudo kubeadm reset -f --cleanup-tmp-dir'));
	t.true(plans.some((p) => p.startsWith('sudo iptables-restore < (iptables-save of tables filter, nat without 6 KUBE-/CILIUM_/cali- line(s)')));
});
