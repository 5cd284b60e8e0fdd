// The PodDisruptionBudgets behind a drain that could not finish, named from the API's own objects: kubectl
// drain prints only "Cannot evict pod as it would violate the pod's disruption budget." (the 429's cause that
// names the budget is not printed), so the budgets are read (`kubectl get pdb -A -o json`) and matched to the
// blocking pods' labels (the pods on the node, `kubectl get pods -A --field-selector spec.nodeName=N -o json`).
// Pure: JSON text in, lines out.

interface Requirement {
	key: string;
	operator: string;
	values?: string[];
}

export interface LabelSelector {
	matchLabels?: Record<string, string>;
	matchExpressions?: Requirement[];
}

export interface Budget {
	namespace: string;
	name: string;
	minAvailable?: number | string;
	maxUnavailable?: number | string;
	/** undefined: the budget selects no pod (policy/v1); {}: every pod of its namespace */
	selector?: LabelSelector;
	/** the disruption controller's numbers; undefined before it has observed the budget */
	currentHealthy?: number;
	desiredHealthy?: number;
	disruptionsAllowed?: number;
	expectedPods?: number;
}

interface PdbItem {
	metadata?: { namespace?: string; name?: string };
	spec?: { minAvailable?: number | string; maxUnavailable?: number | string; selector?: LabelSelector | null };
	status?: { currentHealthy?: number; desiredHealthy?: number; disruptionsAllowed?: number; expectedPods?: number };
}

/** The budgets of a `kubectl get pdb -A -o json` list. */
export function parseBudgets(text: string): Budget[] {
	const list = JSON.parse(text) as { items?: PdbItem[] };
	return (list.items ?? []).map((item) => {
		const spec = item.spec ?? {};
		const status = item.status ?? {};
		return {
			namespace: item.metadata?.namespace ?? 'default',
			name: item.metadata?.name ?? '',
			...(spec.minAvailable !== undefined ? { minAvailable: spec.minAvailable } : {}),
			...(spec.maxUnavailable !== undefined ? { maxUnavailable: spec.maxUnavailable } : {}),
			...(spec.selector ? { selector: spec.selector } : {}),
			...(typeof status.currentHealthy === 'number' ? { currentHealthy: status.currentHealthy } : {}),
			...(typeof status.desiredHealthy === 'number' ? { desiredHealthy: status.desiredHealthy } : {}),
			...(typeof status.disruptionsAllowed === 'number' ? { disruptionsAllowed: status.disruptionsAllowed } : {}),
			...(typeof status.expectedPods === 'number' ? { expectedPods: status.expectedPods } : {}),
		};
	});
}

/** namespace/name → labels, from a `kubectl get pods -o json` list. */
export function parsePodLabels(text: string): Map<string, Record<string, string>> {
	const list = JSON.parse(text) as { items?: Array<{ metadata?: { namespace?: string; name?: string; labels?: Record<string, string> } }> };
	return new Map((list.items ?? []).map((pod) => [`${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`, pod.metadata?.labels ?? {}]));
}

/** A label selector as the API server applies it: every matchLabels pair and every requirement. */
export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
	for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
	for (const r of selector.matchExpressions ?? []) {
		const has = Object.hasOwn(labels, r.key);
		const value = labels[r.key];
		const ok = r.operator === 'In' ? has && (r.values ?? []).includes(value as string)
			: r.operator === 'NotIn' ? !has || !(r.values ?? []).includes(value as string)
				: r.operator === 'Exists' ? has
					: r.operator === 'DoesNotExist' ? !has : false;
		if (!ok) return false;
	}
	return true;
}

/** The budgets covering a pod (namespace/name) with these labels. */
export function budgetsOf(budgets: readonly Budget[], pod: string, labels: Record<string, string>): Budget[] {
	const namespace = pod.split('/')[0];
	return budgets.filter((b) => b.namespace === namespace && b.selector !== undefined && selects(b.selector, labels));
}

function rule(b: Budget): string {
	if (b.minAvailable !== undefined) return `minAvailable ${b.minAvailable}`;
	if (b.maxUnavailable !== undefined) return `maxUnavailable ${b.maxUnavailable}`;
	return 'no minAvailable or maxUnavailable';
}

