// DaemonSets and Deployments → rows with desired/ready/updated/available and what is still missing,
// using the same tests as `kubectl rollout status` plus the CNI's "one agent on every node".
import type { Condition, KubeDaemonSet, KubeDeployment, ObjectMeta } from './kube-types.js';
import { oneLine, plural } from './text.js';
import type { WorkloadRow } from './verdict.js';

interface Shortfall {
	cause: string;
	progressing: boolean;
}

function unobserved(metadata: ObjectMeta, observed: number | undefined): Shortfall | undefined {
	if (metadata.generation === undefined || (observed ?? 0) >= metadata.generation) return undefined;
	return { cause: 'its controller has not seen the latest spec yet', progressing: true };
}

function row(kind: WorkloadRow['kind'], metadata: ObjectMeta, counts: Pick<WorkloadRow, 'desired' | 'ready' | 'updated' | 'available'>, shortfall: Shortfall | undefined): WorkloadRow {
	return {
		kind,
		namespace: metadata.namespace,
		name: metadata.name,
		...counts,
		healthy: shortfall === undefined,
		cause: shortfall?.cause,
		progressing: shortfall?.progressing ?? false,
	};
}

/** `nodes` is set for the CNI agent, which must run on every node of the cluster. */
export function daemonSetRow(ds: KubeDaemonSet, nodes?: number): WorkloadRow {
	const s = ds.status;
	const desired = s.desiredNumberScheduled;
	const shortfall = (): Shortfall | undefined => {
		const notSeen = unobserved(ds.metadata, s.observedGeneration);
		if (notSeen) return notSeen;
		if (nodes !== undefined && desired !== nodes) return { cause: `scheduled on ${desired} of ${plural(nodes, 'node')}`, progressing: false };
		if (s.updatedNumberScheduled < desired) return { cause: `rolling out: ${s.updatedNumberScheduled} of ${plural(desired, 'pod')} updated, ${s.numberReady} ready`, progressing: true };
		if (s.numberReady < desired) return { cause: `${s.numberReady} of ${plural(desired, 'pod')} ready`, progressing: true };
		return undefined;
	};
	return row('DaemonSet', ds.metadata, { desired, ready: s.numberReady, updated: s.updatedNumberScheduled, available: s.numberAvailable }, shortfall());
}

function failedCondition(conditions: readonly Condition[]): Shortfall | undefined {
	const stuck = conditions.find((c) => (c.type === 'Progressing' && c.status === 'False') || (c.type === 'ReplicaFailure' && c.status === 'True'));
	if (stuck === undefined) return undefined;
	const head = oneLine(stuck.reason ?? stuck.type);
	const message = oneLine(stuck.message ?? '');
	return { cause: message === '' ? head : `${head}: ${message}`, progressing: false };
}

export function deploymentRow(deployment: KubeDeployment): WorkloadRow {
	const s = deployment.status;
	const desired = deployment.spec.replicas;
	const shortfall = (): Shortfall | undefined => {
		const notSeen = unobserved(deployment.metadata, s.observedGeneration);
		if (notSeen) return notSeen;
		if (s.updatedReplicas >= desired && s.readyReplicas >= desired) return undefined;
		const failed = failedCondition(s.conditions);
		if (failed) return failed;
		if (s.updatedReplicas < desired) return { cause: `rolling out: ${s.updatedReplicas} of ${plural(desired, 'replica')} updated, ${s.readyReplicas} ready`, progressing: true };
		return { cause: `${s.readyReplicas} of ${plural(desired, 'replica')} ready`, progressing: true };
	};
	return row('Deployment', deployment.metadata, { desired, ready: s.readyReplicas, updated: s.updatedReplicas, available: s.availableReplicas }, shortfall());
}
