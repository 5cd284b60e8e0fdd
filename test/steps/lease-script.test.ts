// The lease script itself, run by a real sh with flock in a scratch directory (instead of
// /var/lib/kubestrap): acquire, refuse, refresh, take over only the lease judged stale, release; and eight
// processes racing to take over one stale lease, of which exactly one wins.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { LEASE_DIR, LEASE_SCRIPT, takeLease } from '../../source/steps/list/lease.js';
import type { StepHost } from '../../source/steps/types.js';
import { stepHarness } from './_step-harness.js';

function runScript(dir: string, args: [string, string, string, string]): Promise<string[]> {
	const script = LEASE_SCRIPT.split(LEASE_DIR).join(dir);
	return new Promise((resolve, reject) => {
		const child = spawn('sh', ['-c', script, 'sh', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		let err = '';
		child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
		child.on('close', (code) => (code === 0 ? resolve(out.split('\n')) : reject(new Error(`exit ${code}: ${err}`))));
	});
}

test('acquire, refuse, refresh, take over by id only, release', async (t) => {
	const dir = join(mkdtempSync(join(tmpdir(), 'ks-lease-')), 'kubestrap');
	t.is((await runScript(dir, ['acquire', 'A', '{"user":"a"}', '']))[0], 'acquired');
	const held = await runScript(dir, ['acquire', 'B', '{"user":"b"}', '']);
	t.deepEqual([held[0], held[2], held[3]], ['held', 'A', '{"user":"a"}']);
	t.regex(held[1] ?? '', /^\d+$/);
	t.is((await runScript(dir, ['acquire', 'B', '{"user":"b"}', 'not-A']))[0], 'held', 'a takeover of another lease than the one there is refused');
	t.is((await runScript(dir, ['refresh', 'A', '', '']))[0], 'refreshed');
	t.is((await runScript(dir, ['acquire', 'B', '{"user":"b"}', 'A']))[0], 'taken');
	const lost = await runScript(dir, ['refresh', 'A', '', '']);
	t.deepEqual([lost[0], lost[2]], ['lost', 'B'], 'the old holder learns its lease was taken over');
	t.is((await runScript(dir, ['release', 'A', '', '']))[0], 'released');
	t.regex(readFileSync(join(dir, 'lease'), 'utf8'), /^B\n/, 'releasing someone else\'s lease leaves it');
	t.is((await runScript(dir, ['release', 'B', '', '']))[0], 'released');
	t.false(existsSync(dir), 'the directory goes with the last lease');
});

test('eight processes taking over the same stale lease at once: exactly one wins', async (t) => {
	for (let round = 0; round < 3; round++) {
		const dir = join(mkdtempSync(join(tmpdir(), 'ks-lease-race-')), 'kubestrap');
		await runScript(dir, ['acquire', 'STALE', '{}', '']);
		const results = await Promise.all(Array.from({ length: 8 }, (_, i) => runScript(dir, ['acquire', `R${i}`, '{}', 'STALE'])));
		const verdicts = results.map((lines) => lines[0]);
		t.is(verdicts.filter((v) => v === 'taken').length, 1, verdicts.join(', '));
		t.is(verdicts.filter((v) => v === 'held').length, 7, verdicts.join(', '));
	}
});

/** A host whose commands run in a local sh, the lease directory moved to a scratch one. */
function localHost(dir: string): StepHost {
	const remote = {
		async exec(argv: readonly string[]) {
			const args = argv.map((arg) => arg.split(LEASE_DIR).join(dir));
			return new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
				const child = spawn(args[0] ?? 'false', args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
				let stdout = '';
				let stderr = '';
				child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
				child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
				child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
			});
		},
		upload: async () => undefined,
		download: async () => Buffer.from(''),
	};
	return { host: { address: '192.0.2.10', role: 'control-plane' }, id: '192.0.2.10', remote };
}

test('a held lease is refreshed while the run goes on, and released by the session close', async (t) => {
	const dir = join(mkdtempSync(join(tmpdir(), 'ks-lease-hold-')), 'kubestrap');
	const h = stepHarness();
	const closing: Array<() => Promise<void>> = [];
	h.ctx.onClose = (work) => void closing.push(work);
	const host = localHost(dir);
	await takeLease(h.ctx, host, { user: 'ops', machine: 'jump-1', pid: process.pid, cwd: '/srv', command: 'kubestrap install' }, 100);
	const lease = join(dir, 'lease');
	t.regex(readFileSync(lease, 'utf8'), /"user":"ops","machine":"jump-1"/);
	const old = new Date(Date.now() - 3600_000);
	utimesSync(lease, old, old);
	await new Promise((resolve) => setTimeout(resolve, 600));
	t.true(Date.now() - statSync(lease).mtimeMs < 60_000, 'refreshed: the hour-old mtime was touched');
	t.is(closing.length, 1);
	await closing[0]!();
	t.false(existsSync(dir), 'released');
});
