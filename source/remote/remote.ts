// What the install steps see of a host. The real implementation is connect(); step tests use a scripted fake.

import type { Redactor } from './redact.js';

export type OutputStream = 'stdout' | 'stderr';

export interface ExecOptions {
	/** Run through `sudo -n --` (or `sudo -k -S -p '' --` with the password on stdin when one was configured). */
	sudo?: boolean;
	/** Bytes for the command's stdin, then EOF. Without it stdin is closed at once. */
	stdin?: string | Buffer;
	/** The remote process group is killed when this runs out; the call rejects with kind 'timeout'. */
	timeoutMs?: number;
	/** Each complete output line as it arrives (redacted). */
	onLine?: (stream: OutputStream, line: string) => void;
	/** Aborting kills the remote process group; the call rejects with kind 'aborted'. */
	signal?: AbortSignal;
	/** Overrides the connection's redactor for this call. */
	redactor?: Redactor;
	/**
	 * The caller needs stdout verbatim because it is a secret it will register itself (a join command,
	 * a certificate key): stdout is then neither redacted nor passed to onLine.
	 */
	secretOutput?: boolean;
}

export interface ExecResult {
	/** Exit status; null when the process was ended by a signal. */
	code: number | null;
	/** Signal name such as SIGTERM when the process was ended by one. */
	signal: string | null;
	stdout: string;
	stderr: string;
}

export interface UploadOptions {
	/** File mode of the result. Default 0o600: pass 0o644 for files other users must read (e.g. apt keyrings). */
	mode?: number;
	/** Write as root: staged in a private temp dir as the login user, then installed with sudo. */
	sudo?: boolean;
	timeoutMs?: number;
	signal?: AbortSignal;
}

export interface DownloadOptions {
	sudo?: boolean;
	timeoutMs?: number;
	signal?: AbortSignal;
}

export interface RemoteStats {
	/** SSH connections opened to this host (the first connect and every reconnect). */
	connectionsOpened: number;
	/** SSH connections opened to bastion hops on the way. */
	hopConnectionsOpened: number;
	/** Connection attempts, failed ones included. */
	connectAttempts: number;
	/** Remote commands started (exec, and the commands behind upload and download). */
	commandsRun: number;
}

export interface Remote {
	/** The host as the user named it (spec address or ssh config alias). */
	readonly host: string;
	readonly stats: Readonly<RemoteStats>;
	exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
	/** Temp file in the target directory, sha256 checked on the host, chmod, then an atomic rename. */
	upload(content: string | Buffer, remotePath: string, options?: UploadOptions): Promise<void>;
	download(remotePath: string, options?: DownloadOptions): Promise<Buffer>;
	close(): Promise<void>;
}
