// What a command may touch of the outside world, passed in by cli.tsx (the only file that reads
// argv, env and the TTY) as decided values, so commands stay testable and never reach for globals.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Problem } from '../spec/types.js';
import { LocalFileError, readBounded } from '../files/bounded-read.js';

export { EXIT } from './exit.js';

export interface Io {
	stdout: (text: string) => void;
	stderr: (text: string) => void;
	cwd: string;
	/** the SSH agent socket (SSH_AUTH_SOCK); absent: no agent */
	agent?: string;
	/** the home directory ~ stands for (HOME) */
	home?: string;
	/** AWS_REGION, else AWS_DEFAULT_REGION */
	awsRegion?: string;
	/** AWS_PROFILE */
	awsProfile?: string;
	/** AWS credential values from the environment: scrubbed from every message, never printed */
	awsSecrets?: readonly string[];
	/** PATH, where a local kubectl is looked for */
	searchPath?: string;
	/** the environment handed on unchanged to programs kubestrap starts (a local kubectl) */
	childEnv?: Readonly<Record<string, string | undefined>>;
	/** colour on the interactive terminal (the wizard): off with NO_COLOR or a dumb terminal */
	ttyColor?: boolean;
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
	/** the command line as typed (after `kubestrap`), for hints that print the command to run again */
	argv?: readonly string[];
	/** told of every input problem printed (-o json puts them in its error object) */
	onProblems?: (problems: readonly Problem[]) => void;
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

/** The SSH identity of the user running kubestrap: the agent, home and the terminal for passphrases. */
export function sshIdentity(io: Io): { agent: string | false; home?: string; askSecret?: (prompt: string) => Promise<string> } {
	return {
		agent: io.agent ?? false,
		...(io.home ? { home: io.home } : {}),
		...(io.askSecret ? { askSecret: io.askSecret } : {}),
	};
}

/** True when `program` is a file in one of the directories of the search path (PATH as cli.tsx decided it). */
export function onSearchPath(program: string, searchPath: string | undefined): boolean {
	return (searchPath ?? '').split(':').some((dir) => dir !== '' && existsSync(resolve(dir, program)));
}

/** --ask-sudo-password: asked once on the terminal, hidden; refused (with the reason printed) without one. */
export async function askSudoPassword(wanted: boolean, io: Io): Promise<{ ok: true; password?: string } | { ok: false }> {
	if (!wanted) return { ok: true };
	if (!io.askSecret) {
		io.stderr('--ask-sudo-password needs a terminal to read the password from\n');
		return { ok: false };
	}
	return { ok: true, password: await io.askSecret('sudo password (asked once, used for every host): ') };
}

/** A whole-number flag: the fallback when it is absent, else 1 up to max (9999 without one); a string names the problem. */
export function wholeFlag(value: string | undefined, fallback: number, flag: string, max?: number): number | string {
	if (value === undefined) return fallback;
	const ok = /^\d{1,4}$/.test(value) && Number(value) > 0 && (max === undefined || Number(value) <= max);
	return ok ? Number(value) : `${flag} ${JSON.stringify(value)} must be a whole number ${max === undefined ? 'above 0' : `from 1 to ${max}`}`;
}

/** Among parsed flag values, a string is the problem: the first is printed and true returned (exit 2 follows). */
export function flagProblem(io: Io, values: ReadonlyArray<number | string>): boolean {
	const problem = values.find((value): value is string => typeof value === 'string');
	if (problem === undefined) return false;
	io.stderr(`${problem}\n`);
	return true;
}
