// One remote command on one SSH channel.
//
// How a command is stopped on timeout or abort: closing an SSH channel does not stop a pty-less remote
// process (it only loses its pipes), and the "signal" channel request reaches only the session's first
// process. So every command line is prefixed with `printf 'kubestrap-pid:%s\n' "$$" >&2; exec …`.
// sshd starts each session's shell with setsid(), so that pid is also the process-group id of everything
// the command starts; `exec` keeps the pid. The first stderr line carries it back (and is removed from
// the output), and killProcessGroup() signals the whole group over a second channel: TERM, a short grace,
// then KILL. Commands run with sudo are killed with the same sudo, since their processes belong to root.

import type { Ssh2Channel, Ssh2Client } from './ssh2-types.js';

const PID_MARKER = 'kubestrap-pid:';
// Lines a login shell may print before our marker (rc-file noise); past this, stop looking.
const MARKER_SEARCH_BYTES = 64 * 1024;

export function wrapCommand(commandLine: string): string {
	return `printf '${PID_MARKER}%s\\n' "$$" >&2; exec ${commandLine}`;
}

export interface ChannelOutcome {
	/** True when the remote side reported an exit status or signal; false when the channel just closed. */
	exited: boolean;
	code: number | null;
	signal: string | null;
	stdout: Buffer;
	stderr: Buffer;
}

export interface ChannelRun {
	/** The remote process (group) id, once the marker arrived; undefined if the channel closed first. */
	pid: Promise<number | undefined>;
	done: Promise<ChannelOutcome>;
	close(): void;
}

export interface ChannelOptions {
	stdin?: Buffer;
	onStdout?: (chunk: Buffer) => void;
	onStderr?: (chunk: Buffer) => void;
}

export function runOnChannel(client: Ssh2Client, command: string, options: ChannelOptions = {}): Promise<ChannelRun> {
	return new Promise((resolve, reject) => {
		try {
			client.exec(wrapCommand(command), (error, channel) => {
				if (error !== undefined && error !== null) {
					reject(error);
					return;
				}
				// Listeners go on here, synchronously: the command's output, exit status and close can arrive in
				// the same packet batch as the channel confirmation, before any awaiting code would resume.
				resolve(watchChannel(channel, options));
			});
		} catch (error) {
			reject(error);
		}
	});
}

function watchChannel(channel: Ssh2Channel, options: ChannelOptions): ChannelRun {
	let resolvePid: (pid: number | undefined) => void = () => {};
	const pid = new Promise<number | undefined>((resolve) => {
		resolvePid = resolve;
	});

	const stdoutChunks: Buffer[] = [];
	const stderrChunks: Buffer[] = [];
	let markerPending: Buffer | undefined = Buffer.alloc(0);

	const deliverStderr = (chunk: Buffer): void => {
		if (chunk.length === 0) {
			return;
		}
		stderrChunks.push(chunk);
		options.onStderr?.(chunk);
	};

	const onStderrData = (chunk: Buffer): void => {
		if (markerPending === undefined) {
			deliverStderr(chunk);
			return;
		}
		let pending: Buffer = Buffer.concat([markerPending, chunk]);
		let newline = pending.indexOf(0x0a);
		while (newline >= 0) {
			const line = pending.subarray(0, newline).toString('latin1');
			const rest = pending.subarray(newline + 1);
			if (line.startsWith(PID_MARKER) && /^\d+$/.test(line.slice(PID_MARKER.length))) {
				resolvePid(Number(line.slice(PID_MARKER.length)));
				markerPending = undefined;
				deliverStderr(rest);
				return;
			}
			deliverStderr(pending.subarray(0, newline + 1));
			pending = rest;
			newline = pending.indexOf(0x0a);
		}
		if (pending.length > MARKER_SEARCH_BYTES) {
			markerPending = undefined;
			resolvePid(undefined);
			deliverStderr(pending);
			return;
		}
		markerPending = pending;
	};

	let exited = false;
	let code: number | null = null;
	let signal: string | null = null;

	const done = new Promise<ChannelOutcome>((resolve) => {
		channel.on('data', (chunk: Buffer) => {
			stdoutChunks.push(chunk);
			options.onStdout?.(chunk);
		});
		channel.stderr.on('data', onStderrData);
		channel.on('exit', (exitCode: number | null, exitSignal?: string) => {
			exited = true;
			code = typeof exitCode === 'number' ? exitCode : null;
			signal = typeof exitSignal === 'string' ? exitSignal : null;
		});
		// Errors on a channel end in 'close' as well; the outcome (exited or not) tells what happened.
		channel.on('error', () => {});
		channel.on('close', () => {
			// Let data events already queued for this tick land before the outcome is read.
			setImmediate(() => {
				if (markerPending !== undefined) {
					deliverStderr(markerPending);
					markerPending = undefined;
				}
				resolvePid(undefined);
				resolve({
					exited,
					code,
					signal,
					stdout: Buffer.concat(stdoutChunks),
					stderr: Buffer.concat(stderrChunks),
				});
			});
		});
	});

	if (options.stdin !== undefined && options.stdin.length > 0) {
		channel.end(options.stdin);
	} else {
		channel.end();
	}

	return {
		pid,
		done,
		close: () => {
			try {
				channel.close();
			} catch {
				// Already closed with its connection.
			}
		},
	};
}

const KILL_SCRIPT = [
	'kill -TERM "-$1" 2>/dev/null || exit 0',
	'i=0',
	'while [ "$i" -lt 20 ] && kill -0 "-$1" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done',
	'kill -KILL "-$1" 2>/dev/null',
	'exit 0',
].join('; ');

/** argv of the remote command that ends a process group: TERM, up to 2 s grace, then KILL. */
export function killGroupArgv(pid: number): string[] {
	return ['sh', '-c', KILL_SCRIPT, 'sh', String(pid)];
}
