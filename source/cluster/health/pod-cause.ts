// Why a pod is not ready, in words a person can act on: the image that cannot be pulled, the exit
// code of a crashing container, the scheduler's reason, the node that went away. "Progressing"
// marks states that usually resolve by themselves (containers being created, init containers
// running, readiness not reached yet), so a caller can wait on them before calling them a problem.
import type { ContainerSpec, ContainerStatus, KubePod } from './kube-types.js';
import type { PodStatusSummary } from './pod-status.js';
import { oneLine, plural } from './text.js';

export interface Cause {
	text: string;
	progressing: boolean;
}

const IMAGE_PULL = new Set(['ImagePullBackOff', 'ErrImagePull']);

function imageOf(specs: readonly ContainerSpec[], status: ContainerStatus): string {
	return specs.find((c) => c.name === status.name)?.image || status.image;
}

function withDetail(head: string, message: string | undefined): string {
	const detail = message === undefined ? '' : oneLine(message);
	return detail === '' ? head : `${head}: ${detail}`;
}

function exitText(code: number, reason: string | undefined, restarts: number): string {
	const head = `exit code ${code}${reason === undefined ? '' : ` (${oneLine(reason)})`}`;
	return restarts > 0 ? `${head}, restarted ${plural(restarts, 'time')}` : head;
}

/** The cause for one container that is waiting or terminated; undefined when it is running. */
export function containerCause(status: ContainerStatus, specs: readonly ContainerSpec[]): Cause | undefined {
	const { waiting, terminated } = status.state;
	if (waiting !== undefined) {
		const reason = waiting.reason ?? 'Waiting';
		if (IMAGE_PULL.has(reason)) {
			const image = oneLine(imageOf(specs, status));
			// The back-off message repeats the image the summary already names.
			const message = (waiting.message ?? reason).replace(`Back-off pulling image "${image}": `, '');
			return { text: withDetail(`image "${image}" cannot be pulled`, message), progressing: false };
		}
		if (reason === 'CrashLoopBackOff') {
			const last = status.lastState.terminated;
			const text = last === undefined ? `crashing, restarted ${plural(status.restartCount, 'time')}` : exitText(last.exitCode, last.reason, status.restartCount);
			return { text, progressing: false };
		}
		if (reason === 'ContainerCreating') return { text: 'creating containers', progressing: true };
		if (reason === 'PodInitializing') return { text: 'waiting for init containers', progressing: true };
		return { text: withDetail(oneLine(reason), waiting.message), progressing: false };
	}
	if (terminated !== undefined) return { text: withDetail(exitText(terminated.exitCode, terminated.reason, status.restartCount), terminated.message), progressing: false };
	// Between two crashes of a crash loop the container runs again, not ready: the last exit is the cause.
	const last = status.lastState.terminated;
	if (crashedBefore(status) && last !== undefined) return { text: `running again after ${exitText(last.exitCode, last.reason, status.restartCount)}`, progressing: false };
	return undefined;
}

/** A container that runs again, not ready, after exiting with an error: a crash loop between two back-offs. */
export function crashedBefore(status: ContainerStatus): boolean {
	const last = status.lastState.terminated;
	return status.state.running !== undefined && !status.ready && status.restartCount > 0 && last !== undefined && last.exitCode !== 0;
}

function prefixed(prefix: string, cause: Cause): Cause {
	return { text: `${prefix}${cause.text}`, progressing: cause.progressing };
}

function initCause(pod: KubePod, name: string, status: string): Cause {
	const index = pod.status.initContainerStatuses.findIndex((c) => c.name === name);
	const container = pod.status.initContainerStatuses[index];
	const prefix = `init container ${name}: `;
	if (container !== undefined && /^Init:\d+\/\d+$/.test(status)) {
		const position = `(${index + 1} of ${pod.spec.initContainers.length})`;
		const running = container.state.running !== undefined;
		return { text: running ? `init container ${name} ${position} is running` : `waiting for init container ${name} ${position}`, progressing: true };
	}
	const cause = container === undefined ? undefined : containerCause(container, pod.spec.initContainers);
	return prefixed(prefix, cause ?? { text: status, progressing: false });
}

function mainCauses(pod: KubePod): Cause[] {
	const many = pod.spec.containers.length > 1;
	const problems: Cause[] = [];
	const unready: string[] = [];
	for (const status of pod.status.containerStatuses) {
		const cause = containerCause(status, pod.spec.containers);
		if (cause !== undefined) problems.push(many ? prefixed(`${status.name}: `, cause) : cause);
		else if (!status.ready) unready.push(status.name);
	}
	if (unready.length > 0) problems.push({ text: many ? `not ready yet: ${unready.join(', ')}` : 'running, not ready yet', progressing: true });
	// Errors before the states that resolve by themselves.
	return problems.sort((a, b) => Number(a.progressing) - Number(b.progressing));
}

function unscheduledCause(pod: KubePod): Cause {
	const scheduled = pod.status.conditions.find((c) => c.type === 'PodScheduled');
	if (scheduled === undefined || scheduled.status === 'True') return { text: 'waiting to be scheduled', progressing: true };
	// The scheduler's message says which nodes were rejected and why (taints, resources, affinity).
	const message = scheduled.message === undefined ? '' : oneLine(scheduled.message);
	return { text: message === '' ? `not scheduled (${oneLine(scheduled.reason ?? 'Unschedulable')})` : message, progressing: false };
}

/** Why a pod that is not ready is not ready. */
export function podCause(pod: KubePod, summary: PodStatusSummary): Cause {
	const { status } = summary;
	const node = pod.spec.nodeName ?? '';
	if (status === 'Unknown') return { text: withDetail(`node ${node} is unreachable`, pod.status.message), progressing: false };
	if (status === 'SchedulingGated') return { text: 'scheduling gated: waiting for its scheduling gates to be removed', progressing: false };
	if (node === '' && pod.status.phase === 'Pending') return unscheduledCause(pod);
	if (summary.decidedBy?.init === true) return initCause(pod, summary.decidedBy.name, status);
	const causes = mainCauses(pod);
	if (causes.length > 0) return { text: causes.map((c) => c.text).join('; '), progressing: causes.every((c) => c.progressing) };
	if (pod.status.phase === 'Failed') return { text: withDetail(oneLine(pod.status.reason ?? 'Failed'), pod.status.message), progressing: false };
	if (pod.status.containerStatuses.length === 0) return { text: 'waiting for the kubelet to start its containers', progressing: true };
	const ready = pod.status.conditions.find((c) => c.type === 'Ready');
	return { text: withDetail('not ready', ready?.message), progressing: true };
}
