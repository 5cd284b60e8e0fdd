import test from 'ava';
import { render } from 'ink-testing-library';
import { closeProgress, initialProgress, reduceProgress, type ProgressState } from '../../source/ui/progress/state.js';
import { InstallProgress } from '../../source/ui/progress/view.js';
import { progressSource } from '../../source/ui/progress/mount.js';
import type { StepEvent } from '../../source/steps/types.js';

const events: StepEvent[] = [
	{ kind: 'step', step: 'prepare', title: 'Prepare hosts', hosts: ['a', 'b'] },
	{ kind: 'host', step: 'prepare', host: 'a', state: 'running' },
	{ kind: 'host', step: 'prepare', host: 'a', state: 'done' },
	{ kind: 'host', step: 'prepare', host: 'b', state: 'skipped', detail: 'already done' },
	{ kind: 'step', step: 'join-workers', title: 'Join workers', hosts: ['c', 'd'] },
	{ kind: 'host', step: 'join-workers', host: 'c', state: 'running' },
	{ kind: 'log', step: 'join-workers', host: 'c', stream: 'stdout', line: '[preflight] Running pre-flight checks' },
	{ kind: 'host', step: 'join-workers', host: 'd', state: 'failed', detail: 'd: step "join-workers" failed: kubeadm join exited 1\n  details' },
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
	t.deepEqual(closed.finished[1]?.failed, ['d: d: step "join-workers" failed: kubeadm join exited 1']);
});

test('the view shows finished steps, host states and the tail, without colour when asked', async (t) => {
	const source = progressSource();
	const { lastFrame, unmount } = render(<InstallProgress source={source} color={false} />);
	for (const event of events) source.update((state) => reduceProgress(state, event));
	await new Promise((resolve) => setTimeout(resolve, 50));
	const frame = lastFrame() ?? '';
	t.regex(frame, /✓ Prepare hosts \(1 done, 1 already done\)/);
	t.regex(frame, /Join workers/);
	t.regex(frame, /✗ d d: step "join-workers" failed: kubeadm join exited 1/);
	t.regex(frame, /\[c\] \[preflight\] Running pre-flight checks/);
	t.notRegex(frame, /\u001B\[3\dm/, 'no colour codes with color=false');
	unmount();
});
