// PodDisruptionBudgets for the simulated `kubectl drain` (a test double, not the eviction API): which pods of
// a node may be evicted now. A PDB (stored through kubectl apply/create) covers the pods of its namespace its
// selector matches; `minAvailable` (a number or a percentage of those pods) or `maxUnavailable` gives the
// disruptions allowed: healthy (Ready) pods minus the minimum, or maxUnavailable minus the unhealthy ones —
// the API server's arithmetic. Each eviction uses one disruption of every PDB covering the pod.

import { matchLabels } from './model.mjs';

function count(value, total, roundUp) {
	if (typeof value === 'string' && value.endsWith('%')) {
		const share = (Number(value.slice(0, -1)) * total) / 100;
		return roundUp ? Math.ceil(share) : Math.floor(share);
	}
	return Number(value);
}

function ready(pod) {
	return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** The stored PDBs with the disruptions each allows now, given every pod of the cluster (API objects). */
export function budgets(store, pods) {
	return Object.values(store.objects)
		.filter((rec) => rec.kind === 'PodDisruptionBudget' && rec.group === 'policy')
		.map((rec) => {
			const spec = rec.object.spec ?? {};
			const covered = pods.filter((p) => p.metadata.namespace === rec.namespace && !p.metadata.deletionTimestamp && matchLabels(p.metadata.labels ?? {}, spec.selector ?? {}));
			const healthy = covered.filter(ready).length;
			let desired;
			if (spec.minAvailable !== undefined) desired = count(spec.minAvailable, covered.length, true);
			else if (spec.maxUnavailable !== undefined) desired = covered.length - count(spec.maxUnavailable, covered.length, true);
			else desired = healthy > 0 ? healthy - 1 : 0;
			const allowed = Math.max(0, healthy - desired);
			return { namespace: rec.namespace, name: rec.name, selector: spec.selector ?? {}, allowed, healthy, desired: Math.max(0, desired), expected: covered.length, record: rec };
		});
}

/**
 * The stored PDBs as the API serves them: with the `status` the disruption controller keeps (currentHealthy,
 * desiredHealthy, disruptionsAllowed, expectedPods, observedGeneration and the DisruptionAllowed condition,
 * reason SufficientPods or InsufficientPods), computed from the pods now. (The real controller counts the
 * expected pods from the owning workloads' scale; here from the pods the selector covers.)
 */
export function budgetObjects(store, pods, now) {
	return budgets(store, pods).map((b) => ({
		...b.record.object,
		status: {
			conditions: [{
				lastTransitionTime: now, message: '', observedGeneration: b.record.generation,
				reason: b.allowed > 0 ? 'SufficientPods' : 'InsufficientPods', status: b.allowed > 0 ? 'True' : 'False', type: 'DisruptionAllowed',
			}],
			currentHealthy: b.healthy, desiredHealthy: b.desired, disruptionsAllowed: b.allowed, expectedPods: b.expected, observedGeneration: b.record.generation,
		},
	}));
}

/** Whether evicting `pod` now is allowed by every budget covering it; an allowed eviction uses up one disruption. */
export function evict(budgetList, pod) {
	const covering = budgetList.filter((b) => b.namespace === pod.metadata.namespace && matchLabels(pod.metadata.labels ?? {}, b.selector));
	if (covering.some((b) => b.allowed <= 0)) return false;
	for (const b of covering) b.allowed -= 1;
	return true;
}

/** A Go duration (`5m`, `300s`, `1h2m3s`, `0`) in ms; NaN when it is not one. */
export function parseDuration(text) {
	if (/^0+$/.test(text)) return 0;
	const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
	if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return Number.NaN;
	const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
	return parts.reduce((sum, [, n, u]) => sum + Number(n) * unit[u], 0);
}

/** ms as Go prints a duration: 5m0s, 1h0m0s, 30s. */
export function formatDuration(ms) {
	const total = Math.round(ms / 1000);
	const h = Math.floor(total / 3600);
	const m = Math.floor((total % 3600) / 60);
	const s = total % 60;
	if (h > 0) return `${h}h${m}m${s}s`;
	if (m > 0) return `${m}m${s}s`;
	return `${s}s`;
}
