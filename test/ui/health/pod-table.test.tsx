import test from 'ava';
import { render } from 'ink-testing-library';
import { assess, formatPodTable, parseSnapshot, type Verdict } from '../../../source/cluster/health/index.js';
import { PodTable } from '../../../source/ui/health/pod-table.js';
import { fixtureList, fixtureVerdict, NOW } from '../../cluster/health/_fixtures.js';

const ESC = '\u001b[';

function frameOf(verdict: Verdict, color: boolean, width?: number): string {
	const { lastFrame, unmount } = render(<PodTable verdict={verdict} elapsedMs={72_000} color={color} width={width} title="Waiting for the cluster" />);
	const frame = lastFrame() ?? '';
	unmount();
	return frame;
}

test('the table in 80 columns: kubectl columns, causes under unhealthy pods, the summary', (t) => {
	const frame = frameOf(fixtureVerdict('cilium-before-cni'), false);
	const lines = frame.split('\n');
	t.is(lines[0], 'Waiting for the cluster');
	t.regex(lines[1] ?? '', /^NAMESPACE +NAME +READY +STATUS +RESTARTS +AGE +NODE$/);
	t.true(lines.every((l) => l.length <= 80), lines.filter((l) => l.length > 80).join('\n'));
	t.regex(frame, /cilium-t8nq4 +0\/1 +Init:1\/6 +0 +20s +cp-1\n {4}↳ init container mount-cgroup \(2 of 6\) is running/);
	t.regex(frame, /coredns-7c…8vbjn +0\/1 +Pending +0 +2m50s +<none>\n {4}↳ 0\/1 nodes are available: 1 node\(s\) had untolerated taint/);
	t.is(lines.at(-1), '5/9 pods ready · 0/1 node Ready · 1m12s');
});

test('color: false prints no escape codes at all (colours: see colors.test.tsx)', (t) => {
	t.false(frameOf(fixtureVerdict('cilium-troubled'), false).includes(ESC));
});

test('rows are updated in place: a rerender shows the new status and no duplicate rows', async (t) => {
	const list = fixtureList('cilium-before-cni');
	const before = assess(parseSnapshot(JSON.stringify(list)), { cni: 'cilium', now: NOW });
	const { lastFrame, rerender, unmount } = render(<PodTable verdict={before} elapsedMs={1_000} color={false} />);
	t.regex(lastFrame() ?? '', /cilium-t8nq4 +0\/1 +Init:1\/6/);

	// the agent's init containers finished and it runs
	const agent = list.items.find((item) => item['metadata']?.name === 'cilium-t8nq4');
	if (!agent) return t.fail();
	const done = { terminated: { exitCode: 0, reason: 'Completed', startedAt: '2026-08-01T11:59:50Z', finishedAt: '2026-08-01T11:59:51Z' } };
	agent['status'].phase = 'Running';
	agent['status'].conditions = agent['status'].conditions.map((c: { type: string }) => ({ ...c, status: 'True', message: undefined, reason: undefined }));
	agent['status'].initContainerStatuses = agent['status'].initContainerStatuses.map((s: object) => ({ ...s, ready: true, state: done }));
	agent['status'].containerStatuses = [{ ...agent['status'].containerStatuses[0], ready: true, started: true, state: { running: { startedAt: '2026-08-01T11:59:55Z' } } }];
	const after = assess(parseSnapshot(JSON.stringify(list)), { cni: 'cilium', now: NOW + 5_000 });
	rerender(<PodTable verdict={after} elapsedMs={6_000} color={false} />);
	await new Promise((resolve) => setTimeout(resolve, 20));
	const frame = lastFrame() ?? '';
	t.regex(frame, /cilium-t8nq4 +1\/1 +Running +0 +25s +cp-1/);
	t.notRegex(frame, /Init:1\/6|mount-cgroup/);
	const rows = frame.split('\n').filter((line) => line.startsWith('kube-system'));
	t.is(rows.length, after.pods.length, 'one row per pod');
	t.is(new Set(rows).size, rows.length, 'no duplicate rows');
	t.deepEqual(frame.split('\n'), formatPodTable(after, { width: 80, elapsedMs: 6_000 }), 'the same lines as the plain table');
	t.regex(frame, /6\/9 pods ready · 0\/1 node Ready · 6s$/);
	unmount();
});

test('a narrow width is honoured', (t) => {
	const frame = frameOf(fixtureVerdict('calico-troubled'), false, 60);
	t.true(frame.split('\n').every((l) => l.length <= 60), frame);
	t.regex(frame, /Init:Cr/);
});
