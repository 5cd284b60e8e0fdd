// The verdict on whole clusters: healthy Cilium and Calico clusters, the moment before the CNI is
// up, a cluster in trouble, a missing operator, nodes that never joined, and output that is not
// what kubectl prints.
import test from 'ava';
import { assess, parseSnapshot, SnapshotError } from '../../../source/cluster/health/index.js';
import { fixtureList, fixtureText, fixtureVerdict, NOW } from './_fixtures.js';

const subjects = (verdict: { problems: Array<{ subject: string }> }): string[] => verdict.problems.map((p) => p.subject);

test('an all-healthy Cilium cluster', (t) => {
	const verdict = fixtureVerdict('cilium-healthy', ['cp-1', 'worker-1', 'worker-2']);
	t.true(verdict.healthy);
	t.deepEqual(verdict.problems, []);
	t.deepEqual(verdict.summary, { podsReady: 17, podsTotal: 17, nodesReady: 3, nodesTotal: 3 });
	t.deepEqual(verdict.nodes[0], { name: 'cp-1', ready: true, status: 'Ready', roles: ['control-plane'], version: 'v1.35.1', kernel: '6.8.0-1021-aws', internalIP: '10.0.0.11', os: 'Ubuntu 24.04.2 LTS' });
	t.deepEqual(verdict.nodes.map((n) => n.roles), [['control-plane'], [], []]);
	t.deepEqual(
		verdict.workloads.map((w) => `${w.kind} ${w.name} ${w.desired}/${w.ready}/${w.updated}/${w.available} ${w.healthy}`),
		['DaemonSet cilium 3/3/3/3 true', 'DaemonSet cilium-envoy 3/3/3/3 true', 'Deployment cilium-operator 2/2/2/2 true', 'Deployment coredns 2/2/2/2 true', 'DaemonSet kube-proxy 3/3/3/3 true'],
	);
});

test('an all-healthy Calico cluster', (t) => {
	const verdict = fixtureVerdict('calico-healthy');
	t.true(verdict.healthy);
	t.deepEqual(verdict.summary, { podsReady: 11, podsTotal: 11, nodesReady: 2, nodesTotal: 2 });
	t.deepEqual(verdict.nodes.map((n) => [n.name, n.kernel, n.os]), [
		['cp-1', '5.15.0-144-generic', 'Ubuntu 22.04.5 LTS'],
		['worker-1', '5.14.0-570.el9.x86_64', 'Rocky Linux 9.6 (Blue Onyx)'],
	]);
});

test('the same healthy cluster judged for the other CNI is missing its agent and operator', (t) => {
	const text = fixtureText('calico-healthy.json');
	const verdict = assess(parseSnapshot(text), { cni: 'cilium', now: NOW });
	t.false(verdict.healthy);
	t.deepEqual(subjects(verdict), ['daemonset kube-system/cilium', 'deployment kube-system/cilium-operator']);
	t.true(verdict.problems.every((p) => p.cause === 'not created yet' && !p.progressing));
});

