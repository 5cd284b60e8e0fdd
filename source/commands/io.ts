// What a command may touch of the outside world, passed in by cli.tsx (the only file that reads
// argv, env and the TTY), so commands stay testable and never reach for globals.
import { resolve } from 'node:path';
import type { Problem } from '../spec/types.js';
import { LocalFileError, readBounded } from '../files/bounded-read.js';
import { writeFileSafely } from '../files/safe-write.js';

export { EXIT } from './exit.js';

export interface Io {
	stdout: (text: string) => void;
	stderr: (text: string) => void;
	cwd: string;
	env: Record<string, string | undefined>;
	isTTY: boolean;
	/** aborted on the first Ctrl-C (cli.tsx exits 130 on the second) */
	signal?: AbortSignal;
	/** the terminal live views draw on (stderr), when there is one */
	terminal?: NodeJS.WriteStream;
	/** false with NO_COLOR or a dumb terminal */
	color?: boolean;
	/** reads a secret (passphrase, sudo password) from the terminal without echo; absent without one */
	askSecret?: (prompt: string) => Promise<string>;
	/** stdin and stdout when both are a terminal: the wizard runs on them */
	tty?: { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream };
}


/** Reads a config file with the size limit applied before the read, so a huge file is never loaded. */
export async function readConfigFile(path: string, cwd: string): Promise<{ content: Uint8Array; name: string } | Problem> {
	const full = resolve(cwd, path);
	try {
		return { content: await readBounded(full, 'config file'), name: path };
	} catch (error) {
		if (!(error instanceof LocalFileError)) throw error;
		switch (error.problem) {
			case 'missing':
				return { path, message: 'file not found' };
			case 'too-large':
				return { path, message: 'file is larger than 1 MiB; a cluster config is a few kilobytes' };
			default:
				return { path, message: error.message.slice(`config file ${full}: `.length) };
		}
	}
}

/** Writes through a temp file and a rename; refuses targets that are not regular files (see files/safe-write.ts). */
export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
	await writeFileSafely(path, content, mode);
}
