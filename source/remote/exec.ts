// exec on a connected host: argv → one quoted command line, optional sudo, timeout/abort that really stop
// the remote processes, output streamed line by line, secrets redacted, sudo failures explained.

import { commandLine } from './quote.js';
import { killGroupArgv, runOnChannel, type ChannelOutcome, type ChannelRun } from './channel.js';
import { RemoteError, commandName, tail } from './errors.js';
import { createLineSplitter } from './line-splitter.js';
import type { Redactor } from './redact.js';
import type { ExecOptions, ExecResult, RemoteStats } from './remote.js';
import type { Ssh2Client } from './ssh2-types.js';

export interface SudoMode {
	argv: readonly string[];
	/** Sent before the command's own stdin (the sudo password line). */
	stdinPrefix?: Buffer;
}

export interface ExecContext {
	host: string;
	user: string;
	/** The live connection, reconnecting when it was lost. */
	connection: () => Promise<Ssh2Client>;
	isLost: (client: Ssh2Client) => boolean;
	/** The connection failed in a way that shows it is gone, even if ssh2 has not said so yet. */
	markLost: (client: Ssh2Client) => void;
	sudo: () => Promise<SudoMode>;
	/** Bounds concurrent channels on one connection (sshd's MaxSessions is 10 by default). */
	schedule: <T>(task: () => Promise<T>) => Promise<T>;
	redactor: Redactor | undefined;
	stats: RemoteStats;
}

export interface RawExecOptions {
	sudo?: boolean;
	stdin?: Buffer;
	timeoutMs?: number;
	signal?: AbortSignal;
	onStdout?: (chunk: Buffer) => void;
	onStderr?: (chunk: Buffer) => void;
	redactor?: Redactor;
}

export interface RawExecResult {
	code: number | null;
	signal: string | null;
	stdout: Buffer;
	stderr: Buffer;
}

const KILL_GRACE_MS = 5_000;
const PID_WAIT_MS = 1_000;
const CHANNEL_OPEN_ATTEMPTS = 6;

export const SUDO_NOPASSWD: SudoMode = { argv: ['sudo', '-n', '--'] };

/** `-k` so a cached sudo timestamp can never make sudo skip the password and hand it to the command instead. */
export function sudoWithPassword(password: string): SudoMode {
	return { argv: ['sudo', '-k', '-S', '-p', '', '--'], stdinPrefix: Buffer.from(`${password}\n`) };
}

