// Crash-looping containers' previous logs, and the events that explain a timeout.
import test from 'ava';
import { logLines, logRequests, parseEvents, recentEvents, SnapshotError, withLogs } from '../../../source/cluster/health/index.js';
import { fixtureText, fixtureVerdict } from './_fixtures.js';

const FATAL = 'time="2026-08-01T11:59:15Z" level=fatal msg="failed to start: unable to install ip rules: operation not permitted" subsys=daemon';

test('logRequests: every CrashLoopBackOff container, init containers too', (t) => {
	t.deepEqual(logRequests(fixtureVerdict('cilium-troubled')), [
		{ namespace: 'kube-system', pod: 'cilium-bq9zt', container: 'cilium-agent', restarts: 5 },
		{ namespace: 'kube-system', pod: 'ebs-csi-node-pl2mk', container: 'liveness-probe', restarts: 3 },
	]);
	t.deepEqual(logRequests(fixtureVerdict('calico-troubled')), [{ namespace: 'kube-system', pod: 'calico-node-9gq2x', container: 'install-cni', restarts: 4 }]);
	t.deepEqual(logRequests(fixtureVerdict('cilium-healthy')), []);
});

test('withLogs puts the last lines after the cause, in the row and in the problem', (t) => {
	const verdict = fixtureVerdict('cilium-troubled');
	const logs = new Map([['kube-system/cilium-bq9zt/cilium-agent', logLines(`level=info msg="Starting"\r\n\n${FATAL}\n`)]]);
	const updated = withLogs(verdict, logs);
	const expected = `exit code 1 (Error), restarted 5 times\nlevel=info msg="Starting"\n${FATAL}`;
	t.is(updated.pods.find((p) => p.name === 'cilium-bq9zt')?.cause, expected);
	t.is(updated.problems.find((p) => p.subject === 'pod kube-system/cilium-bq9zt')?.cause, expected);
	t.is(updated.pods.find((p) => p.name === 'ebs-csi-node-pl2mk')?.cause, 'liveness-probe: exit code 137 (OOMKilled), restarted 3 times', 'no logs given, cause unchanged');
	t.is(verdict.pods.find((p) => p.name === 'cilium-bq9zt')?.cause, 'exit code 1 (Error), restarted 5 times', 'the input verdict is not changed');
	const again = withLogs(updated, new Map([['kube-system/cilium-bq9zt/cilium-agent', ['second fetch']]]));
	t.is(again.pods.find((p) => p.name === 'cilium-bq9zt')?.cause, 'exit code 1 (Error), restarted 5 times\nsecond fetch', 'lines are replaced, not stacked');
});

test('withLogs keeps five lines, cuts long ones and strips escape sequences', (t) => {
	const lines = ['1', '2', '3', '4', '\u001b[31mred\u001b[0m 5', '6', 'x'.repeat(500)];
	const updated = withLogs(fixtureVerdict('calico-troubled'), new Map([['kube-system/calico-node-9gq2x/install-cni', lines]]));
	const cause = updated.pods.find((p) => p.name === 'calico-node-9gq2x')?.cause ?? '';
	const [summary, ...rest] = cause.split('\n');
	t.is(summary, 'init container install-cni: exit code 1 (Error), restarted 4 times');
	t.deepEqual(rest, ['3', '4', 'red 5', '6', `${'x'.repeat(239)}…`]);
	t.false(cause.includes('\u001b'));
});

test('logLines splits kubectl output', (t) => {
	t.deepEqual(logLines('a\nb\r\nc\n'), ['a', 'b', 'c']);
	t.deepEqual(logLines(''), []);
	t.deepEqual(logLines('a\n\nb'), ['a', '', 'b']);
});

test('parseEvents reads core events, series included', (t) => {
	const events = parseEvents(fixtureText('events-troubled.json'));
	t.is(events.length, 12);
	t.deepEqual(events[0], {
		namespace: 'kube-system',
		object: 'Pod/cilium-bq9zt',
		type: 'Warning',
		reason: 'BackOff',
		message: 'Back-off restarting failed container cilium-agent in pod cilium-bq9zt_kube-system(5d920d68-3aa0-2942-0b5e-31f797f8c2ff)',
		count: 14,
		last: Date.parse('2026-08-01T11:59:20Z'),
	});
	const series = events.find((e) => e.object === 'Pod/ebs-csi-node-pl2mk');
	t.like(series, { count: 4, last: Date.parse('2026-08-01T11:59:40.654Z') });
	// kubectl files node events under "default" and so does the row
	t.like(events.find((e) => e.object === 'Node/worker-2'), { namespace: 'default', type: 'Normal', reason: 'NodeNotReady' });
	t.deepEqual(parseEvents(''), []);
	t.throws(() => parseEvents('No resources found'), { instanceOf: SnapshotError });
});

test('recentEvents: only unhealthy objects, Warnings first, newest first, limited', (t) => {
	const events = parseEvents(fixtureText('events-troubled.json'));
	const verdict = fixtureVerdict('cilium-troubled');
	const recent = recentEvents(events, verdict, 20);
	t.deepEqual(
		recent.map((e) => `${e.type} ${e.object} ${e.reason}`),
		[
			'Warning Pod/cilium-operator-5d9f7b8c6-k2l9x Failed',
			'Warning Pod/ebs-csi-node-pl2mk BackOff',
			'Warning Pod/cilium-bq9zt BackOff',
			'Warning Pod/cilium-operator-5d9f7b8c6-k2l9x Failed',
			'Normal Pod/cilium-operator-5d9f7b8c6-k2l9x BackOff',
			'Normal Pod/cilium-bq9zt Pulled',
			'Normal DaemonSet/cilium SuccessfulCreate',
			'Normal ReplicaSet/cilium-operator-5d9f7b8c6 SuccessfulCreate',
			'Normal Deployment/cilium-operator ScalingReplicaSet',
			'Normal Node/worker-2 NodeNotReady',
		],
		'healthy CoreDNS events and another deployment’s ReplicaSet are left out',
	);
	t.is(recentEvents(events, verdict, 3).length, 3);
	t.deepEqual(recentEvents(events, fixtureVerdict('cilium-healthy'), 10), []);
});
