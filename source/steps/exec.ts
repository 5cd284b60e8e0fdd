// Running a command on a host for a step: output lines become events, a non-zero exit becomes a
// StepError naming the host, the step, the command and its last lines. Reads run in dry runs too;
// changes go through `change`, so plan shows them instead.
import { change } from './runner.js';
import { StepError, type ExecOptions, type ExecResult, type RunContext, type StepHost } from './types.js';

const TAIL_LINES = 20;

function remoteOf(host: StepHost): NonNullable<StepHost['remote']> {
	if (!host.remote) throw new Error(`${host.id}: not connected`);
	return host.remote;
}

function tail(result: ExecResult): string[] {
	const text = `${result.stdout}\n${result.stderr}`.trim();
	return text === '' ? [] : text.split('\n').slice(-TAIL_LINES);
}

/** Runs a read-only command (also in dry runs) and returns its result whatever the exit code. */
export async function probe(ctx: RunContext, step: string, host: StepHost, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
	return remoteOf(host).exec(argv, { signal: ctx.signal, timeoutMs: 60_000, ...options });
}

/** Runs a read-only command that must succeed. */
export async function read(ctx: RunContext, step: string, host: StepHost, argv: readonly string[], options: ExecOptions = {}): Promise<string> {
	const result = await probe(ctx, step, host, argv, options);
	if (result.code !== 0) throw new StepError(host.id, step, argv.join(' '), result.code, tail(result));
	return result.stdout;
}

function display(argv: readonly string[], sudo: boolean | undefined): string {
	return `${sudo ? 'sudo ' : ''}${argv.join(' ')}`;
}

/** Runs a command that changes the host; in a dry run it is only reported. */
export async function run(ctx: RunContext, step: string, host: StepHost, argv: readonly string[], options: ExecOptions = {}): Promise<void> {
	await change(ctx, step, host, display(argv, options.sudo), async () => {
		const result = await remoteOf(host).exec(argv, {
			signal: ctx.signal,
			timeoutMs: 15 * 60_000,
			onLine: (stream, line) => ctx.emit({ kind: 'log', step, host: host.id, stream, line }),
			...options,
		});
		if (result.code !== 0) throw new StepError(host.id, step, display(argv, options.sudo), result.code, tail(result));
	});
}

/** Writes a file on the host (root-owned with sudo); in a dry run it is only reported. */
export async function write(ctx: RunContext, step: string, host: StepHost, path: string, content: string, mode: number): Promise<void> {
	await change(ctx, step, host, `write ${path} (mode ${mode.toString(8).padStart(4, '0')}, ${Buffer.byteLength(content)} bytes)`, () =>
		remoteOf(host).upload(content, path, { mode, sudo: true }),
	);
}

/**
 * Writes a 0600 file that holds secrets (a JoinConfiguration with the token and certificate key, the CNI
 * manifest with the Hubble CA key) and returns what removes it. The step removes it once used, whatever
 * happened; the session removes it at its close too, in case a signal ended the step first. Removal runs
 * without the run's abort signal, so an interrupted run still cleans up; in a dry run it is only shown.
 */
export async function stageSecretFile(ctx: RunContext, step: string, host: StepHost, path: string, content: string): Promise<() => Promise<void>> {
	if (ctx.dryRun) {
		await write(ctx, step, host, path, content, 0o600);
		return () => run(ctx, step, host, ['rm', '-f', path], { sudo: true });
	}
	let removed = false;
	const remove = async (): Promise<void> => {
		if (removed || !host.remote) return;
		const result = await host.remote.exec(['rm', '-f', path], { sudo: true, timeoutMs: 30_000 }).catch(() => undefined);
		if (result?.code === 0) removed = true;
	};
	ctx.onClose?.(remove);
	await write(ctx, step, host, path, content, 0o600);
	return remove;
}
