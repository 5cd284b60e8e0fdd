// Removing a cluster's or a host's entries from the local journal after a reset: a host that was reset
// has nothing left of what the journal says was done there, so a later install must not read it as done.
import { readFile, rm, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalData } from './journal.js';

export async function clearJournal(dir: string): Promise<void> {
	await rm(join(dir, 'journal.json'), { force: true });
}

export async function forgetHosts(dir: string, hosts: readonly string[]): Promise<void> {
	const path = join(dir, 'journal.json');
	let data: JournalData;
	try {
		data = JSON.parse(await readFile(path, 'utf8')) as JournalData;
	} catch {
		return;
	}
	for (const key of Object.keys(data.entries)) if (hosts.some((host) => key.endsWith(`@${host}`))) delete data.entries[key];
	await writeFile(`${path}.tmp`, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
	await rename(`${path}.tmp`, path);
}
