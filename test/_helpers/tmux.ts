// Drives a program in a real terminal: a private tmux server per session (its own -L socket, no user
// config), keys sent as a person would type them, and the screen read back with capture-pane.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { $ } from 'zx';
import { quote } from '../../source/remote/quote.js';

/** A command line for the pane's shell (POSIX sh), every word quoted by the project's one quote function. */
export function shellLine(argv: readonly string[]): string {
	return argv.map((word) => quote(word)).join(' ');
}

export interface TmuxOptions {
	/** the shell command to run in the pane */
	command: string;
	cwd: string;
	env?: Record<string, string | undefined>;
	width?: number;
	height?: number;
}

export interface WaitOptions {
	timeoutMs?: number;
	intervalMs?: number;
}

export class TmuxSession {
	readonly socket: string;
	private readonly env: Record<string, string | undefined>;
	/** TMUX_TMPDIR of this server, so its socket file goes away with it */
	private readonly socketDir: string;

	private constructor(socket: string, env: Record<string, string | undefined>, socketDir: string) {
		this.socket = socket;
		this.env = env;
		this.socketDir = socketDir;
	}

	/**
	 * Starts a detached session. After the program exits the pane prints "[exit N]" and stays open, so
	 * the last screen and the status can be read. (tmux's remain-on-exit is not used: its "Pane is dead"
	 * line scrolls the top line of the screen away, and pane_dead_status is not always set in time.)
	 */
	static async start(options: TmuxOptions): Promise<TmuxSession> {
		const socket = `kubestrap-test-${randomBytes(4).toString('hex')}`;
		const socketDir = mkdtempSync(join(tmpdir(), 'kubestrap-tmux-'));
		const env = { ...process.env, ...options.env, TMUX_TMPDIR: socketDir, TMUX: undefined };
		const session = new TmuxSession(socket, env, socketDir);
		try {
			await session.tmux(
				'new-session', '-d', '-s', 'main', '-x', String(options.width ?? 100), '-y', String(options.height ?? 40), '-c', options.cwd, `${options.command}; echo "[exit $?]"; exec sleep 600`,
			);
		} catch (error) {
			await session.kill();
			throw error;
		}
		return session;
	}

	private async tmux(...args: string[]): Promise<string> {
		// zx quotes each argument for its own shell; the pane command inside is quoted by shellLine.
		const output = await $({ env: this.env as NodeJS.ProcessEnv, quiet: true })`tmux -L ${this.socket} -f /dev/null ${args}`;
		return output.stdout;
	}

	/** Named keys: Enter, Escape, Up, Down, Left, Tab, BSpace, C-c. */
	async keys(...names: string[]): Promise<void> {
		for (const name of names) await this.tmux('send-keys', '-t', 'main', name);
	}

	/** Literal text, sent as one write (as a paste would arrive). */
	async text(value: string): Promise<void> {
		await this.tmux('send-keys', '-t', 'main', '-l', value);
	}

	/**
	 * Types a secret without it ever being on a command line (send-keys -l would put it in tmux's argv,
	 * where a test watching process command lines for leaks finds it): loaded from stdin into a buffer, then pasted.
	 */
	async secret(value: string): Promise<void> {
		await $({ env: this.env as NodeJS.ProcessEnv, quiet: true, input: value })`tmux -L ${this.socket} -f /dev/null load-buffer -b secret -`;
		await this.tmux('paste-buffer', '-d', '-b', 'secret', '-t', 'main');
	}

	/**
	 * Pastes text as a terminal does: through a tmux paste buffer, so it arrives as one write with each
	 * line end turned into a carriage return (the byte Enter sends).
	 */
	async paste(value: string): Promise<void> {
		await this.tmux('set-buffer', '-b', 'paste', '--', value);
		await this.tmux('paste-buffer', '-d', '-b', 'paste', '-t', 'main');
	}

	/** Resizes the terminal, as dragging a window's edge does (the program gets SIGWINCH). */
	async resize(width: number, height: number): Promise<void> {
		await this.tmux('resize-window', '-t', 'main', '-x', String(width), '-y', String(height));
	}

	/** The visible screen as plain text (with `escapes`, SGR colour codes are kept). */
	async capture(escapes = false): Promise<string> {
		return this.tmux('capture-pane', '-p', '-t', 'main', ...(escapes ? ['-e'] : []));
	}

	/** Everything the pane printed, scrollback included: what a person scrolls back to after a long run. */
	async scrollback(): Promise<string> {
		return this.tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 'main');
	}

	/** Polls the screen until `pattern` shows, and returns it; fails with the last screen. */
	async waitFor(pattern: RegExp, options: WaitOptions = {}): Promise<string> {
		const deadline = Date.now() + (options.timeoutMs ?? 30_000);
		let screen = '';
		while (Date.now() < deadline) {
			screen = await this.capture();
			if (pattern.test(screen)) return screen;
			await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 40));
		}
		throw new Error(`screen did not show ${pattern} in time; last screen:\n${screen}`);
	}

	/** Waits for the program to end and returns its exit status. */
	async waitForExit(options: WaitOptions = {}): Promise<number> {
		const screen = await this.waitFor(/^\[exit \d+\]$/m, options);
		return Number(/^\[exit (\d+)\]$/m.exec(screen)?.[1]);
	}

	/** Ends the private server and everything in it, and removes its socket; safe to call twice. */
	async kill(): Promise<void> {
		await this.tmux('kill-server').catch(() => undefined);
		rmSync(this.socketDir, { recursive: true, force: true });
	}
}