export async function execRaw(context: ExecContext, argv: readonly string[], options: RawExecOptions = {}): Promise<RawExecResult> {
	if (argv.length === 0) {
		throw new Error('exec needs at least a program name');
	}
	const redact = redactWith(options.redactor ?? context.redactor);
	const name = redact(commandName(argv));
	if (options.signal?.aborted === true) {
		throw new RemoteError({
			kind: 'aborted',
			host: context.host,
			retryable: false,
			command: name,
			message: `host ${context.host}: '${name}' was not started: interrupted`,
		});
	}

	let client = await context.connection();
	const sudo = options.sudo === true ? await context.sudo() : undefined;
	const line = commandLine([...(sudo?.argv ?? []), ...argv]);
	const stdin = sudo?.stdinPrefix === undefined
		? options.stdin
		: Buffer.concat([sudo.stdinPrefix, options.stdin ?? Buffer.alloc(0)]);
	const channelOptions = {
		...(stdin === undefined ? {} : { stdin }),
		...(options.onStdout === undefined ? {} : { onStdout: options.onStdout }),
		...(options.onStderr === undefined ? {} : { onStderr: options.onStderr }),
	};

	return context.schedule(async () => {
		let run: ChannelRun;
		try {
			run = await openWithRetry(() => runOnChannel(client, line, channelOptions));
		} catch (error) {
			const reason = error instanceof Error ? error.message : String(error);
			if (!context.isLost(client) && !/not connected|no response|closed|ECONNRESET|EPIPE|write after end/i.test(reason)) {
				// The server keeps refusing sessions, but the connection itself is fine.
				throw new RemoteError({
					kind: 'unreachable',
					host: context.host,
					retryable: true,
					command: name,
					message: `host ${context.host}: could not start '${name}': ${reason}`,
					cause: error,
				});
			}
			// The connection died since the last command and nothing was started yet, so one reconnect is safe.
			context.markLost(client);
			try {
				client = await context.connection();
				run = await runOnChannel(client, line, channelOptions);
			} catch (again) {
				if (again instanceof RemoteError) {
					throw again;
				}
				throw new RemoteError({
					kind: 'unreachable',
					host: context.host,
					retryable: true,
					command: name,
					message: `host ${context.host}: could not start '${name}': ${again instanceof Error ? again.message : String(again)}`,
					cause: error,
				});
			}
		}
		context.stats.commandsRun++;

		const stopped = await raceStop(run.done, options.timeoutMs, options.signal);
		if (stopped !== undefined) {
			await stopRemote(context, client, run, sudo);
			const partial = await settleWithin(run.done, KILL_GRACE_MS);
			const stderrTail = partial === undefined ? undefined : redact(tail(partial.stderr.toString('utf8')));
			throw new RemoteError({
				kind: stopped,
				host: context.host,
				retryable: false,
				command: name,
				...(stderrTail === undefined ? {} : { stderrTail }),
				message: stopped === 'timeout'
					? `host ${context.host}: '${name}' timed out after ${formatMs(options.timeoutMs ?? 0)}; its remote processes were stopped`
					: `host ${context.host}: '${name}' was interrupted; its remote processes were stopped`,
			});
		}

		const outcome = await run.done;
		if (!outcome.exited) {
			throw new RemoteError({
				kind: 'unreachable',
				host: context.host,
				retryable: true,
				command: name,
				message: context.isLost(client)
					? `host ${context.host}: connection lost while running '${name}'`
					: `host ${context.host}: '${name}' ended without an exit status`,
			});
		}
		if (options.sudo === true && outcome.code !== 0) {
			const problem = sudoProblem(context, outcome.stderr.toString('utf8'), outcome.code);
			if (problem !== undefined) {
				throw problem;
			}
		}
		return { code: outcome.code, signal: outcome.signal, stdout: outcome.stdout, stderr: outcome.stderr };
	});
}

export async function execText(context: ExecContext, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
	const redactor = options.redactor ?? context.redactor;
	const redact = redactWith(redactor);
	const onLine = options.onLine;
	const stdoutLines = onLine === undefined || options.secretOutput === true
		? undefined
		: createLineSplitter((text) => onLine('stdout', redact(text)));
	const stderrLines = onLine === undefined ? undefined : createLineSplitter((text) => onLine('stderr', redact(text)));

	const stdin = typeof options.stdin === 'string' ? Buffer.from(options.stdin) : options.stdin;
	const raw = await execRaw(context, argv, {
		...(options.sudo === undefined ? {} : { sudo: options.sudo }),
		...(stdin === undefined ? {} : { stdin }),
		...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
		...(options.signal === undefined ? {} : { signal: options.signal }),
		...(redactor === undefined ? {} : { redactor }),
		...(stdoutLines === undefined ? {} : { onStdout: (chunk: Buffer) => stdoutLines.push(chunk) }),
		...(stderrLines === undefined ? {} : { onStderr: (chunk: Buffer) => stderrLines.push(chunk) }),
	}).finally(() => {
		stdoutLines?.end();
		stderrLines?.end();
	});

	const stdout = raw.stdout.toString('utf8');
	return {
		code: raw.code,
		signal: raw.signal,
		stdout: options.secretOutput === true ? stdout : redact(stdout),
		stderr: redact(raw.stderr.toString('utf8')),
	};
}

/**
 * sshd frees a finished session a little after the client saw it close, so right after a burst of commands a
 * new channel can be refused ("open failed") although fewer than MaxSessions are in use. Nothing started,
 * so trying again shortly is safe.
 */
async function openWithRetry(open: () => Promise<ChannelRun>): Promise<ChannelRun> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await open();
		} catch (error) {
			const refused = error instanceof Error && /Channel open failure/i.test(error.message);
			if (!refused || attempt >= CHANNEL_OPEN_ATTEMPTS) {
				throw error;
			}
			await new Promise((resolve) => setTimeout(resolve, 25 * attempt));
		}
	}
}

