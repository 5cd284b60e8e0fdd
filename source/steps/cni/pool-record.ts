// The journal record of a Calico IP pool edit under way: its target and its order, decided once when the
// change starts. A run that stopped after the apply sees the new backend in calico-config already while
// calico-nodes may still run the old one, so the order it would compute afresh could be wrong.
import type { CniChange, PoolModes } from '../../cluster/cni/change.js';
import type { RunContext } from '../types.js';

/** journal value: the pool edit under way, JSON { name, to, order } */
export const POOL_PENDING = 'calico-pool-edit';

export interface PoolEdit { name: string; to: PoolModes; order: 'before' | 'after' }

export function sameModes(a: PoolModes, b: PoolModes): boolean {
	return a.ipipMode === b.ipipMode && a.vxlanMode === b.vxlanMode;
}

export function pendingEdit(ctx: RunContext): PoolEdit | undefined {
	const text = ctx.journal?.value(POOL_PENDING);
	if (!text) return undefined;
	try {
		const edit = JSON.parse(text) as PoolEdit;
		return typeof edit.name === 'string' && typeof edit.to?.ipipMode === 'string' && typeof edit.to.vxlanMode === 'string' && (edit.order === 'before' || edit.order === 'after') ? edit : undefined;
	} catch {
		return undefined;
	}
}

/** This run's pool edit keeps the order of the same edit an earlier run recorded. */
export function keepRecordedOrder(ctx: RunContext, change: CniChange): void {
	const pending = pendingEdit(ctx);
	if (change.pool && pending && pending.name === change.pool.name && sameModes(pending.to, change.pool.to)) change.pool.order = pending.order;
}
