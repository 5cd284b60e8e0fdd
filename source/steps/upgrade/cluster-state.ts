// What an upgrade reads from the running cluster through the first control plane: every node's kubelet
// version and readiness, the API server's version and the running CNI release, as the pure planner wants them.
import { cniInfo } from '../../cluster/health/cni-info.js';
import { parseSnapshot } from '../../cluster/health/snapshot.js';
import type { KubeNode, Snapshot } from '../../cluster/health/kube-types.js';
import type { NodeVersion } from '../../cluster/upgrade/plan.js';
import { read } from '../exec.js';
import { kubectl, snapshotCommand } from '../../cluster/kubectl.js';
import type { RunContext, StepHost } from '../types.js';

export interface ClusterState {
	apiServer: string;
	nodes: NodeVersion[];
	cniRunning?: string;
	snapshot: Snapshot;
}

/** ctx.shared key of the ClusterState read at the start of an upgrade (and after each change) */
export const CLUSTER_STATE = 'upgrade-cluster-state';

export function plainVersion(version: string): string {
	return version.replace(/^v/, '').split(/[-+]/)[0] ?? version;
}

function isReady(node: KubeNode): boolean {
	return node.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

export function nodeVersions(snapshot: Snapshot): NodeVersion[] {
	return snapshot.nodes.map((node) => ({
		name: node.metadata.name,
		controlPlane: 'node-role.kubernetes.io/control-plane' in (node.metadata.labels ?? {}),
		kubelet: plainVersion(node.status.nodeInfo.kubeletVersion),
		ready: isReady(node),
		unschedulable: node.spec.unschedulable,
	}));
}

export async function apiServerVersion(ctx: RunContext, step: string, host: StepHost): Promise<string> {
	const text = await read(ctx, step, host, kubectl('version', '-o', 'json'), { sudo: true });
	const parsed = JSON.parse(text) as { serverVersion?: { gitVersion?: string } };
	const version = parsed.serverVersion?.gitVersion;
	if (typeof version !== 'string') throw new Error(`${host.id}: kubectl version printed no server version`);
	return plainVersion(version);
}

export async function readClusterState(ctx: RunContext, step: string, host: StepHost): Promise<ClusterState> {
	const snapshot = parseSnapshot(await read(ctx, step, host, snapshotCommand(), { sudo: true }));
	const apiServer = await apiServerVersion(ctx, step, host);
	const release = cniInfo(snapshot, '').release;
	return { apiServer, nodes: nodeVersions(snapshot), snapshot, ...(release ? { cniRunning: release } : {}) };
}

/** The Node name kubeadm gave a host: the spec's name, else its hostname in lower case. */
export function nodeNameOf(host: StepHost): string {
	const name = host.host.name ?? host.facts?.hostname.toLowerCase();
	if (!name) throw new Error(`${host.id}: node name unknown (facts not gathered)`);
	return name;
}
