// Which hosts a reset takes, checked before anything is contacted: every --host must be a host of the
// spec, and removing every control plane while keeping workers is refused (that is a whole reset).
// Also what a removal does to etcd, said before it is done.
import type { Cluster, Host } from '../../spec/types.js';

export interface Selection {
	targets: Host[];
	whole: boolean;
}

export function selectHosts(cluster: Cluster, requested: readonly string[]): Selection | string {
	const hosts = cluster.spec.hosts;
	if (requested.length === 0) return { targets: hosts, whole: true };
	const targets: Host[] = [];
	for (const wanted of requested) {
		const host = hosts.find((h) => h.address === wanted || (h.name !== undefined && h.name === wanted));
		if (!host) return `--host ${JSON.stringify(wanted)}: not a host of this cluster (hosts: ${hosts.map((h) => h.address).join(', ')})`;
		if (!targets.includes(host)) targets.push(host);
	}
	if (targets.length === hosts.length) return { targets, whole: true };
	const controlPlanes = hosts.filter((h) => h.role === 'control-plane');
	if (controlPlanes.every((h) => targets.includes(h))) {
		return `--host: removing ${controlPlanes.length === 1 ? 'the only control plane' : 'every control plane'} leaves the workers without a cluster; reset the whole cluster instead (kubestrap reset without --host)`;
	}
	return { targets, whole: false };
}

/** etcd quorum before and after removing control planes, in words. */
export function quorumNote(cluster: Cluster, targets: readonly Host[]): string | undefined {
	const before = cluster.spec.hosts.filter((h) => h.role === 'control-plane').length;
	const removed = targets.filter((h) => h.role === 'control-plane').length;
	if (removed === 0) return undefined;
	const after = before - removed;
	const quorum = Math.floor(after / 2) + 1;
	const tolerates = after - quorum;
	return `etcd: ${before} member${before === 1 ? '' : 's'} now, ${after} after this removal; quorum is then ${quorum} of ${after}, so the cluster ${tolerates === 0 ? 'survives no further control-plane failure' : `survives ${tolerates} more control-plane failure${tolerates === 1 ? '' : 's'}`}${after % 2 === 0 ? ' (an even count tolerates no more failures than one fewer: add a control plane or remove one more)' : ''}.`;
}