test('before the CNI: the node is NotReady with the runtime message, CoreDNS cannot be scheduled', (t) => {
	const verdict = fixtureVerdict('cilium-before-cni');
	t.false(verdict.healthy);
	t.deepEqual(verdict.summary, { podsReady: 5, podsTotal: 9, nodesReady: 0, nodesTotal: 1 });
	const node = verdict.nodes[0];
	t.is(node?.status, 'NotReady');
	t.is(node?.message, 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized');
	t.deepEqual(subjects(verdict), [
		'node cp-1',
		'daemonset kube-system/cilium',
		'deployment kube-system/cilium-operator',
		'deployment kube-system/coredns',
		'pod kube-system/cilium-operator-6f7c8b9d4-h7rzc',
		'pod kube-system/cilium-t8nq4',
		'pod kube-system/coredns-7c65d6cfc9-8vbjn',
		'pod kube-system/coredns-7c65d6cfc9-zt5gx',
	]);
	t.is(verdict.problems[0]?.cause, node?.message);
	t.is(verdict.problems.find((p) => p.subject === 'deployment kube-system/coredns')?.cause, '0 of 2 replicas ready');
});

test('a cluster in trouble: a lost node, a node that never joined, a DaemonSet rolling out', (t) => {
	const verdict = fixtureVerdict('cilium-troubled', ['cp-1', 'worker-1', 'worker-2', 'worker-3']);
	t.false(verdict.healthy);
	// the terminating CoreDNS pod, the completed Job and the pod on the lost node do not count; web is not a system pod
	t.deepEqual(verdict.summary, { podsReady: 13, podsTotal: 16, nodesReady: 2, nodesTotal: 4 });
	t.deepEqual(subjects(verdict), [
		'node worker-2',
		'node worker-3',
		'daemonset kube-system/cilium',
		'daemonset kube-system/cilium-envoy',
		'deployment kube-system/cilium-operator',
		'daemonset kube-system/ebs-csi-node',
		'daemonset kube-system/kube-proxy',
		'pod kube-system/cilium-bq9zt',
		'pod kube-system/cilium-operator-5d9f7b8c6-k2l9x',
		'pod kube-system/ebs-csi-node-pl2mk',
	]);
	const cause = (subject: string): string | undefined => verdict.problems.find((p) => p.subject === subject)?.cause;
	t.is(cause('node worker-2'), 'Kubelet stopped posting node status.');
	t.is(verdict.nodes.find((n) => n.name === 'worker-2')?.status, 'NotReady');
	t.is(cause('node worker-3'), 'has not registered with the API server (no Node object)');
	t.is(cause('daemonset kube-system/cilium'), 'rolling out: 1 of 3 pods updated, 1 ready');
	t.is(cause('deployment kube-system/cilium-operator'), 'rolling out: 1 of 2 replicas updated, 1 ready');
	const cilium = verdict.workloads.find((w) => w.name === 'cilium');
	t.like(cilium, { kind: 'DaemonSet', desired: 3, ready: 1, updated: 1, available: 1, healthy: false, progressing: true });
	t.false(verdict.workloads.find((w) => w.name === 'web')?.healthy, 'a user Deployment has a row');
	t.false(subjects(verdict).some((s) => s.includes('web')), 'but is no problem of the cluster');
});

test('a missing operator is a problem of its own', (t) => {
	const list = fixtureList('cilium-healthy');
	list.items = list.items.filter((item) => !(item['kind'] === 'Deployment' && item['metadata']?.name === 'cilium-operator') && !String(item['metadata']?.name).startsWith('cilium-operator-'));
	const verdict = assess(parseSnapshot(JSON.stringify(list)), { cni: 'cilium', now: NOW });
	t.false(verdict.healthy);
	t.deepEqual(verdict.problems, [{ subject: 'deployment kube-system/cilium-operator', cause: 'not created yet', progressing: false }]);
	t.deepEqual(verdict.summary, { podsReady: 15, podsTotal: 15, nodesReady: 3, nodesTotal: 3 });
});

test('the CNI agent must be scheduled on every node, and the controller must have seen the spec', (t) => {
	const list = fixtureList('cilium-healthy');
	const ds = list.items.find((item) => item['kind'] === 'DaemonSet' && item['metadata']?.name === 'cilium');
	if (!ds) return t.fail();
	Object.assign(ds['status'], { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2, updatedNumberScheduled: 2, numberAvailable: 2 });
	let verdict = assess(parseSnapshot(JSON.stringify(list)), { cni: 'cilium', now: NOW });
	t.deepEqual(verdict.problems, [{ subject: 'daemonset kube-system/cilium', cause: 'scheduled on 2 of 3 nodes', progressing: false }]);
	Object.assign(ds['status'], { desiredNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 3, numberAvailable: 3 });
	ds['metadata'].generation = 2;
	verdict = assess(parseSnapshot(JSON.stringify(list)), { cni: 'cilium', now: NOW });
	t.deepEqual(verdict.problems, [{ subject: 'daemonset kube-system/cilium', cause: 'its controller has not seen the latest spec yet', progressing: true }]);
});

test('a Deployment past its progress deadline says so', (t) => {
	const list = fixtureList('calico-healthy');
	const kc = list.items.find((item) => item['kind'] === 'Deployment' && item['metadata']?.name === 'calico-kube-controllers');
	if (!kc) return t.fail();
	kc['status'] = {
		observedGeneration: 1,
		replicas: 1,
		updatedReplicas: 1,
		unavailableReplicas: 1,
		conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "calico-kube-controllers-7498b9bb4c" has timed out progressing.' }],
	};
	const verdict = assess(parseSnapshot(JSON.stringify(list)), { cni: 'calico', now: NOW });
	t.deepEqual(verdict.problems, [{ subject: 'deployment kube-system/calico-kube-controllers', cause: 'ProgressDeadlineExceeded: ReplicaSet "calico-kube-controllers-7498b9bb4c" has timed out progressing.', progressing: false }]);
});

test('no nodes at all is never healthy', (t) => {
	const verdict = assess(parseSnapshot('{"apiVersion":"v1","kind":"List","items":[],"metadata":{"resourceVersion":""}}'), { cni: 'calico', now: NOW });
	t.false(verdict.healthy);
	t.deepEqual(subjects(verdict), ['nodes', 'daemonset kube-system/calico-node', 'deployment kube-system/calico-kube-controllers', 'deployment kube-system/coredns']);
});

test('output that is not a kubectl List is refused with what it was', (t) => {
	const table: Array<[string, RegExp]> = [
		['', /printed nothing/],
		['   \n', /printed nothing/],
		['error: You must be logged in to the server (Unauthorized)', /did not print JSON .*it began with: error: You must be logged in/],
		['{"apiVersion":"v1","kind":"List","items":[', /did not print JSON/],
		['[1,2]', /JSON that is not an object/],
		['{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"}}', /printed a Pod object, not a List/],
		['{"apiVersion":"v1","kind":"List"}', /List without an items array/],
		['{"items":[]}', /JSON object without a kind/],
	];
	for (const [text, message] of table) {
		const error = t.throws(() => parseSnapshot(text), { instanceOf: SnapshotError });
		t.regex(error?.message ?? '', message, JSON.stringify(text));
	}
});

test('items of other kinds and items without a name are skipped', (t) => {
	const snapshot = parseSnapshot(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'Service', metadata: { name: 'kube-dns' } }, { kind: 'Pod', metadata: {} }, 7, null, { kind: 'Node', metadata: { name: 'n1' } }] }));
	t.deepEqual([snapshot.pods.length, snapshot.nodes.length, snapshot.daemonSets.length, snapshot.deployments.length], [0, 1, 0, 0]);
	t.deepEqual(snapshot.nodes[0]?.status.nodeInfo.kubeletVersion, '');
});
