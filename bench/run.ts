// `npm run bench`: prints each benchmark's medians and ratios, and whether each target is met.
import { fileURLToPath } from 'node:url';
import { benchStartup } from './startup.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const rounds = Number(process.env.BENCH_ROUNDS ?? 21);

console.log(`startup (${rounds} interleaved rounds, median wall time)`);
let missed = 0;
for (const row of benchStartup(root, rounds).rows) {
	const verdict = row.target === undefined ? '' : row.ratio <= row.target ? `  target ≤ ${row.target}×: met` : `  target ≤ ${row.target}×: MISSED`;
	if (row.target !== undefined && row.ratio > row.target) missed++;
	console.log(`  ${row.name.padEnd(40)} ${row.medianMs.toFixed(1).padStart(7)} ms  ${row.ratio.toFixed(2)}×${verdict}`);
}
process.exitCode = missed === 0 ? 0 : 1;
