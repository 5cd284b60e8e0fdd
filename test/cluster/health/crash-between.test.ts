// A crash loop seen between two crashes: the container runs again, not ready, after exiting with an
// error. The cause names the last exit, and the container counts as crash looping (its previous logs are read).
import test from 'ava';
import { containerCause, crashedBefore } from '../../../source/cluster/health/pod-cause.js';
import type { ContainerStatus } from '../../../source/cluster/health/kube-types.js';

const running = (over: Partial<ContainerStatus>): ContainerStatus => ({
	name: 'coredns',
	image: 'registry.k8s.io/coredns/coredns:v1.12.0',
	ready: false,
	restartCount: 1,
	state: { running: { startedAt: '2026-12-06T03:26:39Z' } },
	lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-12-06T03:26:38Z' } },
	...over,
});

test('running again, not ready, after an error exit: the last exit is the cause and it counts as a crash loop', (t) => {
	const status = running({});
	t.true(crashedBefore(status));
	t.deepEqual(containerCause(status, []), { text: 'running again after exit code 1 (Error), restarted 1 time', progressing: false });
});

test('not a crash loop: ready again, a clean last exit, or no restart yet', (t) => {
	for (const status of [
		running({ ready: true }),
		running({ lastState: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: '2026-12-06T03:26:38Z' } } }),
		running({ restartCount: 0, lastState: {} }),
	]) {
		t.false(crashedBefore(status));
		t.is(containerCause(status, []), undefined);
	}
});
