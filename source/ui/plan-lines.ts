// What a dry run would do, per host, as plain lines: the plan install and plan print, and the one reset
// --dry-run prints (every command per host). Built from the runner's plan and skip events.
import type { Cluster } from '../spec/types.js';
import type { StepEvent } from '../steps/types.js';

type PlanEvent = Extract<StepEvent, { kind: 'plan' }>;
type HostEvent = Extract<StepEvent, { kind: 'host' }>;

export interface PlanStyle {
	/** the first line */
	header: string;
	/** the step column's width */
	stepWidth: number;
	/** a skip without a reason says this */
	skipped: string;
	/** a host with nothing to do: a line saying so, or left out of the plan */
	idle: 'say' | 'omit';
}

/** Per host, the actions a dry run reported and the steps it skipped (the connection aside). */
export function hostPlan(events: readonly StepEvent[], address: string): { actions: PlanEvent[]; skipped: HostEvent[] } {
	return {
		actions: events.filter((e): e is PlanEvent => e.kind === 'plan' && e.host === address),
		skipped: events.filter((e): e is HostEvent => e.kind === 'host' && e.host === address && e.state === 'skipped' && e.step !== 'connect'),
	};
}

export function planLines(cluster: Cluster, events: readonly StepEvent[], style: PlanStyle): string[] {
	const lines = [style.header];
	for (const host of cluster.spec.hosts) {
		const { actions, skipped } = hostPlan(events, host.address);
		if (actions.length === 0 && skipped.length === 0 && style.idle === 'omit') continue;
		lines.push('', `${host.address} (${host.role})`);
		for (const action of actions) lines.push(`  ${action.step.padEnd(style.stepWidth)} ${action.action}`);
		for (const skip of skipped) lines.push(`  ${skip.step.padEnd(style.stepWidth)} (skip: ${skip.detail ?? style.skipped})`);
		if (actions.length === 0 && skipped.length === 0) lines.push('  nothing to do');
	}
	return lines;
}
