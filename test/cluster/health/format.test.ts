// The plain pod table and the timeout report.
import test from 'ava';
import { formatPodTable, formatTimeoutReport, parseEvents, recentEvents, withLogs } from '../../../source/cluster/health/index.js';
import { fixtureText, fixtureVerdict, type FixtureName } from './_fixtures.js';

const FIXTURES: FixtureName[] = ['cilium-healthy', 'cilium-before-cni', 'cilium-troubled', 'calico-healthy', 'calico-troubled'];

test('every line fits 80 columns and keeps the NODE column', (t) => {
	for (const name of FIXTURES) {
		const verdict = fixtureVerdict(name);
		const lines = formatPodTable(verdict, { width: 80, elapsedMs: 72_000 });
		t.true(lines.every((l) => l.length <= 80), `${name}:\n${lines.filter((l) => l.length > 80).join('\n')}`);
		t.regex(lines[0] ?? '', /^NAMESPACE +NAME +READY +STATUS +RESTARTS +AGE +NODE$/, name);
		const rows = lines.filter((l) => /^(kube-|default)/.test(l));
		t.is(rows.length, verdict.pods.length, name);
		t.true(rows.every((row) => /(cp-1|worker-\d|<none>)$/.test(row)), name);
	}
});

test('rows look like kubectl get pods -A, with the cause under unhealthy pods', (t) => {
	const lines = formatPodTable(fixtureVerdict('cilium-before-cni'), { width: 80, elapsedMs: 72_000 });
	t.is(lines[0], 'NAMESPACE    NAME              READY  STATUS             RESTARTS  AGE    NODE');
	t.is(lines.length, 9 + 1 + 1 + 1 + 3 + 3 + 1, 'nine pods, one line per short cause, three per wrapped scheduler message, the summary');
	const operator = lines.findIndex((l) => l.includes('h7rzc'));
	t.is(lines[operator], 'kube-system  cilium-ope…h7rzc  0/1    ContainerCreating  0         12s    cp-1');
	t.is(lines[operator + 1], '    ↳ creating containers');
	const coredns = lines.findIndex((l) => l.includes('8vbjn'));
	t.is(lines[coredns], 'kube-system  coredns-7c…8vbjn  0/1    Pending            0         2m50s  <none>');
	t.is(lines[coredns + 1], '    ↳ 0/1 nodes are available: 1 node(s) had untolerated taint');
	t.is(lines.at(-1), '5/9 pods ready · 0/1 node Ready · 1m12s');
});

test('restart times are shown when there is room, the count alone when there is not', (t) => {
	const verdict = fixtureVerdict('cilium-troubled');
	const wide = formatPodTable(verdict, { width: 140, elapsedMs: 0 });
	t.regex(wide.join('\n'), /cilium-bq9zt +0\/1 +CrashLoopBackOff +5 \(45s ago\) +100m +worker-1/);
	t.regex(wide.join('\n'), /hubble-generate-certs-29212345-5vkqd/);
	const narrow = formatPodTable(verdict, { width: 80, elapsedMs: 0 });
	t.regex(narrow.join('\n'), /cilium-bq9zt +0\/1 +CrashLoopBackOff +5 +100m +worker-1/);
	t.regex(narrow.join('\n'), /hubble-gen…5vkqd/, 'long names are cut in the middle, keeping the suffix');
});

test('log lines follow the cause, cut to the width', (t) => {
	const verdict = withLogs(fixtureVerdict('cilium-troubled'), new Map([['kube-system/cilium-bq9zt/cilium-agent', ['level=info msg=start', `level=fatal msg="${'x'.repeat(120)}"`]]]));
	const lines = formatPodTable(verdict, { width: 80, elapsedMs: 0 });
	const at = lines.findIndex((l) => l.includes('cilium-bq9zt'));
	const fatal = `level=fatal msg="${'x'.repeat(120)}"`;
	t.deepEqual(lines.slice(at + 1, at + 4), ['    ↳ exit code 1 (Error), restarted 5 times', '      level=info msg=start', `      ${fatal.slice(0, 80 - 6 - 1)}…`]);
});

test('an empty cluster still has a summary', (t) => {
	const verdict = { ...fixtureVerdict('cilium-healthy'), pods: [], summary: { podsReady: 0, podsTotal: 0, nodesReady: 0, nodesTotal: 0 } };
	t.deepEqual(formatPodTable(verdict, { width: 80, elapsedMs: 3_000 }), ['no pods yet', '0/0 pods ready · 0/0 nodes Ready · 3s']);
});

test('the timeout report: what is not ready and why, recent events, the next command', (t) => {
	const verdict = withLogs(fixtureVerdict('cilium-troubled'), new Map([['kube-system/cilium-bq9zt/cilium-agent', ['level=fatal msg="unable to install ip rules"']]]));
	const events = recentEvents(parseEvents(fixtureText('events-troubled.json')), verdict, 3);
	const lines = formatTimeoutReport(verdict, events, { timeoutMs: 600_000, lookFurther: 'kubectl --kubeconfig demo.kubeconfig get pods -A -o wide' });
	t.is(lines[0], 'Timed out after 10m0s waiting for the cluster to be ready: 13/16 pods ready, 2/3 nodes Ready.');
	t.true(lines.includes('  node worker-2: Kubelet stopped posting node status.'));
	const crash = lines.indexOf('  pod kube-system/cilium-bq9zt (CrashLoopBackOff): exit code 1 (Error), restarted 5 times');
	t.true(crash > 0);
	t.is(lines[crash + 1], '      level=fatal msg="unable to install ip rules"');
	t.regex(lines.join('\n'), /^ {2}pod kube-system\/cilium-operator-5d9f7b8c6-k2l9x \(ImagePullBackOff\): image "quay\.io\/cilium\/operator-generic:v1\.20\.9" cannot be pulled/m);
	const header = lines.indexOf('Recent events:');
	t.regex(lines[header + 1] ?? '', /^ {2}NAMESPACE +LAST SEEN +TYPE +REASON +OBJECT +MESSAGE$/);
	t.regex(lines[header + 2] ?? '', /^ {2}kube-system +10s +Warning +Failed +pod\/cilium-operator-5d9f7b8c6-k2l9x +Error: ImagePullBackOff \(x25\)$/);
	t.is(lines.length, header + 2 + 3 + 2);
	t.is(lines.at(-1), 'Look further: kubectl --kubeconfig demo.kubeconfig get pods -A -o wide');
	t.false(lines.join('\n').includes('\u001b'));
});
