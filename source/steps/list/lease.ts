// The lease on the first control plane: the local lock only stops two runs from one directory, so every
// command that changes hosts (install, upgrade, reset) also takes a lease on the host itself, right after
// connecting. It is a root-owned file (/var/lib/kubestrap/lease, directory 0700, file 0600) naming the
// holder (user@machine), its working directory, pid, command, cluster and start time; every change to it
// happens under flock(1) on its directory, so reading, deciding and writing are one atomic step on the
// host. It is refreshed every REFRESH_MS and released when the session closes (also after a failure or a
// signal). A lease is stale when it was not refreshed for STALE_AFTER_S, or when its holder runs on this
// machine and its pid is gone; a stale lease is taken over (the takeover names the lease it replaces, so
// two runs judging the same stale lease cannot both win) with a line saying whose it was.
import { randomBytes } from 'node:crypto';
import { alive } from '../pid-alive.js';
import { firstControlPlane } from './init-control-plane.js';
import { StepError, type RunContext, type RunHolder, type Step, type StepHost } from '../types.js';

export const LEASE_DIR = '/var/lib/kubestrap';
export const LEASE_FILE = `${LEASE_DIR}/lease`;
/** A lease not refreshed for this long belongs to a run that is gone. */
export const STALE_AFTER_S = 300;
export const REFRESH_MS = 30_000;
const STEP = 'lease';

/**
 * One script for every lease operation, run as root: `sh -c SCRIPT sh MODE ID BODY EXPECT`.
 * The lock is flock(1) on the directory itself, so no lock file stays behind; a waiter whose directory
 * was removed meanwhile fails its write and the run reports it (never two holders).
 * Prints `acquired`, `taken`, `refreshed`, `released`, or `held|lost|gone` with the current lease's age in
 * seconds and its two lines (id, JSON).
 */
export const LEASE_SCRIPT = `set -u
dir=${LEASE_DIR}; lease=$dir/lease; mode=$1; id=$2; body=$3; expect=$4
umask 077
mkdir -p "$dir" && chmod 700 "$dir" || exit 70
exec 9<"$dir"
flock -w 30 9 || { echo busy; exit 0; }
current=
if [ -f "$lease" ]; then current=$(sed -n 1p "$lease"); fi
show() { echo "$1"; echo $(( $(date +%s) - $(stat -c %Y "$lease") )); cat "$lease"; }
write() { printf '%s\\n%s\\n' "$id" "$body" > "$lease.new" && mv -f "$lease.new" "$lease" || exit 71; }
case "$mode" in
acquire)
  if [ -z "$current" ]; then write; echo acquired
  elif [ -n "$expect" ] && [ "$current" = "$expect" ]; then write; echo taken
  elif [ "$current" = "$id" ]; then touch "$lease"; echo acquired
  else show held; fi ;;
refresh)
  if [ "$current" = "$id" ]; then touch "$lease"; echo refreshed
  elif [ -z "$current" ]; then echo gone
  else show lost; fi ;;
release)
  if [ "$current" = "$id" ]; then rm -f "$lease"; fi
  rmdir "$dir" 2>/dev/null
  echo released ;;
esac`;

export interface LeaseRecord {
	id: string;
	user?: string;
	machine?: string;
	pid?: number;
	cwd?: string;
	command?: string;
	cluster?: string;
	startedAt?: string;
}

export interface HeldLease {
	record: LeaseRecord;
	ageSeconds: number;
}

/** Parses `held|lost` output: the age line, the id line and the JSON line. */
export function parseHeld(lines: readonly string[]): HeldLease {
	const ageSeconds = Number(lines[1] ?? '');
	const id = (lines[2] ?? '').trim();
	let record: LeaseRecord = { id };
	try {
		record = { ...(JSON.parse(lines[3] ?? '') as LeaseRecord), id };
	} catch {
		// An unreadable body still has its id and age: it can be judged stale by age.
	}
	return { record, ageSeconds: Number.isFinite(ageSeconds) ? ageSeconds : 0 };
}

export function describeHolder(record: LeaseRecord): string {
	const who = `${record.user ?? '?'}@${record.machine ?? '?'}`;
	const details = [
		record.pid !== undefined ? `pid ${record.pid}` : undefined,
		record.cwd !== undefined ? `in ${record.cwd}` : undefined,
		record.command !== undefined ? `running ${record.command}` : undefined,
		record.cluster !== undefined ? `cluster ${record.cluster}` : undefined,
		record.startedAt !== undefined ? `since ${record.startedAt}` : undefined,
	].filter((part): part is string => part !== undefined);
	return details.length > 0 ? `${who} (${details.join(', ')})` : who;
}

/** Why a held lease is stale, or undefined when its run is alive. */
export function staleReason(held: HeldLease, here: RunHolder, isAlive: (pid: number) => boolean = alive): string | undefined {
	if (held.ageSeconds > STALE_AFTER_S) return `not refreshed for ${held.ageSeconds}s (a live run refreshes it every ${REFRESH_MS / 1000}s)`;
	const { record } = held;
	if (record.machine === here.machine && typeof record.pid === 'number' && record.pid !== here.pid && !isAlive(record.pid)) return `pid ${record.pid} is no longer running on ${here.machine}`;
	return undefined;
}

