// Calico's encapsulation on a running cluster: an edit of the IP pool that carries the pod subnet
// (calico-node created it once from CALICO_IPV4POOL_*, which it never reads again). The change check
// decides the order (cluster/cni/change.ts, poolChange: the pool before the manifests when BIRD turns
// off, after the calico-node restarts when BIRD turns on), so there are two steps, one on each side of
// the apply and the restart. The edit is a JSON merge patch setting both modes at once (the CRD refuses a
// pool with IP-in-IP and VXLAN both on), recorded in the journal with its order before anything changes
// so an interrupted run finishes it the same way, and verified by reading the pool back.
import type { CniChange, PoolModes } from '../../cluster/cni/change.js';
import { kubectl } from '../../cluster/kubectl.js';
import { probe, run } from '../exec.js';
import { firstControlPlane } from '../list/init-control-plane.js';
import type { RunContext, Step, StepHost } from '../types.js';
import { CNI_CHANGE } from './check.js';
import { IPPOOL_RESOURCE, poolOf } from './live.js';
import { pendingEdit, POOL_PENDING, sameModes as same, type PoolEdit } from './pool-record.js';

export { POOL_PENDING } from './pool-record.js';

export const POOL_BEFORE_STEP = 'calico-pool-before';
export const POOL_AFTER_STEP = 'calico-pool-after';

/** The patch body: built as an object, sent as one JSON argument. */
export function poolPatch(to: PoolModes): string {
	return JSON.stringify({ spec: { ipipMode: to.ipipMode, vxlanMode: to.vxlanMode } });
}

export function poolPatchCommand(name: string, to: PoolModes): string[] {
	return kubectl('patch', IPPOOL_RESOURCE, name, '--type', 'merge', '-p', poolPatch(to));
}

/**
 * This run's edit, from the change check (with the order an earlier run recorded: pool-record.ts).
 * Without an edit this run, a recorded one is only verified (by the step after the restart).
 */
function editFor(ctx: RunContext, order: 'before' | 'after'): { edit: PoolEdit; verifyOnly: boolean } | undefined {
	const pool = (ctx.shared.get(CNI_CHANGE) as CniChange | undefined)?.pool;
	if (pool) return pool.order === order ? { edit: { name: pool.name, to: pool.to, order }, verifyOnly: false } : undefined;
	const pending = pendingEdit(ctx);
	return pending && order === 'after' ? { edit: pending, verifyOnly: true } : undefined;
}

/** Called by the apply step before the manifests change: an edit that waits for the restarts goes to the journal, with its order. */
export async function recordPoolEdit(ctx: RunContext): Promise<void> {
	if (ctx.dryRun) return;
	const pool = (ctx.shared.get(CNI_CHANGE) as CniChange | undefined)?.pool;
	if (!pool || pool.order !== 'after') return;
	await record(ctx, { name: pool.name, to: pool.to, order: pool.order });
}

/** Records the edit unless the journal holds it already (a record of another edit is replaced). */
async function record(ctx: RunContext, edit: PoolEdit): Promise<void> {
	const pending = pendingEdit(ctx);
	if (pending && pending.name === edit.name && same(pending.to, edit.to) && pending.order === edit.order) return;
	await ctx.journal?.remember(POOL_PENDING, JSON.stringify(edit));
}

async function readModes(ctx: RunContext, step: string, host: StepHost, name: string): Promise<PoolModes | undefined> {
	const result = await probe(ctx, step, host, kubectl('get', IPPOOL_RESOURCE, name, '-o', 'json'), { sudo: true });
	if (result.code !== 0) return undefined;
	try {
		return poolOf(JSON.parse(result.stdout));
	} catch {
		return undefined;
	}
}

function modesText(modes: PoolModes | undefined): string {
	return modes ? `ipipMode ${JSON.stringify(modes.ipipMode)}, vxlanMode ${JSON.stringify(modes.vxlanMode)}` : 'nothing (the pool could not be read)';
}

function poolStep(id: string, order: 'before' | 'after'): Step {
	return {
		id,
		title: order === 'before' ? "Change Calico's IP pool encapsulation (before the manifests, while BIRD still runs)" : "Change Calico's IP pool encapsulation (once every calico-node runs BIRD)",
		parallel: false,
		targets: (ctx) => [firstControlPlane(ctx)],
		async shouldRun(ctx) {
			if (ctx.cluster.spec.network.cni !== 'calico') return 'not Calico';
			return editFor(ctx, order) ? true : 'no IP pool change';
		},
		async run(ctx, host) {
			const found = editFor(ctx, order);
			if (!found) return;
			const { edit, verifyOnly } = found;
			if (verifyOnly) {
				const now = await readModes(ctx, id, host, edit.name);
				if (now && same(now, edit.to)) ctx.emit({ kind: 'note', step: id, host: host.id, line: `IPPool ${edit.name} has ${modesText(now)}, as an earlier run set it` });
				await ctx.journal?.remember(POOL_PENDING, '');
				return;
			}
			if (!ctx.dryRun) await record(ctx, edit);
			const before = ctx.dryRun ? undefined : await readModes(ctx, id, host, edit.name);
			if (!before || !same(before, edit.to)) await run(ctx, id, host, poolPatchCommand(edit.name, edit.to), { sudo: true });
			if (ctx.dryRun) return;
			// Verified, not assumed: the pool as the API server stores it now.
			const after = await readModes(ctx, id, host, edit.name);
			if (!after || !same(after, edit.to)) {
				throw new Error(`${host.id}: step "${id}" failed: IPPool ${edit.name} reads ${modesText(after)} after the patch, not ${modesText(edit.to)}; re-run to try again`);
			}
			await ctx.journal?.remember(POOL_PENDING, '');
			ctx.emit({ kind: 'note', step: id, host: host.id, line: `IPPool ${edit.name} now has ${modesText(after)}` });
		},
	};
}

/** Before the apply: the change turns BIRD off (to VXLAN) or keeps the backend. */
export const poolBeforeStep = poolStep(POOL_BEFORE_STEP, 'before');
/** After the restart: the change turns BIRD on (from VXLAN), so the pool waits until every calico-node runs it. */
export const poolAfterStep = poolStep(POOL_AFTER_STEP, 'after');
