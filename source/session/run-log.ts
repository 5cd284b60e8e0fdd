// One log file per run under .kubestrap/<name>/logs/ (0600). Everything written passes through the
// redactor first, so a secret registered during the run never reaches the file.
import { openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { Redactor } from '../remote/redact.js';

export interface RunLog {
	path: string;
	write(line: string): void;
	close(): void;
}

export function openRunLog(dir: string, command: string, now: Date, redactor: Redactor): RunLog {
	const path = join(dir, 'logs', `${now.toISOString().replace(/[:.]/g, '-')}-${command}.log`);
	const fd = openSync(path, 'a', 0o600);
	return {
		path,
		write(line) {
			writeSync(fd, `${new Date().toISOString()} ${redactor.redact(line)}\n`);
		},
		close() {
			closeSync(fd);
		},
	};
}
