// Plain progress lines for runs without a TTY (CI, pipes): one line per step and per host result,
// host-prefixed, with every line redacted. Command output goes to the log file, and to the
// terminal only with --verbose. A watching step's health rounds print as readiness lines.
import type { StepEvent } from '../../steps/types.js';
import { readinessLines } from '../health/readiness-lines.js';

export interface LineReporter {
	event(event: StepEvent): void;
}

/**
 * `write` prints a line and puts it in the run log; `show` only prints it, for what the session already
 * logged itself (notes, and command output with --verbose), so the log has each of those lines once.
 */
export function lineReporter(write: (line: string) => void, verbose: boolean, show: (line: string) => void = write): LineReporter {
	const health = readinessLines(write);
	return {
		event(event) {
			switch (event.kind) {
				case 'step':
					write(`==> ${event.title} (${event.hosts.length} host${event.hosts.length === 1 ? '' : 's'})`);
					break;
				case 'host':
					if (event.state === 'done') write(`  ✓ ${event.host}`);
					else if (event.state === 'skipped') write(`  - ${event.host}: ${event.detail ?? 'nothing to do'}`);
					else if (event.state === 'failed') write(`  ✗ ${event.host}: ${(event.detail ?? '').split('\n')[0]}`);
					// A running host with a detail is a wait worth seeing (a connect retry).
					else if (event.state === 'running' && event.detail) write(`  … ${event.host}: ${event.detail}`);
					break;
				case 'log':
					if (verbose) show(`  [${event.host}] ${event.line}`);
					break;
				case 'plan':
					break;
				case 'note':
					show(event.line);
					break;
				case 'health':
					health(event.verdict, event.elapsedMs);
					break;
			}
		},
	};
}
