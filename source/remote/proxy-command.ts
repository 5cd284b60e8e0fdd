// ProxyCommand from ~/.ssh/config: the command is run locally and its stdin/stdout carry the SSH
// connection (how private instances are reached through `aws ssm start-session`). Like OpenSSH it is run
// as `exec <command>` by /bin/sh, so killing the child ends the proxy itself, not only a shell around it.
import { spawn, type ChildProcess } from 'node:child_process';
import { Duplex } from 'node:stream';

import { quote } from './quote.js';
import { stripControls } from './sanitize.js';

export interface ProxyTokens {
	/** %h: the host name connected to (HostName from the config, or the address given). */
	host: string;
	/** %p */
	port: number;
	/** %r */
	user: string;
	/** %n: the name as given, before HostName. */
	alias: string;
}

/** The command with %h %p %r %n substituted (each value quoted for /bin/sh) and %% made a single %. */
export function proxyCommandLine(template: string, tokens: ProxyTokens): string {
	return template.replace(/%(.)/g, (match, token: string) => {
		switch (token) {
			case 'h':
				return quote(tokens.host);
			case 'p':
				return quote(String(tokens.port));
			case 'r':
				return quote(tokens.user);
			case 'n':
				return quote(tokens.alias);
			case '%':
				return '%';
			default:
				return match;
		}
	});
}

export interface ProxyProcess {
	/** The child's stdout (read) and stdin (write) as one stream, for ssh2's `sock`. */
	sock: Duplex;
	/** Ends the child (SIGTERM); safe to call more than once. */
	kill(): void;
	/** Within waitMs: how the child ended before it was killed ("exited with code 1: <stderr>"), or undefined. */
	earlyExit(waitMs: number): Promise<string | undefined>;
}

const STDERR_KEEP = 4096;
const STDERR_SHOWN = 300;

export function startProxyCommand(commandLine: string): ProxyProcess {
	const child: ChildProcess = spawn('/bin/sh', ['-c', `exec ${commandLine}`], { stdio: ['pipe', 'pipe', 'pipe'] });
	let stderr = '';
	child.stderr?.setEncoding('utf8');
	child.stderr?.on('data', (chunk: string) => {
		stderr = (stderr + chunk).slice(-STDERR_KEEP);
	});
	let killed = false;
	let ended: string | undefined;
	const exited = new Promise<void>((resolve) => {
		child.once('close', (code, signal) => {
			ended = code !== null ? `exited with code ${code}` : `was ended by ${signal ?? 'a signal'}`;
			resolve();
		});
		child.once('error', (error) => {
			ended = `could not be started (${error.message})`;
			resolve();
		});
	});
	if (child.stdout === null || child.stdin === null) throw new Error('the ProxyCommand has no stdio');
	// Writes after the child is gone fail with EPIPE; the SSH client sees the stream end instead.
	child.stdin.on('error', () => {});
	const sock = Duplex.from({ readable: child.stdout, writable: child.stdin });
	sock.on('error', () => {});
	const kill = (): void => {
		if (killed) return;
		killed = true;
		if (ended === undefined) child.kill('SIGTERM');
		sock.destroy();
	};
	const earlyExit = async (waitMs: number): Promise<string | undefined> => {
		if (killed) return undefined;
		let timer: NodeJS.Timeout | undefined;
		await Promise.race([exited, new Promise<void>((resolve) => { timer = setTimeout(resolve, waitMs); })]);
		clearTimeout(timer);
		if (ended === undefined) return undefined;
		const said = stripControls(stderr).trim().split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '').join(' / ');
		const shown = said.length > STDERR_SHOWN ? `…${said.slice(-STDERR_SHOWN)}` : said;
		return said === '' ? `${ended} and printed nothing on stderr` : `${ended}: ${shown}`;
	};
	return { sock, kill, earlyExit };
}
