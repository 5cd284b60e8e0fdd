// Small timing helpers for `npm run bench`. Commands are interleaved in one run so machine noise
// hits all of them alike; results are reported as medians and ratios, never as absolute targets.
import { join } from 'node:path';
import { $ } from 'zx';

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export interface Timed {
	name: string;
	argv: string[];
}

/** Runs each command `rounds` times, round-robin, and returns wall-clock milliseconds per command. */
export function interleave(commands: readonly Timed[], rounds: number, cwd: string): Map<string, number[]> {
	const times = new Map<string, number[]>(commands.map((c) => [c.name, []]));
	for (let round = 0; round < rounds; round++) {
		for (const command of commands) {
			const start = process.hrtime.bigint();
			const result = $({ cwd, quiet: true, nothrow: true, sync: true })`${command.argv}`;
			const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
			if (result.exitCode !== 0) throw new Error(`${command.name} exited ${result.exitCode}: ${result.stderr}`);
			times.get(command.name)?.push(elapsed);
		}
	}
	return times;
}

/** `kubestrap install --config F --yes` in `dir`, without an SSH agent; waits for it, never throws. */
export function installRun(root: string, dir: string, config: string): { exitCode: number | null; stderr: string } {
	const result = $({ cwd: dir, quiet: true, nothrow: true, sync: true, env: { ...process.env, SSH_AUTH_SOCK: '' } })`${process.execPath} ${join(root, 'bin/kubestrap.js')} install --config ${config} --yes`;
	return { exitCode: result.exitCode, stderr: result.stderr };
}
