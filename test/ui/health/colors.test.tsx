// With colour on, the tones reach the terminal. Ink colours through chalk, whose detection sees no
// terminal under ava; this file (its own process) raises chalk's level, as a colour terminal would.
import test from 'ava';
import chalk from 'chalk';
import { render } from 'ink-testing-library';
import { cniInfo, parseSnapshot, statusReport } from '../../../source/cluster/health/index.js';
import { PodTable } from '../../../source/ui/health/pod-table.js';
import { StatusView } from '../../../source/ui/health/status-view.js';
import { fixtureText, fixtureVerdict } from '../../cluster/health/_fixtures.js';

chalk.level = 1;

const strip = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '');

function frame(element: Parameters<typeof render>[0]): string {
	const { lastFrame, unmount } = render(element);
	const text = lastFrame() ?? '';
	unmount();
	return text;
}

test('the pod table colours STATUS by health and leaves the text as it is', (t) => {
	const verdict = fixtureVerdict('cilium-troubled');
	const coloured = frame(<PodTable verdict={verdict} elapsedMs={0} color={true} />);
	t.regex(coloured, /\u001b\[31mCrashLoopBackOff/, 'crashing: red');
	t.regex(coloured, /\u001b\[32mRunning/, 'running: green');
	t.regex(coloured, /\u001b\[90mCompleted/, 'completed Job: grey');
	const plain = frame(<PodTable verdict={verdict} elapsedMs={0} color={false} />);
	t.false(plain.includes('\u001b['), 'color false: no escape codes even with colour forced');
	t.is(strip(coloured), plain);
});

test('the status view colours the verdict and the problems', (t) => {
	const snapshot = parseSnapshot(fixtureText('cilium-troubled.json'));
	const report = statusReport(fixtureVerdict('cilium-troubled'), cniInfo(snapshot, ''), { cluster: 'demo', generatedAt: '2026-08-01T12:00:00.000Z' });
	const coloured = frame(<StatusView report={report} color={true} />);
	t.regex(coloured, /\u001b\[31m/);
	t.false(frame(<StatusView report={report} color={false} />).includes('\u001b['));
	t.is(strip(coloured), frame(<StatusView report={report} color={false} />));
});
