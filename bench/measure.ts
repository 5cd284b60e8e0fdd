// Small timing helpers for `npm run bench`. Commands are interleaved in one run so machine noise
// hits all of them alike; results are reported as medians and ratios, never as absolute targets.
import { spawnSync } from 'node:child_process';

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
			const result = spawnSync(command.argv[0] as string, command.argv.slice(1), { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
			const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
			if (result.status !== 0) throw new Error(`${command.name} exited ${result.status}: ${result.stderr.toString()}`);
			times.get(command.name)?.push(elapsed);
		}
	}
	return times;
}
