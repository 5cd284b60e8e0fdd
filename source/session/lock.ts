// One run per cluster at a time: an O_EXCL lock file holding the owner's pid and host name.
// A lock whose process is gone (same machine) is stale and taken over.
import { hostname } from 'node:os';
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface Lock {
	release(): Promise<void>;
}

export class LockedError extends Error {
	constructor(readonly path: string, readonly owner: string) {
		super(`another kubestrap run holds ${path} (${owner}); wait for it to finish, or remove the file if that run is gone`);
	}
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

export async function acquireLock(dir: string, pid: number = process.pid): Promise<Lock> {
	const path = join(dir, 'lock');
	const body = JSON.stringify({ pid, host: hostname(), startedAt: new Date().toISOString() });
	for (let attempt = 0; attempt < 2; attempt++) {
		try {
			const handle = await open(path, 'wx', 0o600);
			await handle.writeFile(body);
			await handle.close();
			return { release: () => rm(path, { force: true }) };
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			let owner: { pid?: number; host?: string } = {};
			try {
				owner = JSON.parse(await readFile(path, 'utf8')) as typeof owner;
			} catch {
				// Unreadable lock: treat as held, the message names the file.
			}
			const stale = owner.host === hostname() && typeof owner.pid === 'number' && !alive(owner.pid);
			if (!stale) throw new LockedError(path, `pid ${owner.pid ?? '?'} on ${owner.host ?? '?'}`);
			await rm(path, { force: true });
		}
	}
	throw new LockedError(path, 'could not take over a stale lock');
}
