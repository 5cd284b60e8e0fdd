// One pod → one row of the table, with its health and cause.
import { ageSince, humanDuration } from './kube-durations.js';
import { timeOf } from './json-read.js';
import type { KubePod } from './kube-types.js';
import { crashedBefore, podCause } from './pod-cause.js';
import { podStatus } from './pod-status.js';
import { isSystemObject } from './system-objects.js';
import type { PodRow } from './verdict.js';

export function podRow(pod: KubePod, now: number): PodRow {
	const { namespace, name, deletionTimestamp, creationTimestamp } = pod.metadata;
	const summary = podStatus(pod);
	const phase = pod.status.phase;
	const podReady = pod.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
	const deleting = deletionTimestamp !== undefined;
	const completed = phase === 'Succeeded';
	const system = isSystemObject(namespace, name);
	// A pod being deleted is only unhealthy when its node stopped answering (kubectl's "Unknown").
	const healthy = deleting ? summary.status !== 'Unknown' : completed || (podReady && phase === 'Running');
	const cause = healthy ? undefined : podCause(pod, summary);
	const restarts =
		summary.restarts !== 0 && summary.lastRestart !== undefined
			? `${summary.restarts} (${humanDuration(now - summary.lastRestart)} ago)`
			: String(summary.restarts);
	return {
		key: `${namespace}/${name}`,
		namespace,
		name,
		ready: `${summary.readyContainers}/${summary.totalContainers}`,
		status: summary.status,
		restarts,
		age: ageSince(timeOf(creationTimestamp), now),
		node: pod.spec.nodeName ?? '',
		healthy,
		cause: cause?.text,
		progressing: cause?.progressing ?? false,
		system,
		counted: system && !deleting && !completed,
		podReady,
		readyContainers: summary.readyContainers,
		totalContainers: summary.totalContainers,
		restartCount: summary.restarts,
		...(summary.restarts !== 0 && summary.lastRestart !== undefined ? { lastRestartAt: new Date(summary.lastRestart).toISOString() } : {}),
		createdAt: creationTimestamp,
		crashLooping: [...pod.status.initContainerStatuses, ...pod.status.containerStatuses]
			.filter((c) => c.state.waiting?.reason === 'CrashLoopBackOff' || crashedBefore(c))
			.map((c) => ({ container: c.name, restarts: c.restartCount })),
	};
}