/** Resolves with why the command must stop, or undefined once it finished on its own. */
function raceStop(
	done: Promise<ChannelOutcome>,
	timeoutMs: number | undefined,
	signal: AbortSignal | undefined,
): Promise<'timeout' | 'aborted' | undefined> {
	return new Promise((resolve) => {
		let timer: NodeJS.Timeout | undefined;
		const finish = (why: 'timeout' | 'aborted' | undefined): void => {
			if (timer !== undefined) {
				clearTimeout(timer);
			}
			signal?.removeEventListener('abort', onAbort);
			resolve(why);
		};
		const onAbort = (): void => finish('aborted');
		if (signal?.aborted) {
			finish('aborted');
			return;
		}
		signal?.addEventListener('abort', onAbort, { once: true });
		if (timeoutMs !== undefined && timeoutMs > 0) {
			timer = setTimeout(() => finish('timeout'), timeoutMs);
		}
		done.then(() => finish(undefined), () => finish(undefined));
	});
}

/** Kills the remote process group over a second channel (not subject to the channel limit), then closes ours. */
async function stopRemote(context: ExecContext, client: Ssh2Client, run: ChannelRun, sudo: SudoMode | undefined): Promise<void> {
	try {
		const pid = await settleWithin(run.pid, PID_WAIT_MS);
		if (pid !== undefined && !context.isLost(client)) {
			const killer = await openWithRetry(() => runOnChannel(client, commandLine([...(sudo?.argv ?? []), ...killGroupArgv(pid)]), {
				...(sudo?.stdinPrefix === undefined ? {} : { stdin: sudo.stdinPrefix }),
			}));
			const finished = await settleWithin(killer.done, KILL_GRACE_MS);
			if (finished === undefined) {
				killer.close();
			}
		}
	} catch {
		// The connection is gone; nothing more can be done from here.
	} finally {
		run.close();
	}
}

function sudoProblem(context: ExecContext, stderr: string, code: number | null): RemoteError | undefined {
	const sudoLines = stderr.split('\n').filter((text) => /(^|\s)sudo: /.test(text)).join('\n');
	const fail = (message: string): RemoteError => new RemoteError({
		kind: 'auth',
		host: context.host,
		retryable: false,
		command: 'sudo',
		message: `host ${context.host}: ${message}`,
	});
	if (/a password is required|a terminal is required/.test(sudoLines)) {
		return fail(`sudo needs a password for user ${context.user}. `
			+ `Allow passwordless sudo (NOPASSWD) for ${context.user}, or give kubestrap the sudo password.`);
	}
	if (/incorrect password|Sorry, try again/.test(sudoLines)) {
		return fail(`the sudo password for user ${context.user} was not accepted`);
	}
	if (/is not in the sudoers file|is not allowed to execute|may not run sudo/.test(sudoLines)) {
		return fail(`user ${context.user} may not use sudo on this host`);
	}
	if (code === 127 && /sudo: (command )?not found/.test(stderr)) {
		return fail('sudo is not installed');
	}
	return undefined;
}

function redactWith(redactor: Redactor | undefined): (text: string) => string {
	return redactor === undefined ? (text) => text : (text) => redactor.redact(text);
}

async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<undefined>((resolve) => {
		timer = setTimeout(() => resolve(undefined), ms);
	});
	try {
		return await Promise.race([promise.catch(() => undefined), timeout]);
	} finally {
		clearTimeout(timer);
	}
}

function formatMs(ms: number): string {
	return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

/** The error a step raises for a non-zero exit: host, command, exit code and the last stderr lines. */
export function commandFailed(
	host: string,
	argv: readonly string[],
	result: ExecResult,
	redactor?: Redactor,
): RemoteError {
	const redact = redactWith(redactor);
	const name = redact(commandName(argv));
	const stderrTail = redact(tail(result.stderr || result.stdout));
	const status = result.code === null ? `was killed by ${result.signal ?? 'a signal'}` : `exited with ${result.code}`;
	return new RemoteError({
		kind: 'command',
		host,
		retryable: false,
		command: name,
		exitCode: result.code,
		stderrTail,
		message: `host ${host}: '${name}' ${status}${stderrTail === '' ? '' : `:\n${stderrTail}`}`,
	});
}
