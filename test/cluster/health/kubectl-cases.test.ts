// The cases of kubectl's own printer tests (kubernetes/kubernetes pkg/printers/internalversion
// printers_test.go: TestPrintNodeStatus and TestPrintPodWithRestarts-style tables), restated as
// API objects: the same inputs must give the same STATUS, READY and RESTARTS cells. Each case is
// checked three ways: the row of the live table, the `status -o json` document, and the text of
// `kubestrap status`, so text and JSON cannot drift apart.
import test from 'ava';
import { assess, cniInfo, formatStatus, parseSnapshot, statusReport, type StatusReport } from '../../../source/cluster/health/index.js';
import { NOW } from './_fixtures.js';

type Obj = Record<string, unknown>;

const AGO = (ms: number): string => new Date(NOW - ms).toISOString();
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

function report(items: Obj[]): StatusReport {
	const snapshot = parseSnapshot(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
	return statusReport(assess(snapshot, { cni: 'cilium', now: NOW }), cniInfo(snapshot, ''), { cluster: 'demo', generatedAt: new Date(NOW).toISOString() });
}

function textRow(r: StatusReport, name: string): string[] {
	const line = formatStatus(r, { width: 200 }).find((l) => l.split(/\s+/).includes(name));
	if (line === undefined) throw new Error(`no text row for ${name}`);
	return line.trim().split(/\s{2,}/);
}

// ---------------------------------------------------------------- nodes (TestPrintNodeStatus)

function node(name: string, conditions: Obj[], unschedulable = false): Obj {
	return { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: unschedulable ? { unschedulable: true } : {}, status: { conditions } };
}

const nodeCases: Array<{ title: string; item: Obj; status: string }> = [
	{ title: 'Ready', item: node('foo1', [{ type: 'Ready', status: 'True' }]), status: 'Ready' },
	{ title: 'Ready and cordoned', item: node('foo2', [{ type: 'Ready', status: 'True' }], true), status: 'Ready,SchedulingDisabled' },
	{ title: 'two Ready conditions, both True', item: node('foo3', [{ type: 'Ready', status: 'True' }, { type: 'Ready', status: 'True' }]), status: 'Ready' },
	{ title: 'Ready False', item: node('foo4', [{ type: 'Ready', status: 'False' }]), status: 'NotReady' },
	{ title: 'Ready False and cordoned', item: node('foo5', [{ type: 'Ready', status: 'False' }], true), status: 'NotReady,SchedulingDisabled' },
	{ title: 'only an unknown condition type', item: node('foo6', [{ type: 'InvalidValue', status: 'True' }]), status: 'Unknown' },
	{ title: 'an empty condition', item: node('foo7', [{}]), status: 'Unknown' },
	{ title: 'an unknown condition type and cordoned', item: node('foo8', [{ type: 'InvalidValue', status: 'True' }], true), status: 'Unknown,SchedulingDisabled' },
	{ title: 'an empty condition and cordoned', item: node('foo9', [{}], true), status: 'Unknown,SchedulingDisabled' },
	{ title: 'no conditions at all', item: node('foo10', []), status: 'Unknown' },
	{ title: 'Ready Unknown (the node controller gave up on the kubelet)', item: node('foo11', [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }]), status: 'NotReady' },
	// kubectl keys the conditions by type: a later Ready replaces an earlier one.
	{ title: 'two Ready conditions, the last False', item: node('foo12', [{ type: 'Ready', status: 'True' }, { type: 'Ready', status: 'False' }]), status: 'NotReady' },
	{ title: 'two Ready conditions, the last True', item: node('foo13', [{ type: 'Ready', status: 'False' }, { type: 'Ready', status: 'True' }]), status: 'Ready' },
];

for (const c of nodeCases) {
	test(`node STATUS as kubectl prints it: ${c.title}`, (t) => {
		const r = report([c.item]);
		const name = (c.item['metadata'] as { name: string }).name;
		const json = r.nodes.find((n) => n.name === name);
		t.is(json?.status, c.status);
		t.is(json?.ready, c.status.startsWith('Ready'));
		t.is(textRow(r, name)[1], c.status);
	});
}

// ---------------------------------------------------------------- pods (printPod)

function pod(name: string, spec: Obj, status: Obj, metadata: Obj = {}): Obj {
	return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'kube-system', creationTimestamp: AGO(DAY), ...metadata }, spec: { nodeName: 'cp-1', ...spec }, status };
}

