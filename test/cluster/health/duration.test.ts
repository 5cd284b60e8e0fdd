import test from 'ava';
import { elapsed, humanDuration } from '../../../source/cluster/health/index.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

test('humanDuration prints ages as kubectl does', (t) => {
	const table: Array<[number, string]> = [
		[-3 * S, '<invalid>'],
		[-1500, '0s'],
		[0, '0s'],
		[45 * S, '45s'],
		[119 * S, '119s'],
		[2 * M, '2m'],
		[2 * M + 5 * S, '2m5s'],
		[9 * M + 59 * S, '9m59s'],
		[12 * M + 30 * S, '12m'],
		[179 * M, '179m'],
		[3 * H + 4 * M, '3h4m'],
		[5 * H, '5h'],
		[10 * H + 30 * M, '10h'],
		[47 * H, '47h'],
		[5 * D, '5d'],
		[3 * D + 4 * H, '3d4h'],
		[30 * D + 5 * H, '30d'],
		[800 * D, '2y70d'],
		[10 * 365 * D, '10y'],
	];
	for (const [ms, expected] of table) t.is(humanDuration(ms), expected, `${ms} ms`);
});

test('elapsed is a stopwatch with every unit', (t) => {
	t.deepEqual([0, 12 * S, 72 * S, 10 * M, H + 2 * M + 5 * S, -5].map(elapsed), ['0s', '12s', '1m12s', '10m0s', '1h2m5s', '0s']);
});
