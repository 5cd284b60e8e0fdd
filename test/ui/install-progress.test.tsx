import test from 'ava';
import { render } from 'ink-testing-library';
import { closeProgress, initialProgress, reduceProgress, type ProgressState } from '../../source/ui/progress/state.js';
import { InstallProgress } from '../../source/ui/progress/view.js';
import { progressSource } from '../../source/ui/progress/mount.js';
import { StepError, type RunContext, type Step, type StepEvent, type StepHost } from '../../source/steps/types.js';
import { failureLine, runSteps } from '../../source/steps/runner.js';
import { lineReporter } from '../../source/ui/progress/lines.js';

const events: StepEvent[] = [
	{ kind: 'step', step: 'prepare', title: 'Prepare hosts', hosts: ['a', 'b'] },
	{ kind: 'host', step: 'prepare', host: 'a', state: 'running' },
	{ kind: 'host', step: 'prepare', host: 'a', state: 'done' },
	{ kind: 'host', step: 'prepare', host: 'b', state: 'skipped', detail: 'already done' },
	{ kind: 'step', step: 'join-workers', title: 'Join workers', hosts: ['c', 'd'] },
	{ kind: 'host', step: 'join-workers', host: 'c', state: 'running' },
	{ kind: 'log', step: 'join-workers', host: 'c', stream: 'stdout', line: '[preflight] Running pre-flight checks' },
	{ kind: 'host', step: 'join-workers', host: 'd', state: 'failed', detail: 'step "join-workers" failed: kubeadm join exited 1\n  details' },
];

function fold(list: StepEvent[]): ProgressState {
	return list.reduce(reduceProgress, initialProgress(2));
}

test('events fold into finished steps, the current step per host, and a bounded output tail', (t) => {
	const state = fold(events);
	t.deepEqual(state.finished, [{ id: 'prepare', title: 'Prepare hosts', done: 1, skipped: 1, failed: [] }]);
	t.deepEqual(state.current?.hosts.map((h) => [h.id, h.state]), [['c', 'running'], ['d', 'failed']]);
	t.deepEqual(state.tail, ['[c] [preflight] Running pre-flight checks']);
	const many = fold([...events, ...Array.from({ length: 5 }, (_, i): StepEvent => ({ kind: 'log', step: 'join-workers', host: 'c', stream: 'stdout', line: `line ${i}` }))]);
	t.deepEqual(many.tail, ['[c] line 3', '[c] line 4']);
	const closed = closeProgress(state);
	t.is(closed.current, undefined);
	t.deepEqual(closed.finished[1]?.failed, ['d: step "join-workers" failed: kubeadm join exited 1']);
});

test('the view shows finished steps, host states and the tail, without colour when asked', async (t) => {
	const source = progressSource();
	const { lastFrame, unmount } = render(<InstallProgress source={source} color={false} />);
	for (const event of events) source.update((state) => reduceProgress(state, event));
	await new Promise((resolve) => setTimeout(resolve, 50));
	const frame = lastFrame() ?? '';
	t.regex(frame, /✓ Prepare hosts \(1 done, 1 already done\)/);
	t.regex(frame, /Join workers/);
	t.regex(frame, /✗ d step "join-workers" failed: kubeadm join exited 1/);
	t.regex(frame, /\[c\] \[preflight\] Running pre-flight checks/);
	t.notRegex(frame, /\u001B\[3\dm/, 'no colour codes with color=false');
	unmount();
});

// A failure names its host once wherever it is shown: the runner hands the views the error without the host
// they print beside it, and the summary line (failureLine) puts it in front once.
test('a failed step names its host once in the plain lines, the live view and the summary line', async (t) => {
	const host: StepHost = { host: { address: '127.0.0.5', role: 'worker' } as StepHost['host'], id: '127.0.0.5' };
	const failing = (id: string, error: Error): Step => ({ id, title: `Step ${id}`, parallel: false, targets: () => [host], shouldRun: async () => true, run: async () => { throw error; } });
	for (const error of [
		new StepError('127.0.0.5', 'x', 'kubeadm join', 1, ['the last line']),
		new Error('host 127.0.0.5: connection refused'),
		new Error('w-1 did not come back at v1.36.4 within 10 min (it is NotReady); it is still cordoned'),
	]) {
		const events: StepEvent[] = [];
		const ctx = { hosts: [host], dryRun: false, concurrency: 1, signal: new AbortController().signal, shared: new Map(), emit: (event: StepEvent) => events.push(event) } as unknown as RunContext;
		const outcome = await runSteps(ctx, [failing('x', error)]);
		const plain: string[] = [];
		const reporter = lineReporter((line) => plain.push(line), false);
		for (const event of events) reporter.event(event);
		const failedLine = plain.find((line) => line.includes('✗')) ?? '';
		t.is(failedLine.split('127.0.0.5').length - 1, 1, failedLine);
		t.true(failedLine.startsWith('  ✗ 127.0.0.5: '), failedLine);
		const folded = events.reduce(reduceProgress, initialProgress());
		t.is(closeProgress(folded).finished[0]?.failed[0]?.split('127.0.0.5').length, 2, closeProgress(folded).finished[0]?.failed[0]);
		const source = progressSource();
		const { lastFrame, unmount } = render(<InstallProgress source={source} color={false} />);
		for (const event of events) source.update((state) => reduceProgress(state, event));
		// Ink draws on its own schedule: wait for the frame with the failed host (a loaded machine is slow).
		for (let i = 0; i < 100 && !(lastFrame() ?? '').includes('✗'); i++) await new Promise((resolve) => setTimeout(resolve, 50));
		const frame = lastFrame() ?? '';
		t.true(frame.includes('✗ 127.0.0.5 '), frame);
		t.is(frame.split('127.0.0.5').length - 1, 1, frame);
		unmount();
		const line = failureLine(outcome.failures[0]!);
		t.is(line.split('127.0.0.5').length - 1, 1, line);
		t.true(line.startsWith('127.0.0.5: '), line);
		t.is(outcome.failures[0]!.error, error, 'the error itself is kept whole (the log and -o json read it)');
	}
});
