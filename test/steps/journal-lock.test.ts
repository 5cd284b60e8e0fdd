import { mkdtempSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostname } from 'node:os';
import test from 'ava';
import { openJournal } from '../../source/steps/journal.js';
import { acquireLock, LockedError } from '../../source/session/lock.js';
import { stateDir } from '../../source/session/state-dir.js';

test('the journal records per step and host, survives a reopen, and is 0600 in a 0700 dir', async (t) => {
	const dir = await stateDir(mkdtempSync(join(tmpdir(), 'ks-j-')), 'demo');
	t.is(statSync(dir).mode & 0o777, 0o700);
	const journal = await openJournal(dir, 'demo');
	await Promise.all([journal.record('prepare', 'a', 'done'), journal.record('prepare', 'b', 'failed', 'exit 1')]);
	t.is(statSync(journal.path).mode & 0o777, 0o600);
	const again = await openJournal(dir, 'demo');
	t.is(again.data.runs, 2);
	t.is(again.get('prepare', 'a')?.status, 'done');
	t.is(again.get('prepare', 'b')?.error, 'exit 1');
	t.is(again.get('prepare', 'c'), undefined);
});

test('an unreadable journal starts fresh', async (t) => {
	const dir = await stateDir(mkdtempSync(join(tmpdir(), 'ks-j-')), 'demo');
	writeFileSync(join(dir, 'journal.json'), '{not json');
	const journal = await openJournal(dir, 'demo');
	t.deepEqual(journal.data.entries, {});
	t.regex(readFileSync(journal.path, 'utf8'), /"runs": 1/);
});

test('a second run is refused while the lock is held; a stale lock is taken over', async (t) => {
	const dir = await stateDir(mkdtempSync(join(tmpdir(), 'ks-l-')), 'demo');
	const lock = await acquireLock(dir);
	t.is(statSync(join(dir, 'lock')).mode & 0o777, 0o600);
	const error = await t.throwsAsync(acquireLock(dir), { instanceOf: LockedError });
	t.regex(error?.message ?? '', /another kubestrap run holds .*lock \(pid \d+ on /);
	await lock.release();
	writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname() }));
	const taken = await acquireLock(dir);
	await taken.release();
	t.pass();
});
