// Table test over the kubectl fixtures: each row is one pod as `kubectl get pods -A` would print
// it, with the cause kubestrap gives and whether it counts against the verdict.
import test from 'ava';
import { fixtureVerdict, type FixtureName } from './_fixtures.js';

interface Row {
	fixture: FixtureName;
	pod: string;
	ready: string;
	status: string;
	restarts: string;
	age: string;
	node: string;
	/** exact cause, a pattern, or undefined for a healthy pod */
	cause?: string | RegExp;
	/** a problem names this pod (counted system pod that is not healthy) */
	problem: boolean;
	progressing?: boolean;
}

const UNTOLERATED = '0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. no new claims to deallocate, preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';

const rows: Row[] = [
	// CoreDNS before the CNI: unschedulable, the scheduler's message is the cause
	{ fixture: 'cilium-before-cni', pod: 'kube-system/coredns-7c65d6cfc9-8vbjn', ready: '0/1', status: 'Pending', restarts: '0', age: '2m50s', node: '', cause: UNTOLERATED, problem: true, progressing: false },
	// init containers running: Init:N/M with the running one named
	{ fixture: 'cilium-before-cni', pod: 'kube-system/cilium-t8nq4', ready: '0/1', status: 'Init:1/6', restarts: '0', age: '20s', node: 'cp-1', cause: 'init container mount-cgroup (2 of 6) is running', problem: true, progressing: true },
	// ContainerCreating is a state that resolves itself
	{ fixture: 'cilium-before-cni', pod: 'kube-system/cilium-operator-6f7c8b9d4-h7rzc', ready: '0/1', status: 'ContainerCreating', restarts: '0', age: '12s', node: 'cp-1', cause: 'creating containers', problem: true, progressing: true },
	{ fixture: 'cilium-before-cni', pod: 'kube-system/kube-proxy-r9d2m', ready: '1/1', status: 'Running', restarts: '0', age: '2m50s', node: 'cp-1', problem: false },
	// ImagePullBackOff with the image and the runtime's reason (the back-off prefix dropped)
	{
		fixture: 'cilium-troubled',
		pod: 'kube-system/cilium-operator-5d9f7b8c6-k2l9x',
		ready: '0/1',
		status: 'ImagePullBackOff',
		restarts: '0',
		age: '6m30s',
		node: 'worker-1',
		cause: /^image "quay\.io\/cilium\/operator-generic:v1\.20\.9" cannot be pulled: ErrImagePull: rpc error: code = NotFound .*not found$/,
		problem: true,
		progressing: false,
	},
	// CrashLoopBackOff with restarts: kubectl ≥1.27 RESTARTS with the time of the last restart
	{ fixture: 'cilium-troubled', pod: 'kube-system/cilium-bq9zt', ready: '0/1', status: 'CrashLoopBackOff', restarts: '5 (45s ago)', age: '100m', node: 'worker-1', cause: 'exit code 1 (Error), restarted 5 times', problem: true, progressing: false },
	// a pod on a lost node: Unknown, being deleted, not counted
	{ fixture: 'cilium-troubled', pod: 'kube-system/cilium-m4wfn', ready: '1/1', status: 'Unknown', restarts: '0', age: '100m', node: 'worker-2', cause: 'node worker-2 is unreachable: Node worker-2 which was running pod cilium-m4wfn is unresponsive', problem: false },
	// a terminating pod: shown, healthy, not counted
	{ fixture: 'cilium-troubled', pod: 'kube-system/coredns-7c65d6cfc9-wz9kd', ready: '1/1', status: 'Terminating', restarts: '0', age: '119m', node: 'worker-2', problem: false },
	// a completed Job: Completed, not counted
	{ fixture: 'cilium-troubled', pod: 'kube-system/hubble-generate-certs-29212345-5vkqd', ready: '0/1', status: 'Completed', restarts: '0', age: '50m', node: 'worker-1', problem: false },
	// multi-container pods: READY counts containers, the crashing sidecar is named
	{ fixture: 'cilium-troubled', pod: 'kube-system/ebs-csi-node-5xq7h', ready: '3/3', status: 'Running', restarts: '0', age: '91m', node: 'cp-1', problem: false },
	{ fixture: 'cilium-troubled', pod: 'kube-system/ebs-csi-node-pl2mk', ready: '2/3', status: 'CrashLoopBackOff', restarts: '3 (30s ago)', age: '91m', node: 'worker-1', cause: 'liveness-probe: exit code 137 (OOMKilled), restarted 3 times', problem: true, progressing: false },
	// a rolled-out pod of the DaemonSet being updated
	{ fixture: 'cilium-troubled', pod: 'kube-system/cilium-7xk2p', ready: '1/1', status: 'Running', restarts: '0', age: '4m', node: 'cp-1', problem: false },
	// outside the system namespaces: its cause is shown, the verdict does not depend on it
	{ fixture: 'cilium-troubled', pod: 'default/web-5f6d8c7b9-ghm2t', ready: '0/1', status: 'ErrImagePull', restarts: '0', age: '60s', node: 'worker-1', cause: /^image "nginx:1\.29-alpine" cannot be pulled: failed to pull and unpack image/, problem: false },
	// init container crash loop and init image pull (Calico)
	{ fixture: 'calico-troubled', pod: 'kube-system/calico-node-9gq2x', ready: '0/1', status: 'Init:CrashLoopBackOff', restarts: '4 (84s ago)', age: '5m', node: 'cp-1', cause: 'init container install-cni: exit code 1 (Error), restarted 4 times', problem: true, progressing: false },
	{ fixture: 'calico-troubled', pod: 'kube-system/calico-node-kd7wp', ready: '0/1', status: 'Init:ErrImagePull', restarts: '0', age: '5m', node: 'worker-1', cause: /^init container upgrade-ipam: image "quay\.io\/calico\/cni:v3\.32\.1" cannot be pulled: .*429 Too Many Requests$/, problem: true, progressing: false },
	// static control-plane pods and a healthy agent
	{ fixture: 'calico-healthy', pod: 'kube-system/etcd-cp-1', ready: '1/1', status: 'Running', restarts: '0', age: '120m', node: 'cp-1', problem: false },
	{ fixture: 'calico-healthy', pod: 'kube-system/calico-node-kd7wp', ready: '1/1', status: 'Running', restarts: '0', age: '81m', node: 'worker-1', problem: false },
	{ fixture: 'cilium-healthy', pod: 'kube-system/cilium-operator-6f7c8b9d4-x2kzq', ready: '1/1', status: 'Running', restarts: '0', age: '60m', node: 'worker-1', problem: false },
];

