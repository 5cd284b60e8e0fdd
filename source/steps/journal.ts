// The local journal: which step finished on which host. A re-run reads it to resume, but every step
// still checks the host's real state before acting, so a stale journal can never skip real work.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type EntryStatus = 'done' | 'failed';

export interface JournalEntry {
	status: EntryStatus;
	at: string;
	error?: string;
}

export interface JournalData {
	version: 1;
	cluster: string;
	runs: number;
	entries: Record<string, JournalEntry>;
	/** values a later run must reuse rather than decide again (e.g. the exact Kubernetes version installed) */
	values?: Record<string, string>;
}

export interface Journal {
	data: JournalData;
	record(step: string, host: string, status: EntryStatus, error?: string): Promise<void>;
	get(step: string, host: string): JournalEntry | undefined;
	/** a recorded value, or undefined */
	value(name: string): string | undefined;
	/** records a value for later runs */
	remember(name: string, value: string): Promise<void>;
	path: string;
}

function key(step: string, host: string): string {
	return `${step}@${host}`;
}

async function save(path: string, data: JournalData): Promise<void> {
	const temp = `${path}.tmp`;
	await writeFile(temp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600, flush: true });
	await rename(temp, path);
}

export async function openJournal(dir: string, cluster: string, now: () => Date = () => new Date()): Promise<Journal> {
	const path = join(dir, 'journal.json');
	let data: JournalData = { version: 1, cluster, runs: 0, entries: {} };
	try {
		const parsed = JSON.parse(await readFile(path, 'utf8')) as JournalData;
		if (parsed.version === 1 && parsed.cluster === cluster && typeof parsed.entries === 'object') data = parsed;
	} catch {
		// No journal yet (or an unreadable one): start fresh; host state checks decide what runs.
	}
	data.runs += 1;
	await save(path, data);
	// Writes are serialised so parallel hosts never interleave two renames of the same file.
	let queue: Promise<void> = Promise.resolve();
	return {
		data,
		path,
		get: (step, host) => data.entries[key(step, host)],
		value: (name) => data.values?.[name],
		remember(name, value) {
			data.values = { ...data.values, [name]: value };
			queue = queue.then(() => save(path, data));
			return queue;
		},
		record(step, host, status, error) {
			data.entries[key(step, host)] = { status, at: now().toISOString(), ...(error ? { error } : {}) };
			queue = queue.then(() => save(path, data));
			return queue;
		},
	};
}
