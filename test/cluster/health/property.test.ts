// Whatever kubectl returns (objects mid-creation, fields of the wrong type, hostile strings), the
// model never throws, healthy means "no problems", and the plain output fits its width.
import test from 'ava';
import fc from 'fast-check';
import { assess, cniInfo, formatPodTable, formatStatus, formatTimeoutReport, logRequests, parseSnapshot, statusReport, withLogs } from '../../../source/cluster/health/index.js';
import { NOW } from './_fixtures.js';

const text = fc.oneof(fc.constantFrom('', 'kube-system', 'cilium-abc', 'calico-node', 'coredns', 'Running', 'Pending', 'Always', 'True', 'False', 'CrashLoopBackOff', 'ImagePullBackOff', 'PodInitializing', '2026-08-01T11:59:00Z', 'not a time'), fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }));
// Any JSON value in place of a field: the parser must cope with the wrong type too.
const anything = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(text, { maxLength: 2 }), fc.dictionary(text, text, { maxKeys: 2 }));

function maybe<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | typeof anything extends fc.Arbitrary<infer U> ? U : never> {
	return fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: anything }) as never;
}

const state = fc.record(
	{
		waiting: maybe(fc.record({ reason: maybe(text), message: maybe(text) }, { requiredKeys: [] })),
		running: maybe(fc.record({ startedAt: maybe(text) }, { requiredKeys: [] })),
		terminated: maybe(fc.record({ exitCode: maybe(fc.integer()), signal: maybe(fc.integer()), reason: maybe(text), finishedAt: maybe(text) }, { requiredKeys: [] })),
	},
	{ requiredKeys: [] },
);
const containerStatus = fc.record({ name: maybe(text), image: maybe(text), ready: maybe(fc.boolean()), started: maybe(fc.boolean()), restartCount: maybe(fc.nat()), state: maybe(state), lastState: maybe(state) }, { requiredKeys: [] });
const container = fc.record({ name: maybe(text), image: maybe(text), restartPolicy: maybe(text), env: maybe(fc.array(fc.record({ name: text, value: maybe(text) }), { maxLength: 3 })) }, { requiredKeys: [] });
const condition = fc.record({ type: maybe(fc.constantFrom('Ready', 'PodScheduled', 'Initialized', 'Progressing', 'ReplicaFailure')), status: maybe(fc.constantFrom('True', 'False', 'Unknown')), reason: maybe(text), message: maybe(text) }, { requiredKeys: [] });
const metadata = fc.record(
	{
		name: fc.oneof(text, fc.constantFrom('cilium-x', 'coredns-y', 'calico-node-z')),
		namespace: maybe(fc.constantFrom('kube-system', 'default', 'calico-system')),
		creationTimestamp: maybe(text),
		deletionTimestamp: maybe(text),
		generation: maybe(fc.integer()),
		labels: maybe(fc.dictionary(fc.constantFrom('node-role.kubernetes.io/control-plane', 'kubernetes.io/role', 'app'), text, { maxKeys: 2 })),
	},
	{ requiredKeys: ['name'] },
);
const pod = fc.record({
	kind: fc.constant('Pod'),
	metadata,
	spec: maybe(fc.record({ nodeName: maybe(text), containers: maybe(fc.array(container, { maxLength: 3 })), initContainers: maybe(fc.array(container, { maxLength: 3 })) }, { requiredKeys: [] })),
	status: maybe(
		fc.record(
			{
				phase: maybe(fc.constantFrom('Pending', 'Running', 'Succeeded', 'Failed', 'Unknown')),
				reason: maybe(fc.constantFrom('Evicted', 'NodeLost')),
				message: maybe(text),
				conditions: maybe(fc.array(condition, { maxLength: 4 })),
				containerStatuses: maybe(fc.array(containerStatus, { maxLength: 3 })),
				initContainerStatuses: maybe(fc.array(containerStatus, { maxLength: 3 })),
			},
			{ requiredKeys: [] },
		),
	),
});
const node = fc.record({
	kind: fc.constant('Node'),
	metadata,
	spec: maybe(fc.record({ unschedulable: maybe(fc.boolean()) }, { requiredKeys: [] })),
	status: maybe(fc.record({ conditions: maybe(fc.array(condition, { maxLength: 3 })), addresses: maybe(fc.array(fc.record({ type: text, address: text }), { maxLength: 2 })), nodeInfo: maybe(fc.dictionary(text, text, { maxKeys: 3 })) }, { requiredKeys: [] })),
});
const counts = fc.record({ desiredNumberScheduled: maybe(fc.nat(5)), numberReady: maybe(fc.nat(5)), updatedNumberScheduled: maybe(fc.nat(5)), replicas: maybe(fc.nat(5)), readyReplicas: maybe(fc.nat(5)), updatedReplicas: maybe(fc.nat(5)), observedGeneration: maybe(fc.nat(3)), conditions: maybe(fc.array(condition, { maxLength: 2 })) }, { requiredKeys: [] });
const workload = fc.record({
	kind: fc.constantFrom('DaemonSet', 'Deployment'),
	metadata: fc.record({ name: fc.constantFrom('cilium', 'calico-node', 'cilium-operator', 'calico-kube-controllers', 'coredns', 'other'), namespace: fc.constantFrom('kube-system', 'default'), generation: maybe(fc.nat(3)) }),
	spec: maybe(fc.record({ replicas: maybe(fc.nat(3)), template: maybe(fc.record({ spec: fc.record({ containers: fc.array(container, { maxLength: 2 }) }) })) }, { requiredKeys: [] })),
	status: maybe(counts),
});
const list = fc.array(fc.oneof(pod, pod, node, workload, anything), { maxLength: 12 }).map((items) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));

test('assess and every formatter never throw, healthy is exactly "no problems", plain lines fit', (t) => {
	fc.assert(
		fc.property(list, fc.constantFrom('cilium' as const, 'calico' as const), fc.integer({ min: 20, max: 200 }), fc.array(fc.string(), { maxLength: 3 }), (json, cni, width, logLines) => {
			const snapshot = parseSnapshot(json);
			let verdict = assess(snapshot, { cni, now: NOW, nodeNames: ['cp-1'] });
			if (verdict.healthy !== (verdict.problems.length === 0)) return false;
			if (verdict.summary.podsReady > verdict.summary.podsTotal || verdict.summary.nodesReady > verdict.summary.nodesTotal) return false;
			verdict = withLogs(verdict, new Map(logRequests(verdict).map((r) => [`${r.namespace}/${r.pod}/${r.container}`, logLines])));
			const lines = [
				...formatPodTable(verdict, { width, elapsedMs: 1000 }),
				...formatStatus(statusReport(verdict, cniInfo(snapshot, ''), { generatedAt: new Date(NOW).toISOString() }), { width }),
			];
			const report = formatTimeoutReport(verdict, [], { timeoutMs: 1000, lookFurther: 'kubectl get pods -A' });
			const printable = (line: string): boolean => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(line);
			return lines.every((line) => line.length <= width && printable(line)) && report.every(printable);
		}),
		{ numRuns: 300 },
	);
	t.pass();
});
