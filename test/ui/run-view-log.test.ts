import test from 'ava';
import { runView } from '../../source/ui/run-view.js';
import type { StepEvent } from '../../source/steps/types.js';

// The session writes notes and command output to the run log itself; the view's `say` writes to the log
// too, so the view must print those through `show` or the log holds each of them twice.
const events: StepEvent[] = [
	{ kind: 'step', step: 'restart-cni-agents', title: 'Restart the CNI agents', hosts: ['a'] },
	{ kind: 'log', step: 'restart-cni-agents', host: 'a', stream: 'stdout', line: 'pod "cilium-x" deleted' },
	{ kind: 'note', step: 'restart-cni-agents', host: 'a', line: 'the new Cilium configuration is live' },
	{ kind: 'host', step: 'restart-cni-agents', host: 'a', state: 'done' },
];

async function played(verbose: boolean): Promise<{ logged: string[]; shown: string[] }> {
	const logged: string[] = [];
	const shown: string[] = [];
	const view = await runView({ say: (line) => { logged.push(line); shown.push(line); }, show: (line) => shown.push(line), verbose, color: false, title: 'cluster t', watchSteps: [] });
	for (const event of events) view.event(event);
	await view.finish();
	return { logged, shown };
}

test('plain lines: a note is shown once and left to the session to log', async (t) => {
	const { logged, shown } = await played(false);
	t.deepEqual(shown, ['==> Restart the CNI agents (1 host)', 'the new Cilium configuration is live', '  ✓ a']);
	t.deepEqual(logged, ['==> Restart the CNI agents (1 host)', '  ✓ a']);
});

test('--verbose: command output is shown but not logged a second time', async (t) => {
	const { logged, shown } = await played(true);
	t.true(shown.includes('  [a] pod "cilium-x" deleted'));
	t.false(logged.some((line) => line.includes('cilium-x') || line.includes('is live')));
});
