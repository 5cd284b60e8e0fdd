// kubectl's pod printer on the edge cases the fixtures do not hold: sidecars (restartable init
// containers), a container that completed beside a running one, signals and bare exit codes,
// scheduling gates and evicted pods. Pods are small but shaped as the API server returns them.
import test from 'ava';
import { assess, parseSnapshot, type PodRow } from '../../../source/cluster/health/index.js';
import { NOW } from './_fixtures.js';

const AGO = (seconds: number): string => new Date(NOW - seconds * 1000).toISOString().replace('.000Z', 'Z');

type Obj = Record<string, unknown>;

function running(name: string, ready = true, extra: Obj = {}): Obj {
	return { name, image: `example.org/${name}:1.0`, imageID: '', ready, started: true, restartCount: 0, state: { running: { startedAt: AGO(300) } }, lastState: {}, ...extra };
}

function pod(name: string, spec: Obj, status: Obj, metadata: Obj = {}): Obj {
	return {
		apiVersion: 'v1',
		kind: 'Pod',
		metadata: { name, namespace: 'kube-system', uid: `uid-${name}`, creationTimestamp: AGO(600), ...metadata },
		spec: { nodeName: 'cp-1', ...spec },
		status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], ...status },
	};
}

function row(item: Obj): PodRow {
	const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [item] });
	const found = assess(parseSnapshot(text), { cni: 'cilium', now: NOW }).pods[0];
	if (!found) throw new Error('no row');
	return found;
}

const containers = (...names: string[]): Obj[] => names.map((name) => ({ name, image: `example.org/${name}:1.0` }));

const cases: Array<{ title: string; item: Obj; status: string; ready: string; restarts?: string; cause?: string; healthy: boolean }> = [
	{
		title: 'a started sidecar counts as a container and does not hold the pod in Init',
		item: pod(
			'sidecar',
			{ initContainers: [{ name: 'proxy', image: 'example.org/proxy:1.0', restartPolicy: 'Always' }], containers: containers('app') },
			{
				conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
				initContainerStatuses: [running('proxy', true, { restartCount: 2, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: AGO(125) } } })],
				containerStatuses: [running('app')],
			},
		),
		status: 'Running',
		ready: '2/2',
		restarts: '2 (2m5s ago)',
		healthy: true,
	},
	{
		title: 'a container that completed beside a running one: Running when the pod is Ready',
		item: pod('half-done', { containers: containers('job', 'server') }, {
			containerStatuses: [{ ...running('job', false), state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: AGO(60) } } }, running('server')],
		}),
		status: 'Running',
		ready: '1/2',
		healthy: true,
	},
	{
		title: '… and NotReady when it is not',
		item: pod('half-done-unready', { containers: containers('job', 'server') }, {
			conditions: [{ type: 'Ready', status: 'False', message: 'containers with unready status: [job]' }],
			containerStatuses: [{ ...running('job', false), state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: AGO(60) } } }, running('server')],
		}),
		status: 'NotReady',
		ready: '1/2',
		cause: 'job: exit code 0 (Completed)',
		healthy: false,
	},
	{
		title: 'a terminated container without a reason prints its signal',
		item: pod('signalled', { containers: containers('app') }, {
			conditions: [{ type: 'Ready', status: 'False' }],
			containerStatuses: [{ ...running('app', false), state: { terminated: { exitCode: 137, signal: 9, finishedAt: AGO(5) } } }],
		}),
		status: 'Signal:9',
		ready: '0/1',
		cause: 'exit code 137',
		healthy: false,
	},
	{
		title: 'an init container that failed without a reason prints its exit code',
		item: pod('init-exit', { initContainers: containers('setup'), containers: containers('app') }, {
			phase: 'Pending',
			conditions: [{ type: 'Initialized', status: 'False' }, { type: 'Ready', status: 'False' }],
			initContainerStatuses: [{ ...running('setup', false), state: { terminated: { exitCode: 3, finishedAt: AGO(5) } } }],
			containerStatuses: [{ ...running('app', false), state: { waiting: { reason: 'PodInitializing' } } }],
		}),
		status: 'Init:ExitCode:3',
		ready: '0/1',
		cause: 'init container setup: exit code 3',
		healthy: false,
	},
	{
		title: 'an OOM-killed container is shown by its terminated reason',
		item: pod('oom', { containers: containers('app') }, {
			conditions: [{ type: 'Ready', status: 'False' }],
			containerStatuses: [{ ...running('app', false), restartCount: 1, state: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: AGO(3) } }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: AGO(50) } } }],
		}),
		status: 'OOMKilled',
		ready: '0/1',
		restarts: '1 (50s ago)',
		cause: 'exit code 137 (OOMKilled), restarted 1 time',
		healthy: false,
	},
	{
		title: 'a scheduling gate',
		item: pod('gated', { nodeName: undefined, containers: containers('app') }, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' }] }),
		status: 'SchedulingGated',
		ready: '0/1',
		cause: 'scheduling gated: waiting for its scheduling gates to be removed',
		healthy: false,
	},
	{
		title: 'an evicted pod: the status reason, and its message as the cause',
		item: pod('evicted', { containers: containers('app') }, {
			phase: 'Failed',
			reason: 'Evicted',
			message: 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 91264Ki.',
			conditions: [{ type: 'Ready', status: 'False' }],
			containerStatuses: [],
		}),
		status: 'Evicted',
		ready: '0/1',
		cause: 'Evicted: The node was low on resource: memory. Threshold quantity: 100Mi, available: 91264Ki.',
		healthy: false,
	},
	{
		title: 'a pod the kubelet has not started yet',
		item: pod('fresh', { containers: containers('app') }, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] }),
		status: 'Pending',
		ready: '0/1',
		cause: 'waiting for the kubelet to start its containers',
		healthy: false,
	},
	{
		title: 'an unschedulable pod without a message names the reason',
		item: pod('unschedulable', { nodeName: undefined, containers: containers('app') }, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] }),
		status: 'Pending',
		ready: '0/1',
		cause: 'not scheduled (Unschedulable)',
		healthy: false,
	},
	{
		title: 'a running container that is not ready yet',
		item: pod('warming', { containers: containers('app') }, { conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [running('app', false)] }),
		status: 'Running',
		ready: '0/1',
		cause: 'running, not ready yet',
		healthy: false,
	},
	{
		title: 'a config error names the reason and the kubelet message',
		item: pod('config', { containers: containers('app') }, {
			phase: 'Pending',
			conditions: [{ type: 'Ready', status: 'False' }],
			containerStatuses: [{ ...running('app', false), state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "cilium-ca" not found' } } }],
		}),
		status: 'CreateContainerConfigError',
		ready: '0/1',
		cause: 'CreateContainerConfigError: secret "cilium-ca" not found',
		healthy: false,
	},
	{
		title: 'escape sequences in a message never reach the terminal',
		item: pod('hostile', { containers: containers('app') }, {
			phase: 'Pending',
			conditions: [{ type: 'Ready', status: 'False' }],
			containerStatuses: [{ ...running('app', false), state: { waiting: { reason: 'RunContainerError', message: 'bad\u001b[2J\u001b]0;title\u0007 thing\nsecond line' } } }],
		}),
		status: 'RunContainerError',
		ready: '0/1',
		cause: 'RunContainerError: bad thing second line',
		healthy: false,
	},
];

for (const c of cases) {
	test(c.title, (t) => {
		const r = row(c.item);
		t.is(r.status, c.status);
		t.is(r.ready, c.ready);
		t.is(r.restarts, c.restarts ?? '0');
		t.is(r.healthy, c.healthy);
		t.is(r.cause, c.cause);
	});
}