function counts(b: Budget): string {
	if (b.disruptionsAllowed === undefined) return 'its status is not computed yet';
	const healthy = b.currentHealthy !== undefined && b.expectedPods !== undefined ? `${b.currentHealthy} of ${b.expectedPods} pods healthy, ` : '';
	const needed = b.desiredHealthy !== undefined ? `${b.desiredHealthy} needed, ` : '';
	return `${healthy}${needed}${b.disruptionsAllowed} disruption${b.disruptionsAllowed === 1 ? '' : 's'} allowed now`;
}

function patch(b: Budget, field: 'minAvailable' | 'maxUnavailable', value: number): string {
	return `kubectl -n ${b.namespace} patch pdb ${b.name} --type=merge -p '{"spec":{"${field}":${value}}}'`;
}

/** What lets this budget allow one more eviction, concretely for its rule and its numbers now. */
function remedy(b: Budget): string {
	const id = `${b.namespace}/${b.name}`;
	const healthy = b.currentHealthy ?? 0;
	const expected = b.expectedPods ?? healthy;
	const unhealthy = Math.max(0, expected - healthy);
	if (b.maxUnavailable !== undefined) {
		// desiredHealthy = expected − maxUnavailable: more replicas raise both, so only Ready pods or a higher maxUnavailable help.
		const used = unhealthy > 0 ? `its ${unhealthy} pod${unhealthy === 1 ? ' that is' : 's that are'} not Ready use${unhealthy === 1 ? 's' : ''} up ${rule(b)}: make ${unhealthy === 1 ? 'it' : 'them'} Ready, or ` : `${rule(b)} allows no eviction while every pod is needed: `;
		return `${used}raise ${id}'s maxUnavailable to ${unhealthy + 1} (${patch(b, 'maxUnavailable', unhealthy + 1)})`;
	}
	const desired = b.desiredHealthy ?? (typeof b.minAvailable === 'number' ? b.minAvailable : healthy);
	const scale = `scale its workload so that ${desired + 1} pods are Ready (${healthy} now)`;
	const lower = healthy > 0 ? `, or lower ${id}'s minAvailable to ${healthy - 1} (${patch(b, 'minAvailable', healthy - 1)})` : '';
	return `${scale}${lower}`;
}

export interface DrainBlock {
	/** a line per budget that blocks, naming it, its rule and its numbers, and the pods it covers */
	budgets: string[];
	/** what to do, concrete for each blocking budget (or for pods no budget covers) */
	todo: string[];
}

/**
 * The budgets that keep `pods` (namespace/name, from kubectl's output) on the node, and what to do about
 * each. Pods no budget covers (a pod without a controller, a budget removed since) get their own line.
 */
export function drainBlock(pods: readonly string[], budgets: readonly Budget[], labels: ReadonlyMap<string, Record<string, string>>): DrainBlock {
	const covering = new Map<string, { budget: Budget; pods: string[] }>();
	const uncovered: string[] = [];
	for (const pod of pods) {
		const found = budgetsOf(budgets, pod, labels.get(pod) ?? {}).filter((b) => labels.has(pod));
		// The budgets allowing no disruption are the ones in the way; the others are named only if none is.
		const blocking = found.filter((b) => (b.disruptionsAllowed ?? 0) <= 0);
		const named = blocking.length > 0 ? blocking : found;
		if (named.length === 0) uncovered.push(pod);
		for (const budget of named) {
			const key = `${budget.namespace}/${budget.name}`;
			const entry = covering.get(key) ?? { budget, pods: [] };
			entry.pods.push(pod);
			covering.set(key, entry);
		}
	}
	const lines: string[] = [];
	const todo: string[] = [];
	for (const [key, { budget, pods: covered }] of covering) {
		lines.push(`PodDisruptionBudget ${key} (${rule(budget)}; ${counts(budget)}) covers ${covered.join(', ')}`);
		todo.push(`what to do for ${key}: ${remedy(budget)}`);
	}
	if (uncovered.length > 0) {
		const deletes = uncovered.map((pod) => `kubectl -n ${pod.split('/')[0]} delete pod ${pod.split('/').slice(1).join('/')}`).join('; ');
		todo.push(`what to do for ${uncovered.join(', ')} (no PodDisruptionBudget covers ${uncovered.length === 1 ? 'it' : 'them'} now: kubectl get pdb -A): if ${uncovered.length === 1 ? 'it' : 'they'} may go, delete ${uncovered.length === 1 ? 'it' : 'them'} (${deletes})`);
	}
	return { budgets: lines, todo };
}
