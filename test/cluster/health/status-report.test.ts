// `kubestrap status -o json` is a contract: these tests pin its shape.
import test from 'ava';
import { cniInfo, formatStatus, parseSnapshot, statusReport, withListing, withLogs, type StatusReport } from '../../../source/cluster/health/index.js';
import { fixtureText, fixtureVerdict } from './_fixtures.js';

const GENERATED = '2026-08-01T12:00:00.000Z';

function report(name: 'cilium-healthy' | 'cilium-troubled' | 'calico-healthy', cluster?: string): StatusReport {
	const snapshot = parseSnapshot(fixtureText(`${name}.json`));
	return statusReport(fixtureVerdict(name), cniInfo(snapshot, name.startsWith('cilium') ? fixtureText('cilium-config.json') : ''), { cluster, generatedAt: GENERATED });
}

test('the document has exactly the documented keys, numbers as numbers and no ages', (t) => {
	const doc = JSON.parse(JSON.stringify(report('cilium-troubled', 'demo')));
	t.deepEqual(Object.keys(doc), ['apiVersion', 'kind', 'cluster', 'generatedAt', 'healthy', 'summary', 'nodes', 'cni', 'workloads', 'pods', 'problems', 'versions']);
	t.like(doc, { apiVersion: 'kubestrap.dev/v1alpha1', kind: 'Status', cluster: 'demo', generatedAt: GENERATED, healthy: false });
	t.deepEqual(doc.summary, { podsReady: 13, podsTotal: 16, nodesReady: 2, nodesTotal: 3 });
	t.deepEqual(doc.nodes[2], { name: 'worker-2', ready: false, status: 'NotReady', roles: [], version: 'v1.35.1', kernel: '6.8.0-1021-aws', internalIP: '10.0.0.13', os: 'Ubuntu 24.04.2 LTS', message: 'Kubelet stopped posting node status.' });
	t.false('message' in doc.nodes[0], 'no message on a Ready node');
	t.deepEqual(doc.cni, { name: 'cilium', release: '1.20.1', datapath: { ipam: 'cluster-pool', routing: 'tunnel vxlan', kubeProxyReplacement: 'false' } });
	t.deepEqual(doc.workloads[0], { kind: 'DaemonSet', namespace: 'kube-system', name: 'cilium', desired: 3, ready: 1, updated: 1, available: 1, healthy: false, cause: 'rolling out: 1 of 3 pods updated, 1 ready' });
	t.deepEqual(doc.workloads.find((w: { name: string }) => w.name === 'coredns'), { kind: 'Deployment', namespace: 'kube-system', name: 'coredns', desired: 2, ready: 2, updated: 2, available: 2, healthy: true });
	t.deepEqual(doc.pods.find((p: { name: string }) => p.name === 'cilium-bq9zt'), {
		namespace: 'kube-system',
		name: 'cilium-bq9zt',
		ready: false,
		healthy: false,
		containers: { ready: 0, total: 1 },
		status: 'CrashLoopBackOff',
		restarts: 5,
		lastRestartAt: '2026-08-01T11:59:15.000Z',
		node: 'worker-1',
		createdAt: '2026-08-01T10:20:00Z',
		cause: 'exit code 1 (Error), restarted 5 times',
	});
	t.deepEqual(doc.problems[0], { subject: 'node worker-2', cause: 'Kubelet stopped posting node status.', progressing: false });
	t.false(JSON.stringify(doc).includes('ago'), 'no relative times');
});

test('only system pods and workloads are listed; the cluster name may be unknown', (t) => {
	const doc = report('cilium-troubled');
	t.is(doc.cluster, null);
	t.false(doc.pods.some((p) => p.namespace === 'default'));
	t.false(doc.workloads.some((w) => w.name === 'web'));
	t.true(doc.pods.some((p) => p.name === 'hubble-generate-certs-29212345-5vkqd' && p.healthy && !p.ready && p.status === 'Completed'));
	t.true(doc.pods.some((p) => p.name === 'coredns-7c65d6cfc9-5wqxb' || p.name === 'coredns-7c65d6cfc9-4lmvz'));
});