/** Another run holds the lease: nothing was changed on any host. */
export class LeaseHeldError extends Error {
	constructor(readonly host: string, readonly holder: string, ageSeconds: number) {
		super(`${host}: another kubestrap run holds the lease on this host: ${holder}, refreshed ${ageSeconds}s ago. Nothing was changed. Wait for that run to finish; a lease not refreshed for ${STALE_AFTER_S / 60} minutes (or whose pid is gone, on its own machine) is taken over by the next run, or, if you are sure that run is gone, remove it: ssh ${host} sudo rm -f ${LEASE_FILE}`);
	}
}

function holderBody(ctx: RunContext, holder: RunHolder): string {
	const record: Omit<LeaseRecord, 'id'> = { ...holder, cluster: ctx.cluster.metadata.name, startedAt: new Date(ctx.now()).toISOString() };
	return JSON.stringify(record);
}

interface ScriptResult {
	verdict: string;
	lines: string[];
}

async function leaseScript(host: StepHost, args: [string, string, string, string], signal?: AbortSignal): Promise<ScriptResult> {
	if (!host.remote) throw new Error(`${host.id}: not connected`);
	const argv = ['sh', '-c', LEASE_SCRIPT, 'sh', ...args];
	const result = await host.remote.exec(argv, { sudo: true, timeoutMs: 60_000, ...(signal ? { signal } : {}) });
	const lines = result.stdout.split('\n');
	const verdict = (lines[0] ?? '').trim();
	if (result.code !== 0 || verdict === '') {
		const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-5);
		throw new StepError(host.id, STEP, `sh -c <lease script> ${args[0]}`, result.code, tail);
	}
	return { verdict, lines };
}

/** Takes the lease on `host` (taking over a stale one), keeps it refreshed and releases it when the session closes. */
export async function takeLease(ctx: RunContext, host: StepHost, holder: RunHolder, refreshMs: number = REFRESH_MS): Promise<void> {
	const id = randomBytes(12).toString('hex');
	const body = holderBody(ctx, holder);
	let expect = '';
	for (let attempt = 0; attempt < 3; attempt++) {
		const { verdict, lines } = await leaseScript(host, ['acquire', id, body, expect], ctx.signal);
		if (verdict === 'acquired' || verdict === 'taken') {
			hold(ctx, host, id, refreshMs);
			return;
		}
		if (verdict === 'busy') continue;
		const held = parseHeld(lines);
		const reason = staleReason(held, holder);
		if (reason === undefined || held.record.id === expect) throw new LeaseHeldError(host.id, describeHolder(held.record), held.ageSeconds);
		ctx.emit({ kind: 'note', step: STEP, host: host.id, line: `${host.id}: taking over a stale lease held by ${describeHolder(held.record)}: ${reason}` });
		expect = held.record.id;
	}
	throw new StepError(host.id, STEP, 'sh -c <lease script> acquire', 1, ['the lease stayed busy (another run is changing it); try again']);
}

function hold(ctx: RunContext, host: StepHost, id: string, refreshMs: number): void {
	let lost = false;
	const refresh = async (): Promise<void> => {
		if (lost) return;
		try {
			const { verdict, lines } = await leaseScript(host, ['refresh', id, '', '']);
			if (verdict === 'lost' || verdict === 'gone') {
				lost = true;
				const by = verdict === 'lost' ? `taken over by ${describeHolder(parseHeld(lines).record)}` : 'removed';
				ctx.emit({ kind: 'note', step: STEP, host: host.id, line: `warning: the lease on ${host.id} was ${by}; another run may change these hosts now` });
			}
		} catch {
			// A missed refresh is retried at the next tick; the bound allows several.
		}
	};
	const timer = setInterval(() => void refresh(), refreshMs);
	timer.unref();
	ctx.onClose?.(async () => {
		clearInterval(timer);
		if (lost) return;
		// Without the run's abort signal: an interrupted run still releases its lease.
		await leaseScript(host, ['release', id, '', '']).catch(() => undefined);
	});
}

/** The first control plane that is connected: reset goes on without an unreachable one. */
function leaseHost(ctx: RunContext): StepHost[] {
	if (ctx.dryRun || ctx.holder === undefined) return [];
	const first = firstControlPlane(ctx);
	if (first.remote) return [first];
	const other = ctx.hosts.find((h) => h.host.role === 'control-plane' && h.remote);
	return other ? [other] : [];
}

export const leaseStep: Step = {
	id: STEP,
	title: 'Lease on the first control plane',
	parallel: false,
	gate: true,
	targets: leaseHost,
	// Taken on every run: the lease is this run's, never a journal entry.
	shouldRun: async () => true,
	async run(ctx, host) {
		if (ctx.holder === undefined) return;
		await takeLease(ctx, host, ctx.holder);
	},
};

/** The refusal when another run holds the lease (the run stopped before changing anything), else undefined. */
export function leaseRefusal(failures: ReadonlyArray<{ error: Error }>): string | undefined {
	return failures.find((failure) => failure.error instanceof LeaseHeldError)?.error.message;
}
