// What a command may touch of the outside world, passed in by cli.tsx (the only file that reads
// argv, env and the TTY), so commands stay testable and never reach for globals.
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Problem } from '../spec/types.js';
import { MAX_CONFIG_BYTES } from '../spec/limits.js';

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
	/** reads one line typed on the terminal (echoed), for typed confirmations; absent without one */
	askLine?: (prompt: string) => Promise<string>;
	/** stdin and stdout when both are a terminal: the wizard runs on them */
	tty?: { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream };
}

/** Reads a config file with the size limit applied before the read, so a huge file is never loaded. */
export async function readConfigFile(path: string, cwd: string): Promise<{ content: Uint8Array; name: string } | Problem> {
	const full = resolve(cwd, path);
	try {
		const info = await stat(full);
		if (!info.isFile()) return { path, message: 'is not a file' };
		if (info.size > MAX_CONFIG_BYTES) return { path, message: 'file is larger than 1 MiB; a cluster config is a few kilobytes' };
		return { content: await readFile(full), name: path };
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		return { path, message: code === 'ENOENT' ? 'file not found' : `cannot read it (${code ?? String(error)})` };
	}
}

/** The SSH identity of the user running kubestrap: the agent, home and the terminal for passphrases. */
export function sshIdentity(io: Io): { agent: string | false; home?: string; askSecret?: (prompt: string) => Promise<string> } {
	return {
		agent: io.env['SSH_AUTH_SOCK'] ?? false,
		...(io.env['HOME'] ? { home: io.env['HOME'] } : {}),
		...(io.askSecret ? { askSecret: io.askSecret } : {}),
	};
}