const named = (n: number, prefix = 'c'): Obj[] => Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}`, image: 'example.org/x:1' }));

function cs(name: string, fields: Obj): Obj {
	return { name, image: 'example.org/x:1', ready: false, restartCount: 0, state: {}, lastState: {}, ...fields };
}

const finished = (ago: number): Obj => ({ terminated: { exitCode: 0, finishedAt: AGO(ago) } });

const podCases: Array<{ title: string; item: Obj; ready: string; status: string; restarts: string }> = [
	{
		title: 'a waiting reason of a later container wins over a running one (test2)',
		item: pod('test2', { containers: named(2) }, {
			phase: 'podPhase',
			containerStatuses: [cs('c0', { ready: true, restartCount: 3, state: { running: {} } }), cs('c1', { restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } })],
		}),
		ready: '1/2',
		status: 'ContainerWaitingReason',
		restarts: '6',
	},
	{
		title: 'the first container overwrites the rest (test3)',
		item: pod('test3', { containers: named(2) }, {
			phase: 'podPhase',
			containerStatuses: [
				cs('c0', { restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } }),
				cs('c1', { restartCount: 3, state: { terminated: { exitCode: 0, reason: 'ContainerTerminatedReason' } } }),
			],
		}),
		ready: '0/2',
		status: 'ContainerWaitingReason',
		restarts: '6',
	},
	{
		title: 'ready is not enough to count as running (test4)',
		item: pod('test4', { containers: named(2) }, { phase: 'podPhase', containerStatuses: [cs('c0', { ready: true, restartCount: 3, state: { running: {} } }), cs('c1', { ready: true, restartCount: 3 })] }),
		ready: '1/2',
		status: 'podPhase',
		restarts: '6',
	},
	{
		title: "the pod's reason stands over its phase (test5)",
		item: pod('test5', { containers: named(2) }, { reason: 'podReason', phase: 'podPhase', containerStatuses: [cs('c0', { ready: true, restartCount: 3, state: { running: {} } }), cs('c1', { ready: true, restartCount: 3 })] }),
		ready: '1/2',
		status: 'podReason',
		restarts: '6',
	},
	{
		title: 'one container completed, one running, no Ready condition: NotReady (test6)',
		item: pod('test6a', { containers: named(2) }, {
			phase: 'Running',
			containerStatuses: [cs('c0', { ready: true, restartCount: 3, state: { terminated: { exitCode: 0, reason: 'Completed' } } }), cs('c1', { ready: true, restartCount: 3, state: { running: {} } })],
		}),
		ready: '1/2',
		status: 'NotReady',
		restarts: '6',
	},
	{
		title: 'one container completed, one running, Ready: Running (test6)',
		item: pod('test6b', { containers: named(2) }, {
			phase: 'Running',
			conditions: [{ type: 'Ready', status: 'True' }],
			containerStatuses: [cs('c0', { ready: true, restartCount: 3, state: { terminated: { exitCode: 0, reason: 'Completed' } } }), cs('c1', { ready: true, restartCount: 3, state: { running: {} } })],
		}),
		ready: '1/2',
		status: 'Running',
		restarts: '6',
	},
	{
		title: 'an init container restarting: Init:0/1 and the age of its last exit (test7)',
		item: pod('test7', { initContainers: named(1, 'i'), containers: named(1) }, {
			phase: 'podPhase',
			initContainerStatuses: [cs('i0', { restartCount: 3, state: { running: {} }, lastState: finished(10 * SECOND) })],
			containerStatuses: [cs('c0', { state: { waiting: {} } })],
		}),
		ready: '0/1',
		status: 'Init:0/1',
		restarts: '3 (10s ago)',
	},
	{
		title: 'the first of two init containers restarting (test8)',
		item: pod('test8', { initContainers: named(2, 'i'), containers: named(1) }, {
			phase: 'podPhase',
			initContainerStatuses: [cs('i0', { restartCount: 3, state: { running: {} }, lastState: finished(10 * SECOND) }), cs('i1', { state: { waiting: {} } })],
			containerStatuses: [cs('c0', { state: { waiting: {} } })],
		}),
		ready: '0/1',
		status: 'Init:0/2',
		restarts: '3 (10s ago)',
	},
	{
		title: 'the second init container restarting after the first completed (test9)',
		item: pod('test9', { initContainers: named(2, 'i'), containers: named(1) }, {
			phase: 'podPhase',
			initContainerStatuses: [cs('i0', { state: { terminated: { exitCode: 0 } } }), cs('i1', { restartCount: 3, state: { running: {} }, lastState: finished(10 * SECOND) })],
			containerStatuses: [cs('c0', { state: { waiting: {} } })],
		}),
		ready: '0/1',
		status: 'Init:1/2',
		restarts: '3 (10s ago)',
	},
	{
		title: 'restarts of both init containers add up, the latest exit gives the age (test10)',
		item: pod('test10', { initContainers: named(2, 'i'), containers: named(1) }, {
			phase: 'podPhase',
			initContainerStatuses: [
				cs('i0', { restartCount: 2, state: { terminated: { exitCode: 0 } }, lastState: finished(2 * MINUTE) }),
				cs('i1', { restartCount: 3, state: { running: {} }, lastState: finished(10 * SECOND) }),
			],
			containerStatuses: [cs('c0', { state: { waiting: {} } })],
		}),
		ready: '0/1',
		status: 'Init:1/2',
		restarts: '5 (10s ago)',
	},
	{
		title: 'once initialized, only the containers count (test11)',
		item: pod('test11', { initContainers: named(1, 'i'), containers: named(1) }, {
			phase: 'Running',
			initContainerStatuses: [cs('i0', { restartCount: 2, state: { terminated: { exitCode: 0 } }, lastState: finished(2 * MINUTE) })],
			containerStatuses: [cs('c0', { restartCount: 4, state: { running: {} }, lastState: finished(20 * SECOND) })],
		}),
		ready: '0/1',
		status: 'Running',
		restarts: '4 (20s ago)',
	},
	{
		title: 'a restart five days ago (test12)',
		item: pod('test12', { containers: named(1) }, {
			phase: 'Running',
			containerStatuses: [cs('c0', { ready: true, restartCount: 3, state: { running: {} }, lastState: finished(5 * DAY) })],
		}),
		ready: '1/1',
		status: 'Running',
		restarts: '3 (5d ago)',
	},
	{
		title: 'one container never restarted, the other ten days ago (test13)',
		item: pod('test13', { containers: named(2) }, {
			phase: 'Running',
			containerStatuses: [cs('c0', { ready: true, state: { running: {} } }), cs('c1', { ready: true, restartCount: 3, state: { running: {} }, lastState: finished(10 * DAY) })],
		}),
		ready: '2/2',
		status: 'Running',
		restarts: '3 (10d ago)',
	},
	{
		title: 'restarts 5d and 20d ago: the sum and the most recent (test14)',
		item: pod('test14', { containers: named(2) }, {
			phase: 'Running',
			containerStatuses: [
				cs('c0', { ready: true, restartCount: 6, state: { running: {} }, lastState: finished(5 * DAY) }),
				cs('c1', { ready: true, restartCount: 3, state: { running: {} }, lastState: finished(20 * DAY) }),
			],
		}),
		ready: '2/2',
		status: 'Running',
		restarts: '9 (5d ago)',
	},
	{
		title: 'a scheduling gate (test15)',
		item: pod('test15', { containers: named(2) }, { phase: 'podPhase', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }),
		ready: '0/2',
		status: 'SchedulingGated',
		restarts: '0',
	},
	{
		title: 'Succeeded: Completed (test16)',
		item: pod('test16', { containers: named(1) }, { phase: 'Succeeded', containerStatuses: [cs('c0', { state: { terminated: { exitCode: 0, reason: 'Completed' } } })] }),
		ready: '0/1',
		status: 'Completed',
		restarts: '0',
	},
	{
		title: 'Failed: the container reason (test17)',
		item: pod('test17', { containers: named(1) }, { phase: 'Failed', containerStatuses: [cs('c0', { state: { terminated: { exitCode: 1, reason: 'Error' } } })] }),
		ready: '0/1',
		status: 'Error',
		restarts: '0',
	},
	{
		title: 'Succeeded and being deleted stays Completed (test18)',
		item: pod('test18', { containers: named(1) }, { phase: 'Succeeded', containerStatuses: [cs('c0', { state: { terminated: { exitCode: 0, reason: 'Completed' } } })] }, { deletionTimestamp: AGO(0) }),
		ready: '0/1',
		status: 'Completed',
		restarts: '0',
	},
	{
		title: 'Running and being deleted: Terminating (test19)',
		item: pod('test19', { containers: named(1) }, { phase: 'Running', containerStatuses: [cs('c0', { state: { running: {} } })] }, { deletionTimestamp: AGO(0) }),
		ready: '0/1',
		status: 'Terminating',
		restarts: '0',
	},
	{
		title: 'Pending and being deleted: Terminating (test20)',
		item: pod('test20', { containers: named(1) }, { phase: 'Pending' }, { deletionTimestamp: AGO(0) }),
		ready: '0/1',
		status: 'Terminating',
		restarts: '0',
	},
	{
		title: 'being deleted on a lost node: Unknown (NodeLost)',
		item: pod('lost', { containers: named(1) }, { phase: 'Running', reason: 'NodeLost', containerStatuses: [cs('c0', { ready: true, state: { running: {} } })] }, { deletionTimestamp: AGO(0) }),
		ready: '1/1',
		status: 'Unknown',
		restarts: '0',
	},
];

for (const c of podCases) {
	test(`pod READY/STATUS/RESTARTS as kubectl prints them: ${c.title}`, (t) => {
		const snapshot = parseSnapshot(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [c.item] }));
		const row = assess(snapshot, { cni: 'cilium', now: NOW }).pods[0];
		t.is(row?.ready, c.ready);
		t.is(row?.status, c.status);
		t.is(row?.restarts, c.restarts);
		const r = report([c.item]);
		const name = (c.item['metadata'] as { name: string }).name;
		const json = r.pods.find((p) => p.name === name);
		t.is(json?.status, c.status);
		t.is(`${json?.containers.ready}/${json?.containers.total}`, c.ready);
		t.is(json?.restarts, Number(c.restarts.split(' ')[0]));
		t.is(json?.lastRestartAt === null, !c.restarts.includes('ago'));
		const [, , ready, status, ...rest] = textRow(r, name);
		t.deepEqual([ready, status, rest.slice(0, -1).join(' ')], [c.ready, c.status, c.restarts]);
	});
}
