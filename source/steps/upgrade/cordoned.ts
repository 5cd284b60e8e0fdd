// The nodes this run cordoned and has not put back in service yet. The kubelet step marks a node before its
// drain (which cordons it first) and clears it once uncordoned, so when a run stops — Ctrl-C, a failed
// drain, a package, a kubelet that never comes back Ready — the command can name every node it left
// cordoned, checked against the API, instead of a vague "a node may be cordoned".
import { kubectl } from '../../cluster/kubectl.js';
import type { RunContext, StepHost } from '../types.js';

/** ctx.shared key: the Set of node names drained by this run and not uncordoned since */
const CORDONED = 'upgrade-cordoned';

function cordonedSet(ctx: RunContext): Set<string> {
	const found = ctx.shared.get(CORDONED);
	if (found instanceof Set) return found as Set<string>;
	const created = new Set<string>();
	ctx.shared.set(CORDONED, created);
	return created;
}

/** Before the drain: from here on the node may be cordoned by this run. */
export function markCordoned(ctx: RunContext, node: string): void {
	cordonedSet(ctx).add(node);
}

/** After a successful uncordon. */
export function clearCordoned(ctx: RunContext, node: string): void {
	cordonedSet(ctx).delete(node);
}

export interface LeftCordoned {
	node: string;
	/** true: the API says it is cordoned; undefined: the API could not be asked */
	cordoned: true | undefined;
}

/**
 * The nodes this run left cordoned, as the API reports them now. It reads without the run's abort signal (an
 * interrupted run still asks, briefly, as the session's cleanup does); a node the API shows schedulable is left
 * out, one it could not be asked about is kept as unknown.
 */
export async function leftCordoned(ctx: RunContext, first: StepHost): Promise<LeftCordoned[]> {
	const left: LeftCordoned[] = [];
	for (const node of cordonedSet(ctx)) {
		const result = await first.remote?.exec(kubectl('get', 'node', node, '-o', 'json'), { sudo: true, timeoutMs: 15_000 }).catch(() => undefined);
		let unschedulable: boolean | undefined;
		try {
			unschedulable = result?.code === 0 ? (JSON.parse(result.stdout) as { spec?: { unschedulable?: boolean } }).spec?.unschedulable === true : undefined;
		} catch {
			unschedulable = undefined;
		}
		if (unschedulable !== false) left.push({ node, cordoned: unschedulable });
	}
	return left;
}

/** What the output says of each node left cordoned, and what happens to it next. */
export function cordonedLines(left: readonly LeftCordoned[], resume: string): string[] {
	return left.map(({ node, cordoned }) => `node ${node} ${cordoned ? 'is still cordoned' : 'may still be cordoned (the API did not answer)'}: this run drained it for its upgrade; ${resume} finishes its upgrade and uncordons it (to put it back in service before that: kubectl uncordon ${node})`);
}
