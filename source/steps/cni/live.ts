// What the running cluster's CNI is, read once per run from the first control plane: the CNI
// ConfigMaps, the agent DaemonSets (the running release from the agent image), the minor Cilium
// was first installed with and Calico's IP pools. Cached in ctx.shared: the change check, the apply and
// the restart read it.
import { FIRST_INSTALLED } from '../../cluster/cni/compat.js';
import { literalEnv, type IpPool, type LiveCni } from '../../cluster/cni/change.js';
import { minorOfRelease } from '../../cluster/cni/path.js';
import { kubectl } from '../../cluster/kubectl.js';
import { isFields, type Fields } from '../../cluster/objects.js';
import { CILIUM_VERSION } from '../../spec/versions.js';
import { probe, read } from '../exec.js';
import { StepError } from '../types.js';
import type { RunContext, StepHost } from '../types.js';

export interface LiveState extends LiveCni {
	/** the running agent release (from the agent image tag), e.g. 1.19.5 */
	release?: string;
	/** Cilium: the minor first installed (annotation on cilium-config, else the running minor) */
	firstMinor?: string;
}

const LIVE = 'cni-live-state';

export function liveCommand(): string[] {
	return kubectl('-n', 'kube-system', 'get', 'configmaps,daemonsets', '-o', 'json');
}

/** Calico's IP pools: cluster-scoped custom resources of the CRD Calico's manifests install. */
export const IPPOOL_RESOURCE = 'ippools.crd.projectcalico.org';

export function poolsCommand(): string[] {
	return kubectl('get', IPPOOL_RESOURCE, '-o', 'json');
}

/** One IPPool object's fields kubestrap reads (pure); unset modes are Calico's default, Never. */
export function poolOf(object: unknown): IpPool | undefined {
	if (!isFields(object) || !isFields(object['metadata']) || typeof object['metadata']['name'] !== 'string') return undefined;
	const spec = isFields(object['spec']) ? object['spec'] : {};
	const mode = (value: unknown): string => (typeof value === 'string' && value !== '' ? value : 'Never');
	return { name: object['metadata']['name'], cidr: typeof spec['cidr'] === 'string' ? spec['cidr'] : '', ipipMode: mode(spec['ipipMode']), vxlanMode: mode(spec['vxlanMode']) };
}

/** The pools from `kubectl get ippools.crd.projectcalico.org -o json` (pure). */
export function parsePools(text: string): IpPool[] {
	const parsed = JSON.parse(text) as { items?: unknown[] };
	return (parsed.items ?? []).map(poolOf).filter((p): p is IpPool => p !== undefined);
}

function named(items: Fields[], kind: string, name: string): Fields | undefined {
	return items.find((o) => o['kind'] === kind && isFields(o['metadata']) && o['metadata']['name'] === name);
}

function containerOf(workload: Fields | undefined, name: string): Fields | undefined {
	const spec = isFields(workload?.['spec']) && isFields(workload['spec']['template']) ? workload['spec']['template']['spec'] : undefined;
	const containers = isFields(spec) && Array.isArray(spec['containers']) ? spec['containers'] : [];
	return containers.find((c): c is Fields => isFields(c) && c['name'] === name);
}

function data(object: Fields | undefined): Record<string, string> | undefined {
	if (!object) return undefined;
	const out: Record<string, string> = {};
	if (isFields(object['data'])) for (const [key, value] of Object.entries(object['data'])) out[key] = String(value);
	return out;
}

export function releaseOfImage(image: unknown): string | undefined {
	return typeof image === 'string' ? /:v(\d+\.\d+\.\d+)/.exec(image)?.[1] : undefined;
}

/** The live state from `kubectl get configmaps,daemonsets -o json` (pure). */
export function parseLive(text: string, cni: 'cilium' | 'calico'): LiveState {
	const parsed = JSON.parse(text) as { items?: unknown[] };
	const items = (parsed.items ?? []).filter(isFields);
	const state: LiveState = {};
	const other = cni === 'cilium' ? 'calico-node' : 'cilium';
	if (named(items, 'DaemonSet', other)) state.otherCni = other;
	if (cni === 'cilium') {
		const config = named(items, 'ConfigMap', 'cilium-config');
		const ciliumConfig = data(config);
		if (ciliumConfig) state.ciliumConfig = ciliumConfig;
		const release = releaseOfImage(containerOf(named(items, 'DaemonSet', 'cilium'), 'cilium-agent')?.['image']);
		if (release) state.release = release;
		const annotations = isFields(config?.['metadata']) && isFields(config['metadata']['annotations']) ? config['metadata']['annotations'] : {};
		const recorded = annotations[FIRST_INSTALLED];
		const running = release ? minorOfRelease(release) : undefined;
		// The record cannot be newer than what runs: Cilium was rolled back, or replaced by hand with an
		// older release, so the older defaults are the ones the cluster has now.
		if (typeof recorded === 'string' && /^\d+\.\d+$/.test(recorded)) state.firstMinor = running !== undefined && Number(running.split('.')[1]) < Number(recorded.split('.')[1]) ? running : recorded;
		else if (running) state.firstMinor = running;
		return state;
	}
	const calicoConfig = data(named(items, 'ConfigMap', 'calico-config'));
	if (calicoConfig) state.calicoConfig = calicoConfig;
	const node = containerOf(named(items, 'DaemonSet', 'calico-node'), 'calico-node');
	if (node) {
		state.calicoNodeEnv = literalEnv(node);
		const release = releaseOfImage(node['image']);
		if (release) state.release = release;
	}
	return state;
}

/** Reads (once per run) what the cluster runs; a host without a cluster yet has nothing live. */
export async function liveState(ctx: RunContext, step: string, host: StepHost): Promise<LiveState> {
	const cached = ctx.shared.get(LIVE) as LiveState | undefined;
	if (cached) return cached;
	const state = host.facts?.hasAdminConf === false ? {} : parseLive(await read(ctx, step, host, liveCommand(), { sudo: true }), ctx.cluster.spec.network.cni);
	if (state.calicoConfig) state.ipPools = await readPools(ctx, step, host);
	ctx.shared.set(LIVE, state);
	return state;
}

/** Calico's pools; none while the CRD is not installed yet (an apply that stopped early). */
async function readPools(ctx: RunContext, step: string, host: StepHost): Promise<IpPool[]> {
	const argv = poolsCommand();
	const result = await probe(ctx, step, host, argv, { sudo: true });
	if (result.code === 0) return parsePools(result.stdout);
	if (/the server doesn't have a resource type/.test(result.stderr)) return [];
	throw new StepError(host.id, step, argv.join(' '), result.code, `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-20));
}

/** Forgets the cached state (after the apply changed it). */
export function forgetLive(ctx: RunContext): void {
	ctx.shared.delete(LIVE);
}

/** The chart's upgradeCompatibility for this cluster: the first installed minor, or the pinned one for a new cluster. */
export function upgradeCompatibility(state: LiveState): string {
	return state.firstMinor ?? minorOfRelease(CILIUM_VERSION);
}
