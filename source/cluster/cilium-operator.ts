// The cilium-operator Deployment: replicas for the cluster's size and, in ENI mode, the AWS
// operator image placed on control-plane nodes (the nodes whose instance role has the ENI permissions).
import { CILIUM_OPERATOR_AWS_DIGESTS } from './image-pins.js';
import type { Cluster } from '../spec/types.js';
import type { NodeCounts } from './counts.js';
import { ensureFields, fieldsAt, findContainer, findObject, isFields, listAt, podSpec, type Fields } from './objects.js';
import type { KubeObject } from './yaml-stream.js';

const GENERIC = /^quay\.io\/cilium\/operator-generic:(v[^@]+)(@sha256:[0-9a-f]{64})?$/;

/**
 * The operator pods are anti-affine per node (required podAntiAffinity on kubernetes.io/hostname),
 * so a replica without an eligible node of its own stays Pending forever and the Deployment never
 * becomes ready. Two replicas at most (the chart default); in ENI mode only control planes qualify.
 */
export function operatorReplicas(cluster: Cluster, counts: NodeCounts): number {
	const eligible = cluster.spec.network.cilium.ipam === 'eni' ? counts.controlPlanes : counts.nodes;
	return Math.max(1, Math.min(2, eligible));
}

/**
 * Tolerations of the operator in ENI mode: upstream's list plus the seed's unreachable entry
 * (placed after not-ready).
 * The seed (kops) gave the operator node-role.kubernetes.io/master NoSchedule and NoExecute
 * not-ready/unreachable for 300 s. Against upstream's list:
 * - control plane: upstream tolerates node-role.kubernetes.io/control-plane (the current key) with
 *   any effect, which covers the seed's NoSchedule entry.
 * - not-ready: upstream tolerates it with any effect and no time limit, and that is kept. In ENI mode
 *   a node only turns Ready once the operator has attached ENIs and handed out pod addresses; until
 *   then the node carries not-ready NoSchedule (without upstream's entry the operator could never be
 *   scheduled at all: a bootstrap deadlock) and not-ready NoExecute. The seed's 300 s entry is left
 *   out on purpose: Kubernetes applies the shortest tolerationSeconds of all matching tolerations,
 *   so it would evict the operator 5 minutes into a slow bootstrap (image pulls), restarting the very
 *   pod that is making the node Ready.
 * - unreachable NoExecute 300 s (the seed's): a control plane that has gone away gives its operator
 *   pod up after 5 minutes so a replica can run on another control plane. (Kubernetes' admission
 *   would add this default anyway; it is written out so the manifest says what happens.)
 * - uninitialized and agent-not-ready stay for the same bootstrap reason as not-ready.
 */
export const UNREACHABLE_TOLERATION: Readonly<Fields> = {
	key: 'node.kubernetes.io/unreachable',
	operator: 'Exists',
	effect: 'NoExecute',
	tolerationSeconds: 300,
};

export function eniOperatorTolerations(upstream: readonly unknown[]): unknown[] {
	const tolerations = upstream.filter((t) => !(isFields(t) && t['key'] === UNREACHABLE_TOLERATION['key']));
	const notReady = tolerations.findIndex((t) => isFields(t) && t['key'] === 'node.kubernetes.io/not-ready');
	tolerations.splice(notReady === -1 ? tolerations.length : notReady + 1, 0, { ...UNREACHABLE_TOLERATION });
	return tolerations;
}

function useAwsOperator(container: Fields): void {
	const image = container['image'];
	const match = typeof image === 'string' ? GENERIC.exec(image) : null;
	if (!match) throw new Error(`kubestrap: unexpected cilium-operator image ${JSON.stringify(image)} in the pinned manifest`);
	// Same release as operator-generic, pinned by the digest the release notes publish (image-pins.ts).
	const tag = match[1] ?? '';
	const digest = CILIUM_OPERATOR_AWS_DIGESTS[tag];
	container['image'] = `quay.io/cilium/operator-aws:${tag}${digest ? `@${digest}` : ''}`;
	container['command'] = ['cilium-operator-aws'];
}

export function editCiliumOperator(objects: readonly KubeObject[], cluster: Cluster, counts: NodeCounts): void {
	const deployment = findObject(objects, 'Deployment', 'cilium-operator');
	const spec = fieldsAt(deployment, 'spec', 'Deployment cilium-operator');
	const replicas = operatorReplicas(cluster, counts);
	spec['replicas'] = replicas;
	// The chart's rule for one replica: with maxUnavailable 50% (rounds down to 0) an update would
	// wait for a surge pod that anti-affinity keeps off the only eligible node.
	if (replicas === 1) fieldsAt(fieldsAt(spec, 'strategy', 'Deployment cilium-operator spec'), 'rollingUpdate', 'Deployment cilium-operator spec.strategy')['maxUnavailable'] = '100%';

	if (cluster.spec.network.cilium.ipam !== 'eni') return;
	const pod = podSpec(deployment);
	useAwsOperator(findContainer(pod, 'cilium-operator'));
	ensureFields(pod, 'nodeSelector')['node-role.kubernetes.io/control-plane'] = '';
	pod['tolerations'] = eniOperatorTolerations(listAt(pod, 'tolerations', 'Deployment cilium-operator pod spec'));
}