test('healthy is exactly "no problems"', (t) => {
	for (const name of ['cilium-healthy', 'calico-healthy', 'cilium-troubled'] as const) {
		const doc = report(name);
		t.is(doc.healthy, doc.problems.length === 0, name);
	}
	t.true(report('calico-healthy').healthy);
});

test('log lines reach the JSON cause after the summary line', (t) => {
	const snapshot = parseSnapshot(fixtureText('cilium-troubled.json'));
	const verdict = withLogs(fixtureVerdict('cilium-troubled'), new Map([['kube-system/cilium-bq9zt/cilium-agent', ['level=fatal msg="boom"']]]));
	const doc = statusReport(verdict, cniInfo(snapshot, ''), { generatedAt: GENERATED });
	t.is(doc.pods.find((p) => p.name === 'cilium-bq9zt')?.cause, 'exit code 1 (Error), restarted 5 times\nlevel=fatal msg="boom"');
	t.is(doc.problems.find((p) => p.subject === 'pod kube-system/cilium-bq9zt')?.cause, 'exit code 1 (Error), restarted 5 times\nlevel=fatal msg="boom"');
});

test('formatStatus: every section, within 80 columns', (t) => {
	const lines = formatStatus(report('cilium-troubled', 'demo'), { width: 80 });
	t.true(lines.every((l) => l.length <= 80), lines.filter((l) => l.length > 80).join('\n'));
	t.is(lines[0], 'Cluster demo: unhealthy (9 problems) · 2/3 nodes Ready · 13/16 system pods ready');
	for (const heading of ['NODES', 'CNI', 'WORKLOADS', 'SYSTEM PODS', 'PROBLEMS']) t.true(lines.includes(heading), heading);
	t.regex(lines.join('\n'), /^worker-2 +NotReady +<none> +v1\.35\.1 +10\.0\.0\.13 +6\.8\.0-1021-aws/m);
	t.true(lines.includes('cilium 1.20.1'));
	t.regex(lines.join('\n'), /^ {2}routing +tunnel vxlan$/m);
	t.regex(lines.join('\n'), /^DaemonSet +kube-system +cilium +3 +1 +1 +1$/m);
	t.regex(lines.join('\n'), /^kube-system +cilium-bq9zt +0\/1 +CrashLoopBackOff +5 \(45s ago\) +worker-1$/m);
	const problems = lines.slice(lines.indexOf('PROBLEMS') + 1);
	t.deepEqual(problems.slice(0, 2), ['node worker-2', '  ↳ Kubelet stopped posting node status.']);
});

test('formatStatus of a healthy Calico cluster', (t) => {
	const lines = formatStatus(report('calico-healthy', 'lab'), { width: 80 });
	t.is(lines[0], 'Cluster lab: healthy · 2/2 nodes Ready · 11/11 system pods ready');
	t.false(lines.includes('PROBLEMS'));
	t.true(lines.includes('calico 3.32.1'));
	t.regex(lines.join('\n'), /^ {2}encapsulation +ipip$/m);
	t.regex(lines.join('\n'), /^ {2}crossSubnet +true$/m);
	t.true(lines.every((l) => l.length <= 80));
	const wide = formatStatus(report('calico-healthy', 'lab'), { width: 160 });
	t.regex(wide.join('\n'), /Rocky Linux 9\.6 \(Blue Onyx\)/, 'nothing is cut when there is room');
	t.regex(wide.join('\n'), /calico-kube-controllers-7498b9bb4c-wq6fz/);
});

test('a frame drawn while the first lists page says how much is left, is never healthy, and names why', (t) => {
	const whole = report('cilium-healthy');
	t.true(whole.healthy);
	const partial = withListing(whole, 514);
	t.deepEqual(partial.listing, { remaining: 514 });
	t.false(partial.healthy, 'a part of the cluster is never reported healthy');
	t.deepEqual(partial.problems.at(-1), { subject: 'status', cause: 'the first lists are still being read: 514 more objects to read; this frame shows the pages read so far', progressing: true });
	t.is(partial.nodes, whole.nodes, 'the rows read so far are shown as they are');
	t.false('listing' in whole, 'a complete frame has no listing key');
	t.true(formatStatus(partial, { width: 100 }).some((line) => line.includes('514 more objects to read')));
});
