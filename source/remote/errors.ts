// Typed failures of the remote layer. Every message names the host, so a run over many hosts can be read
// without context; `retryable` tells the connect loop and the step runner whether trying again can help.

import { stripControls } from './sanitize.js';

export type RemoteErrorKind = 'unreachable' | 'auth' | 'host-key' | 'timeout' | 'command' | 'aborted';

export interface RemoteErrorInit {
	kind: RemoteErrorKind;
	host: string;
	message: string;
	retryable: boolean;
	cause?: unknown;
	/** The command (argv[0] and subcommand) a command/timeout/aborted error is about. */
	command?: string;
	exitCode?: number | null;
	stderrTail?: string;
}

export class RemoteError extends Error {
	readonly kind: RemoteErrorKind;
	readonly host: string;
	readonly retryable: boolean;
	readonly command: string | undefined;
	readonly exitCode: number | null | undefined;
	readonly stderrTail: string | undefined;

	constructor(init: RemoteErrorInit) {
		super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
		this.name = 'RemoteError';
		this.kind = init.kind;
		this.host = init.host;
		this.retryable = init.retryable;
		this.command = init.command;
		this.exitCode = init.exitCode;
		this.stderrTail = init.stderrTail;
	}
}

export interface KeyFingerprint {
	type: string;
	fingerprint: string;
}

/** unexpected: unknown to known_hosts and not one of the keys an out-of-band source (EC2 console output) vouches for. */
export type HostKeyProblem = 'changed' | 'unknown' | 'revoked' | 'unexpected';

export class HostKeyError extends RemoteError {
	readonly problem: HostKeyProblem;
	readonly port: number;
	readonly presented: KeyFingerprint;
	readonly expected: readonly KeyFingerprint[];
	readonly knownHostsFile: string;

	constructor(init: {
		host: string;
		port: number;
		problem: HostKeyProblem;
		presented: KeyFingerprint;
		expected: readonly KeyFingerprint[];
		knownHostsFile: string;
		/** Appended to the message, e.g. why a matching @cert-authority line did not help. */
		note?: string;
		/** For 'unexpected': where the expected fingerprints came from. */
		source?: string;
	}) {
		const message = hostKeyMessage(init);
		super({ kind: 'host-key', host: init.host, retryable: false, message: init.note === undefined ? message : `${message} (${init.note})` });
		this.name = 'HostKeyError';
		this.problem = init.problem;
		this.port = init.port;
		this.presented = init.presented;
		this.expected = init.expected;
		this.knownHostsFile = init.knownHostsFile;
	}
}

function hostKeyMessage(init: {
	host: string;
	port: number;
	problem: HostKeyProblem;
	presented: KeyFingerprint;
	expected: readonly KeyFingerprint[];
	knownHostsFile: string;
	source?: string;
}): string {
	const where = init.port === 22 ? init.host : `[${init.host}]:${init.port}`;
	const presented = `${init.presented.type} ${init.presented.fingerprint}`;
	switch (init.problem) {
		case 'changed': {
			const expected = init.expected.map((key) => `${key.type} ${key.fingerprint}`).join(', ');
			return `host ${where}: HOST KEY CHANGED, refusing to connect (possible man-in-the-middle). `
				+ `Expected ${expected} from ${init.knownHostsFile}, presented ${presented}. `
				+ 'If the host was really reinstalled, remove its old entry (ssh-keygen -R) and connect again.';
		}
		case 'unexpected': {
			const expected = init.expected.map((key) => `${key.type} ${key.fingerprint}`).join(', ');
			return `host ${where}: host key ${presented} does not match the host keys ${init.source ?? 'the trusted source'} shows (${expected}); `
				+ 'refusing to connect (possible man-in-the-middle). If the host\'s keys were regenerated since, verify the new key another way '
				+ `and add it to ${init.knownHostsFile}.`;
		}
		case 'revoked':
			return `host ${where}: presented host key ${presented} is marked @revoked in ${init.knownHostsFile}`;
		case 'unknown':
			return `host ${where}: host key ${presented} is not in ${init.knownHostsFile} and the host key policy is strict. `
				+ 'Verify the fingerprint and add it (ssh-keyscan, or connect once with ssh), or use hostKeyPolicy accept-new.';
	}
}

/** A short, secret-free name for a command in messages: the program and its first non-flag word. */
export function commandName(argv: readonly string[]): string {
	const [program, ...rest] = argv;
	const sub = rest.find((arg) => !arg.startsWith('-'));
	const base = (program ?? '').split('/').pop() ?? '';
	return sub !== undefined && /^[a-z][a-z0-9-]*$/.test(sub) ? `${base} ${sub}` : base;
}

/** The last lines of a command's output for an error message, with terminal controls stripped. */
export function tail(text: string, lines = 20): string {
	const all = stripControls(text).replace(/\n+$/, '').split('\n');
	return all.slice(-lines).join('\n');
}
