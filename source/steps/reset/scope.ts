// What a reset run is about, shared by its steps through ctx.shared: the hosts being reset, whether
// that is the whole cluster, the hosts that did not answer, and the Node names found in the API.
import type { RunContext, StepHost } from '../types.js';

export const RESET = 'reset-scope';

export interface ResetScope {
	/** host ids (SSH addresses) being reset */
	targets: Set<string>;
	/** every host of the cluster: no drain, no Node deletion, etcd goes with the last control plane */
	whole: boolean;
	removePackages: boolean;
	/** kubectl drain --timeout */
	drainTimeoutSeconds: number;
	/** host id → why it could not be reached */
	unreachable: Map<string, string>;
	/** host id → its Node name in the API (absent: no Node for it) */
	nodeNames: Map<string, string>;
	/** host id → the InternalIP its Node registered */
	nodeIps: Map<string, string>;
	/** the Node name of the control plane kubectl and etcdctl run on */
	apiNode?: string;
}

export function newScope(targets: Iterable<string>, whole: boolean, removePackages: boolean, drainTimeoutSeconds: number): ResetScope {
	return { targets: new Set(targets), whole, removePackages, drainTimeoutSeconds, unreachable: new Map(), nodeNames: new Map(), nodeIps: new Map() };
}

export function scopeOf(ctx: RunContext): ResetScope {
	const scope = ctx.shared.get(RESET) as ResetScope | undefined;
	if (!scope) throw new Error('reset scope not set');
	return scope;
}

export function targetHosts(ctx: RunContext): StepHost[] {
	const scope = scopeOf(ctx);
	return ctx.hosts.filter((h) => scope.targets.has(h.id));
}

/** The control plane kubectl and etcdctl run on while nodes are removed: one that stays and answers. */
export function apiHost(ctx: RunContext): StepHost | undefined {
	const scope = scopeOf(ctx);
	return ctx.hosts.find((h) => h.host.role === 'control-plane' && !scope.targets.has(h.id) && h.remote !== undefined && !scope.unreachable.has(h.id));
}

/** The host cluster-side steps are reported on: the API host, else the first staying control plane (which then fails clearly). */
export function apiTarget(ctx: RunContext): StepHost[] {
	const scope = scopeOf(ctx);
	if (scope.whole) return [];
	const host = apiHost(ctx) ?? ctx.hosts.find((h) => h.host.role === 'control-plane' && !scope.targets.has(h.id));
	return host ? [host] : [];
}

export function requireApiHost(ctx: RunContext): StepHost {
	const host = apiHost(ctx);
	if (!host) throw new Error('no control plane that stays in the cluster answered over SSH; kubectl and etcdctl need one');
	return host;
}

/** What to tell the user about a host that did not answer. */
export function unreachableAdvice(ctx: RunContext, host: StepHost): string | undefined {
	const why = scopeOf(ctx).unreachable.get(host.id);
	if (why === undefined) return undefined;
	return `unreachable (${why}); nothing was changed on it — when it answers again, run the same reset again to clean it`;
}

/** etcd peer URLs this control plane can have: kubeadm advertises the private address when set, else the host's. */
export function peerUrls(host: StepHost, internalIp: string | undefined): string[] {
	const addresses = [host.host.privateAddress, internalIp, host.host.address].filter((a): a is string => a !== undefined && a !== '');
	return [...new Set(addresses.map((a) => `https://${a.includes(':') ? `[${a}]` : a}:2380`))];
}
