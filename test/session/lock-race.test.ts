// The local lock's stale takeover raced by real processes: many runs find the same stale lock at once and
// exactly one of them wins; the others are refused naming the winner.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { stateDir } from '../../source/session/state-dir.js';

const LOCK_MODULE = fileURLToPath(new URL('../../source/session/lock.js', import.meta.url));

/** One contender: waits for the start time, tries the lock, prints the result and holds a win for a while. */
const CONTENDER = `
const { acquireLock } = await import(process.argv[1]);
const dir = process.argv[2];
const start = Number(process.argv[3]);
while (Date.now() < start) await new Promise((r) => setTimeout(r, 1));
try {
	const lock = await acquireLock(dir);
	console.log('won');
	await new Promise((r) => setTimeout(r, 1500));
	await lock.release();
} catch (error) {
	console.log(error.name === 'Error' && /another kubestrap run holds/.test(error.message) ? 'refused' : 'error ' + error.message);
}`;

function contender(dir: string, start: number): Promise<string> {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, ['--input-type=module', '-e', CONTENDER, LOCK_MODULE, dir, String(start)], { stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
		child.on('close', () => resolve(out.trim()));
	});
}

test('eight processes racing for one stale lock: exactly one takes it over, every round', async (t) => {
	for (let round = 0; round < 4; round++) {
		const dir = await stateDir(mkdtempSync(join(tmpdir(), 'ks-race-')), 'demo');
		// A lock left by a run of this machine that is gone.
		writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: 2 ** 22 + 999, host: hostname(), id: `dead${round}`, startedAt: '2026-01-01T00:00:00.000Z' }), { mode: 0o600 });
		const start = Date.now() + 700;
		const results = await Promise.all(Array.from({ length: 8 }, () => contender(dir, start)));
		t.is(results.filter((r) => r === 'won').length, 1, `round ${round}: ${results.join(', ')}`);
		t.deepEqual(results.filter((r) => r !== 'won' && r !== 'refused'), [], `round ${round}: ${results.join(', ')}`);
	}
});
