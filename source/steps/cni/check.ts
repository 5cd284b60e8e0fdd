// Before anything changes on a running cluster: what re-applying the CNI would change (the keys,
// old → new, shown in the plan), and the refusals — another CNI, an option that cannot change live, a
// Cilium release the documented upgrade path cannot reach from. A gate: a refusal stops the run before
// any host is touched, and the commands exit 2 for it.
import { changeLines, cniChange, type CniChange } from '../../cluster/cni/change.js';
import { ciliumPathProblem } from '../../cluster/cni/path.js';
import { renderManifests } from '../../cluster/render.js';
import { CALICO_VERSION, CILIUM_VERSION } from '../../spec/versions.js';
import { firstControlPlane } from '../list/init-control-plane.js';
import type { RunContext, Step, StepHost } from '../types.js';
import { liveState, upgradeCompatibility, type LiveState } from './live.js';
import { keepRecordedOrder } from './pool-record.js';

export const CNI_CHECK = 'cni-change';
/** ctx.shared key of the CniChange the check computed */
export const CNI_CHANGE = 'cni-change';
/** ctx.shared key: the running CNI release differs from the pinned one (an upgrade of the CNI itself) */
export const CNI_RELEASE_CHANGE = 'cni-release-change';

/** A refusal of the running cluster's CNI change: exit 2, nothing touched. */
export class CniRefused extends Error {
	constructor(readonly host: string, readonly lines: readonly string[]) {
		super(`${host}: step "${CNI_CHECK}" refused:\n  ${lines.join('\n  ')}`);
	}
}

export interface CniPlan {
	live: LiveState;
	change: CniChange;
	/** running → pinned, when the running release is not the pinned one */
	release?: { from: string; to: string };
}

/** Reads the live CNI and compares it with what this spec renders (read-only; also in dry runs). */
export async function planCni(ctx: RunContext, step: string, host: StepHost, options: { path?: boolean } = {}): Promise<CniPlan> {
	const live = await liveState(ctx, step, host);
	const cni = ctx.cluster.spec.network.cni;
	const rendered = renderManifests(ctx.cluster, cni === 'cilium' ? { ciliumUpgradeCompatibility: upgradeCompatibility(live) } : {}).documents;
	const change = cniChange(cni, live, rendered);
	keepRecordedOrder(ctx, change);
	const pinned = cni === 'cilium' ? CILIUM_VERSION : CALICO_VERSION;
	const plan: CniPlan = { live, change };
	if (live.release !== undefined && live.release !== pinned) {
		plan.release = { from: live.release, to: pinned };
		// upgrade checks the path in its own plan (with the hops); install checks it here.
		if (cni === 'cilium' && options.path !== false) {
			const problem = ciliumPathProblem(live.release);
			if (problem) change.refusals.push(`spec.network.cni: ${problem}`);
		}
	}
	ctx.shared.set(CNI_CHANGE, change);
	if (plan.release) ctx.shared.set(CNI_RELEASE_CHANGE, plan.release);
	return plan;
}

export function cniPlanLines(plan: CniPlan, cniName: string): string[] {
	const lines: string[] = [];
	if (plan.release) lines.push(`${cniName} ${plan.release.from} → ${plan.release.to}${cniName === 'Cilium' ? ` (pre-flight image pull on every node, upgradeCompatibility ${plan.live.firstMinor ?? '?'}, then the agents roll)` : ''}`);
	const keys = changeLines(plan.change);
	if (keys.length > 0) {
		lines.push(`${cniName} configuration changes (${keys.length}):`, ...keys.map((line) => `  ${line}`));
		if (plan.change.restartAgents) lines.push(`  then the ${cniName === 'Cilium' ? 'Cilium agents' : 'calico-node pods'} restart node by node${plan.change.restartOperator ? ', then the operator' : ''}, so the change takes effect`);
		const pool = plan.change.pool;
		if (pool) {
			lines.push(pool.order === 'before'
				? `  the IP pool ${pool.name} changes first, while BIRD still runs; then the manifests are applied and calico-node restarts`
				: `  the IP pool ${pool.name} changes last, once every calico-node restarted with BIRD (IP-in-IP and unencapsulated routes come from BGP)`);
		}
	}
	return lines;
}

export const cniCheckStep: Step = {
	id: CNI_CHECK,
	title: 'Compare the CNI with the running cluster',
	parallel: false,
	gate: true,
	targets: (ctx) => [firstControlPlane(ctx)],
	shouldRun: async (_ctx, host) => (host.facts?.hasAdminConf === true ? true : 'no cluster yet'),
	async run(ctx, host) {
		const plan = await planCni(ctx, CNI_CHECK, host);
		const name = ctx.cluster.spec.network.cni === 'cilium' ? 'Cilium' : 'Calico';
		for (const line of cniPlanLines(plan, name)) ctx.emit({ kind: 'note', step: CNI_CHECK, host: host.id, line });
		if (plan.change.refusals.length > 0) throw new CniRefused(host.id, plan.change.refusals);
	},
};
