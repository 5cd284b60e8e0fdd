// The READY, STATUS and RESTARTS columns of `kubectl get pods`, computed the way kubectl's pod
// printer does (pkg/printers/internalversion printPod), plus which container decided STATUS so the
// cause can name it.
import { timeOf } from './json-read.js';
import type { ContainerSpec, ContainerStatus, KubePod } from './kube-types.js';

export interface PodStatusSummary {
	readyContainers: number;
	totalContainers: number;
	status: string;
	restarts: number;
	/** when the most recently restarted container last terminated (ms), for "3 (45s ago)" */
	lastRestart?: number;
	/** the container whose state gave STATUS, when one did */
	decidedBy?: { name: string; init: boolean };
}

/** A restartable init container (restartPolicy Always) is a sidecar: it counts as a container. */
function isSidecar(spec: ContainerSpec | undefined): boolean {
	return spec?.restartPolicy === 'Always';
}

function hasCondition(pod: KubePod, type: string): boolean {
	return pod.status.conditions.some((c) => c.type === type && c.status === 'True');
}

function later(current: number | undefined, status: ContainerStatus): number | undefined {
	const finished = timeOf(status.lastState.terminated?.finishedAt);
	if (finished === undefined) return current;
	return current === undefined || finished > current ? finished : current;
}

function terminatedReason(terminated: NonNullable<ContainerStatus['state']['terminated']>, prefix: string): string {
	if (terminated.reason !== undefined) return prefix + terminated.reason;
	if (terminated.signal !== undefined && terminated.signal !== 0) return `${prefix}Signal:${terminated.signal}`;
	return `${prefix}ExitCode:${terminated.exitCode}`;
}

export function podStatus(pod: KubePod): PodStatusSummary {
	const { status, spec } = pod;
	let reason = status.reason ?? status.phase ?? '';
	if (status.conditions.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';
	let decidedBy: PodStatusSummary['decidedBy'];

	const initSpecs = new Map(spec.initContainers.map((c) => [c.name, c]));
	const total = spec.containers.length + spec.initContainers.filter(isSidecar).length;
	let ready = 0;
	let restarts = 0;
	let lastRestart: number | undefined;
	let sidecarRestarts = 0;
	let lastSidecarRestart: number | undefined;

	let initializing = false;
	for (const [index, container] of status.initContainerStatuses.entries()) {
		restarts += container.restartCount;
		lastRestart = later(lastRestart, container);
		const sidecar = isSidecar(initSpecs.get(container.name));
		if (sidecar) {
			sidecarRestarts += container.restartCount;
			lastSidecarRestart = later(lastSidecarRestart, container);
		}
		const { terminated, waiting } = container.state;
		if (terminated !== undefined && terminated.exitCode === 0) continue;
		if (sidecar && container.started === true) {
			if (container.ready) ready++;
			continue;
		}
		if (terminated !== undefined) reason = terminatedReason(terminated, 'Init:');
		else if (waiting?.reason !== undefined && waiting.reason !== 'PodInitializing') reason = `Init:${waiting.reason}`;
		else reason = `Init:${index}/${spec.initContainers.length}`;
		decidedBy = { name: container.name, init: true };
		initializing = true;
		break;
	}

	if (!initializing || hasCondition(pod, 'Initialized')) {
		restarts = sidecarRestarts;
		lastRestart = lastSidecarRestart;
		let running = false;
		// Backwards, so the first container with something to say has the last word, as in kubectl.
		for (let i = status.containerStatuses.length - 1; i >= 0; i--) {
			const container = status.containerStatuses[i];
			if (container === undefined) continue;
			restarts += container.restartCount;
			lastRestart = later(lastRestart, container);
			const { terminated, waiting, running: isRunning } = container.state;
			if (waiting?.reason !== undefined) {
				reason = waiting.reason;
				decidedBy = { name: container.name, init: false };
			} else if (terminated !== undefined) {
				reason = terminatedReason(terminated, '');
				decidedBy = { name: container.name, init: false };
			} else if (container.ready && isRunning !== undefined) {
				running = true;
				ready++;
			}
		}
		// A pod whose first container completed while another still runs is Running (or NotReady).
		if (reason === 'Completed' && running) reason = hasCondition(pod, 'Ready') ? 'Running' : 'NotReady';
	}

	if (pod.metadata.deletionTimestamp !== undefined && status.reason === 'NodeLost') reason = 'Unknown';
	else if (pod.metadata.deletionTimestamp !== undefined && status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';

	return { readyContainers: ready, totalContainers: total, status: reason, restarts, lastRestart, decidedBy };
}
