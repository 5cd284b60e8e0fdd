// Process listings from the test machine's /proc: which processes belong to a test host (by mount
// namespace), and whether any process's command line shows a secret (the "no secrets in argv" check).

import { readdir, readFile, readlink } from 'node:fs/promises';

export interface ProcessInfo {
	pid: number;
	/** argv joined with spaces. */
	cmdline: string;
	/** Mount-namespace id, e.g. mnt:[4026532177]. */
	mountNamespace: string | undefined;
}

export async function listProcesses(): Promise<ProcessInfo[]> {
	const entries = await readdir('/proc');
	const found = await Promise.all(entries.filter((name) => /^\d+$/.test(name)).map(async (name) => {
		try {
			const raw = await readFile(`/proc/${name}/cmdline`);
			const mountNamespace = await readlink(`/proc/${name}/ns/mnt`).catch(() => undefined);
			const cmdline = raw.toString('utf8').replace(/\0+$/, '').split('\0').join(' ');
			return { pid: Number(name), cmdline, mountNamespace };
		} catch {
			// The process ended while we looked.
			return undefined;
		}
	}));
	return found.filter((info): info is ProcessInfo => info !== undefined);
}

export interface CanaryHit {
	pid: number;
	cmdline: string;
	canary: string;
}

export async function scanCmdlines(canaries: readonly string[]): Promise<CanaryHit[]> {
	const wanted = canaries.filter((canary) => canary !== '');
	const hits: CanaryHit[] = [];
	for (const info of await listProcesses()) {
		for (const canary of wanted) {
			if (info.cmdline.includes(canary)) {
				hits.push({ pid: info.pid, cmdline: info.cmdline, canary });
			}
		}
	}
	return hits;
}

export interface CmdlineWatch {
	/** Stops sampling and returns every hit seen (deduplicated by pid and canary), plus the sample count. */
	stop(): Promise<{ hits: CanaryHit[]; samples: number }>;
}

/** Samples every process's command line every intervalMs until stopped. canaries() is re-read each time. */
export function watchCmdlines(canaries: () => readonly string[], intervalMs = 50): CmdlineWatch {
	const hits = new Map<string, CanaryHit>();
	let samples = 0;
	let running = true;
	const loop = (async () => {
		while (running) {
			for (const hit of await scanCmdlines(canaries())) {
				hits.set(`${hit.pid}\0${hit.canary}`, hit);
			}
			samples++;
			await new Promise((resolve) => setTimeout(resolve, intervalMs));
		}
	})();
	return {
		stop: async () => {
			running = false;
			await loop;
			return { hits: [...hits.values()], samples };
		},
	};
}
