// One run per cluster at a time: an O_EXCL lock file holding the owner's pid, host name and a random id.
// A lock whose process is gone (same machine) is stale and taken over. The takeover is atomic: only the
// run that creates the directory `lock.takeover.<id of the stale lock>` (mkdir succeeds once) may remove
// that stale lock, and it checks under that guard that the lock is still the stale one; every other
// racer finds the guard taken or a new lock in place and is refused. New locks are only ever made with
// O_EXCL, so two racing takers can never both win.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, open, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { alive } from '../steps/pid-alive.js';

export interface Lock {
	release(): Promise<void>;
}

export interface LockOwner {
	pid?: number;
	host?: string;
	id?: string;
	startedAt?: string;
}

export class LockedError extends Error {
	constructor(readonly path: string, readonly owner: string) {
		super(`another kubestrap run holds ${path} (${owner}); wait for it to finish, or remove the file if that run is gone`);
	}
}

/** A takeover guard older than this was left by a run that died in the middle of a takeover. */
const ABANDONED_GUARD_MS = 60_000;

async function readOwner(path: string): Promise<LockOwner | undefined> {
	let text: string;
	try {
		text = await readFile(path, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw error;
	}
	try {
		return JSON.parse(text) as LockOwner;
	} catch {
		// Unreadable lock: treated as held, the message names the file.
		return {};
	}
}

function describeOwner(owner: LockOwner): string {
	return `pid ${owner.pid ?? '?'} on ${owner.host ?? '?'}`;
}

/** Removes the stale lock `owner` if this run wins its takeover guard; true when the lock is gone. */
async function takeOver(dir: string, path: string, owner: LockOwner): Promise<boolean> {
	// A lock written before locks had an id is named by its pid and start time.
	const name = (owner.id ?? `${owner.pid ?? ''}-${owner.startedAt ?? ''}`).replace(/[^A-Za-z0-9_-]/g, '_');
	const guard = join(dir, `lock.takeover.${name}`);
	try {
		await mkdir(guard, { mode: 0o700 });
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		const age = await stat(guard).then((s) => Date.now() - s.mtimeMs, () => 0);
		if (age < ABANDONED_GUARD_MS) return false;
		await rmdir(guard).catch(() => undefined);
		return false;
	}
	try {
		// Under the guard nobody else removes this stale lock; it is still there unless a new one replaced it.
		const now = await readOwner(path);
		if (now === undefined) return true;
		if (JSON.stringify(now) !== JSON.stringify(owner)) return false;
		await rm(path, { force: true });
		return true;
	} finally {
		await rmdir(guard).catch(() => undefined);
	}
}

export async function acquireLock(dir: string, pid: number = process.pid): Promise<Lock> {
	const path = join(dir, 'lock');
	const id = randomBytes(8).toString('hex');
	const body = JSON.stringify({ pid, host: hostname(), id, startedAt: new Date().toISOString() });
	let last: LockOwner = {};
	for (let attempt = 0; attempt < 3; attempt++) {
		try {
			const handle = await open(path, 'wx', 0o600);
			await handle.writeFile(body);
			await handle.close();
			return {
				async release() {
					// Only our own lock is removed: after a takeover by another run the file is theirs.
					const now = await readOwner(path).catch(() => undefined);
					if (now?.id === id) await rm(path, { force: true });
				},
			};
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			const owner = await readOwner(path);
			if (owner === undefined) continue;
			last = owner;
			const stale = owner.host === hostname() && typeof owner.pid === 'number' && !alive(owner.pid);
			if (!stale) throw new LockedError(path, describeOwner(owner));
			if (!(await takeOver(dir, path, owner))) {
				const current = await readOwner(path);
				if (current !== undefined) throw new LockedError(path, describeOwner(current));
			}
		}
	}
	throw new LockedError(path, `${describeOwner(last)}; could not take over the stale lock`);
}