for (const row of rows) {
	test(`${row.fixture}: ${row.pod} → ${row.status}`, (t) => {
		const verdict = fixtureVerdict(row.fixture);
		const pod = verdict.pods.find((p) => p.key === row.pod);
		if (pod === undefined) return t.fail(`no row for ${row.pod}`);
		t.deepEqual([pod.ready, pod.status, pod.restarts, pod.age, pod.node], [row.ready, row.status, row.restarts, row.age, row.node]);
		if (row.cause === undefined) {
			t.true(pod.healthy);
			t.is(pod.cause, undefined);
		} else {
			t.false(pod.healthy);
			if (typeof row.cause === 'string') t.is(pod.cause, row.cause);
			else t.regex(pod.cause ?? '', row.cause);
		}
		const problem = verdict.problems.find((p) => p.subject === `pod ${row.pod}`);
		t.is(problem !== undefined, row.problem, 'problem entry');
		if (problem) {
			t.is(problem.cause, pod.cause ?? '');
			t.is(problem.progressing, row.progressing ?? false);
		}
	});
}

test('pods are ordered CNI first, then kube-system, then the rest, by namespace/name', (t) => {
	const keys = fixtureVerdict('cilium-troubled').pods.map((p) => p.key);
	const firstOther = keys.findIndex((k) => !/^kube-system\/(cilium|hubble)/.test(k));
	t.true(keys.slice(firstOther).every((k) => !/\/(cilium|hubble|calico)/.test(k)), keys.join(' '));
	t.is(keys.at(-1), 'default/web-5f6d8c7b9-ghm2t');
	t.deepEqual(keys.slice(0, 3), ['kube-system/cilium-7xk2p', 'kube-system/cilium-bq9zt', 'kube-system/cilium-envoy-2hv6d']);
	t.true(keys.indexOf('kube-system/hubble-generate-certs-29212345-5vkqd') < keys.indexOf('kube-system/coredns-7c65d6cfc9-4lmvz'));
});
