// Runs the ordered steps: per step, the hosts it targets (in parallel when allowed), skipping hosts
// whose real state says the work is done, recording each result in the journal and emitting events.
// A failed host is left out of later steps; the others finish, and the run reports every failure.
import pLimit from 'p-limit';
import { StepError, type RunContext, type Step, type StepHost } from './types.js';

export interface RunOutcome {
	failures: Array<{ step: string; host: string; error: Error }>;
	interrupted: boolean;
}

function describe(error: unknown): Error {
	return error instanceof Error ? error : new Error(String(error));
}

function escaped(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A failure's text without the host named at its start (`H: …` as steps write it, `host H: …` or
 * `host [H]:port (via …): …` as the remote layer does). Every view prints the host beside a failure and
 * the summary line puts it in front (failureLine), so the host is added there, once, and never twice.
 */
export function withoutHost(message: string, host: string): string {
	return message.replace(new RegExp(`^(?:${escaped(host)}|host (?:${escaped(host)}|\\[${escaped(host)}\\]:\\d+)(?: \\([^)]*\\))?): `), '');
}

/** The line that reports a failed host after a run: the host once, then what failed (the error's own text). */
export function failureLine(failure: { host: string; error: Error }): string {
	return `${failure.host}: ${withoutHost(failure.error.message, failure.host)}`;
}

async function runHost(ctx: RunContext, step: Step, host: StepHost, failed: Map<string, Error>): Promise<void> {
	if (ctx.signal.aborted) return;
	ctx.emit({ kind: 'host', step: step.id, host: host.id, state: 'running' });
	try {
		const should = await step.shouldRun(ctx, host);
		if (should === false || typeof should === 'string') {
			ctx.emit({ kind: 'host', step: step.id, host: host.id, state: 'skipped', detail: typeof should === 'string' ? should : 'already done' });
			if (!ctx.dryRun) await ctx.journal?.record(step.id, host.id, 'done');
			return;
		}
		await step.run(ctx, host);
		ctx.emit({ kind: 'host', step: step.id, host: host.id, state: 'done' });
		if (!ctx.dryRun) await ctx.journal?.record(step.id, host.id, 'done');
	} catch (raw) {
		const error = describe(raw);
		failed.set(host.id, error);
		// The views print the host beside this detail: it leaves the host out (the error keeps it, for the log and -o json).
		ctx.emit({ kind: 'host', step: step.id, host: host.id, state: 'failed', detail: withoutHost(error.message, host.id) });
		if (!ctx.dryRun) await ctx.journal?.record(step.id, host.id, 'failed', error instanceof StepError ? `${error.command} exited ${error.code}` : error.message.split('\n')[0]);
	}
}

export interface RunOptions {
	/**
	 * Read-only checks of every host (the wizard's connection test): each host goes as far as it can,
	 * no gate stops the others and a failed first control plane does not end the run.
	 */
	checkEveryHost?: boolean;
}

export async function runSteps(ctx: RunContext, steps: readonly Step[], options: RunOptions = {}): Promise<RunOutcome> {
	const failed = new Map<string, Error>();
	const failures: RunOutcome['failures'] = [];
	for (const step of steps) {
		if (ctx.signal.aborted) break;
		if (step.wholeCluster && failed.size > 0) break;
		const hosts = step.targets(ctx).filter((h) => !failed.has(h.id));
		if (hosts.length === 0) continue;
		ctx.emit({ kind: 'step', step: step.id, title: step.title, hosts: hosts.map((h) => h.id) });
		const before = new Set(failed.keys());
		if (step.parallel) {
			const limit = pLimit(Math.max(1, ctx.concurrency));
			await Promise.all(hosts.map((host) => limit(() => runHost(ctx, step, host, failed))));
		} else {
			for (const host of hosts) await runHost(ctx, step, host, failed);
		}
		for (const [host, error] of failed) if (!before.has(host)) failures.push({ step: step.id, host, error });
		if (options.checkEveryHost === true) continue;
		if (step.gate && failed.size > before.size) break;
		// Without the first control plane nothing else can join: stop instead of failing every host.
		const first = ctx.hosts.find((h) => h.host.role === 'control-plane');
		if (first && failed.has(first.id)) break;
	}
	return { failures, interrupted: ctx.signal.aborted };
}

/** The dry-run guard: every change to a host goes through here, so plan prints exactly what install runs. */
export async function change(ctx: RunContext, step: Step | string, host: StepHost, action: string, apply: () => Promise<void>): Promise<void> {
	const id = typeof step === 'string' ? step : step.id;
	if (ctx.dryRun) {
		ctx.emit({ kind: 'plan', step: id, host: host.id, action });
		return;
	}
	await apply();
}
