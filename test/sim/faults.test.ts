// Cluster scenarios of the simulated cluster, over real SSH: an image that cannot be pulled, a crash loop
// with its logs, a pre-existing aws-node DaemonSet patched away, extra pods whose readiness a test flips at
// a known time, and a node that goes NotReady.

import test from 'ava';

import { renderManifests } from '../../source/cluster/render.js';
import { bootCluster, eventually, isReady, podsOf, type ContainerStatus, type KubeItem, type KubeList, type SimCluster } from './_cluster.js';

const POLL = ['get', 'nodes,pods,daemonsets,deployments', '-A', '-o', 'json'];

interface KubeEvent {
	reason: string;
	type: string;
	message: string;
	count?: number;
	series?: { count: number };
	involvedObject: { kind: string; name: string; fieldPath?: string };
	firstTimestamp: string | null;
	lastTimestamp: string | null;
}

async function applyCilium(sim: SimCluster): Promise<ReturnType<typeof renderManifests>> {
	const rendered = renderManifests(sim.cluster);
	await sim.remotes[0]!.upload(rendered.text, '/etc/kubestrap/cni.yaml', { sudo: true, mode: 0o600 });
	const result = await sim.kubectl(['apply', '--server-side', '--field-manager=kubestrap', '--force-conflicts', '-f', '/etc/kubestrap/cni.yaml']);
	if (result.code !== 0) throw new Error(result.stderr);
	return rendered;
}

function agentPods(list: KubeList): KubeItem[] {
	return podsOf(list, 'cilium-').filter((pod) => /^cilium-[a-z0-9]{5}$/.test(pod.metadata.name));
}

function templateImage(rendered: ReturnType<typeof renderManifests>, name: string, init: boolean): string {
	const ds = rendered.documents.find((doc) => (doc['metadata'] as { name: string }).name === name && doc['kind'] !== 'ServiceAccount' && doc['kind'] !== 'ClusterRole' && doc['kind'] !== 'ClusterRoleBinding' && (doc['kind'] === 'DaemonSet' || doc['kind'] === 'Deployment'));
	const spec = (ds as { spec: { template: { spec: { containers: { image: string }[]; initContainers?: { image: string }[] } } } }).spec.template.spec;
	return (init ? spec.initContainers![0]! : spec.containers[0]!).image;
}

test('imagePullBackOff: the agent stays at Init:ErrImagePull/ImagePullBackOff with the manifest image, nodes stay NotReady, events say why', async (t) => {
	const sim = await bootCluster(2);
	t.teardown(() => sim.close());
	await sim.hosts.setClusterScenario({ speed: 4, imagePullBackOff: 'cilium' });
	const rendered = await applyCilium(sim);
	const image = templateImage(rendered, 'cilium', true);
	const stuck = await eventually(async () => {
		const list = await sim.json(POLL);
		const pods = agentPods(list);
		const waiting = pods.map((pod) => pod.status?.initContainerStatuses?.[0]?.state.waiting);
		return pods.length === 2 && waiting.every((w) => w?.reason === 'ImagePullBackOff') ? list : undefined;
	}, 10_000, 'the agents in ImagePullBackOff');
	for (const pod of agentPods(stuck)) {
		const [first, second] = pod.status?.initContainerStatuses ?? [];
		t.is(first?.image, image);
		t.true(first?.state.waiting?.message?.startsWith(`Back-off pulling image "${image}": ErrImagePull: `));
		t.is(second?.state.waiting?.reason, 'PodInitializing', 'later init containers wait');
		t.is(pod.status?.containerStatuses?.[0]?.state.waiting?.reason, 'PodInitializing');
		t.is(pod.status?.phase, 'Pending');
		t.false(isReady(pod));
	}
	// Still stuck later: nodes NotReady, CoreDNS unscheduled, the other workloads unaffected.
	await new Promise((resolve) => setTimeout(resolve, 2000));
	const later = await sim.json(POLL);
	t.true(agentPods(later).every((pod) => ['ErrImagePull', 'ImagePullBackOff'].includes(pod.status?.initContainerStatuses?.[0]?.state.waiting?.reason ?? '')));
	t.true(later.items.filter((item) => item.kind === 'Node').every((node) => !isReady(node)));
	t.true(podsOf(later, 'coredns-').every((pod) => !pod.spec?.nodeName));
	t.true(podsOf(later, 'cilium-envoy-').every(isReady));
	const agentsDs = later.items.find((item) => item.kind === 'DaemonSet' && item.metadata.name === 'cilium');
	t.like(agentsDs?.status, { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 0, numberUnavailable: 2 });

	const events = (await sim.json<{ items: KubeEvent[] }>(['get', 'events', '-A', '-o', 'json'])).items;
	const pod = agentPods(later)[0]!.metadata.name;
	const failed = events.find((e) => e.involvedObject.name === pod && e.reason === 'Failed' && e.message.startsWith('Failed to pull image'));
	t.truthy(failed);
	t.is(failed?.type, 'Warning');
	t.true(failed?.message.startsWith(`Failed to pull image "${image}": rpc error: code = NotFound`));
	t.is(failed?.involvedObject.fieldPath, 'spec.initContainers{config}');
	t.true((failed?.count ?? 0) >= 1 && failed?.lastTimestamp !== null);
	t.true(events.some((e) => e.involvedObject.name === pod && e.reason === 'Failed' && e.message === 'Error: ErrImagePull'));
	t.true(events.some((e) => e.involvedObject.name === pod && e.reason === 'BackOff' && e.message === `Back-off pulling image "${image}"`));
	const logs = await sim.kubectl(['logs', '-n', 'kube-system', pod, '-c', 'cilium-agent', '--previous', '--tail=20']);
	t.is(logs.code, 1);
	t.regex(logs.stderr, /previous terminated container "cilium-agent" in pod "cilium-[a-z0-9]{5}" not found/);
});

test('crashLoop: restarts grow with back-off, lastState keeps the exit code, logs --previous answer with the scenario lines', async (t) => {
	const sim = await bootCluster(2);
	t.teardown(() => sim.close());
	const lines = ['level=info msg="Cilium Operator 1.20.1"', 'level=error msg="unable to reach the API server"', 'level=fatal msg="exiting"'];
	await sim.hosts.setClusterScenario({ speed: 10, crashLoop: { workload: 'cilium-operator', exitCode: 2, logs: lines } });
	await applyCilium(sim);
	const operator = (list: KubeList): { pod: KubeItem; status: ContainerStatus } | undefined => {
		const pod = podsOf(list, 'cilium-operator-')[0];
		const status = pod?.status?.containerStatuses?.[0];
		return pod && status ? { pod, status } : undefined;
	};
	const once = await eventually(async () => {
		const found = operator(await sim.json(POLL));
		return found && found.status.restartCount >= 1 ? found : undefined;
	}, 10_000, 'a first restart');
	t.is(once.status.lastState.terminated?.exitCode, 2);
	t.is(once.status.lastState.terminated?.reason, 'Error');
	t.false(once.status.ready);
	const twice = await eventually(async () => {
		const found = operator(await sim.json(POLL));
		return found && found.status.restartCount > once.status.restartCount ? found : undefined;
	}, 10_000, 'the restart count to grow');
	t.is(twice.pod.metadata.name, once.pod.metadata.name);
	const backingOff = await eventually(async () => {
		const found = operator(await sim.json(POLL));
		return found?.status.state.waiting?.reason === 'CrashLoopBackOff' ? found : undefined;
	}, 10_000, 'CrashLoopBackOff');
	t.regex(backingOff.status.state.waiting?.message ?? '', new RegExp(`^back-off \\d+s restarting failed container=cilium-operator pod=${backingOff.pod.metadata.name}_kube-system\\([0-9a-f-]{36}\\)$`));
	t.is(backingOff.pod.status?.phase, 'Running');

	const name = backingOff.pod.metadata.name;
	const previous = await sim.kubectl(['logs', '-n', 'kube-system', name, '-c', 'cilium-operator', '--previous', '--tail=2']);
	t.is(previous.code, 0, previous.stderr);
	t.is(previous.stdout, `${lines.slice(1).join('\n')}\n`);
	t.is((await sim.kubectl(['logs', '-n', 'kube-system', name, '-c', 'cilium-operator', '-p', '--tail=10'])).stdout, `${lines.join('\n')}\n`);
	const noPod = await sim.kubectl(['logs', '-n', 'kube-system', 'cilium-operator-nope', '-c', 'cilium-operator', '--previous', '--tail=5']);
	t.deepEqual([noPod.code, noPod.stderr], [1, 'Error from server (NotFound): pods "cilium-operator-nope" not found\n']);
	const noContainer = await sim.kubectl(['logs', '-n', 'kube-system', name, '-c', 'agent', '--previous']);
	t.deepEqual([noContainer.code, noContainer.stderr], [1, `Error from server (BadRequest): container agent is not valid for pod ${name}\n`]);

	const events = (await sim.json<{ items: KubeEvent[] }>(['get', 'events', '-A', '-o', 'json'])).items;
	const backOff = events.find((e) => e.involvedObject.name === name && e.reason === 'BackOff');
	t.is(backOff?.type, 'Warning');
	t.is(backOff?.message, `Back-off restarting failed container cilium-operator in pod ${name}_kube-system(${/\(([0-9a-f-]{36})\)/.exec(backingOff.status.state.waiting?.message ?? '')?.[1]})`);
	t.true((backOff?.count ?? 0) >= 2);
	// The agents are healthy, so the nodes still become Ready.
	await eventually(async () => ((await sim.json(POLL)).items.filter((item) => item.kind === 'Node').every(isReady) ? true : undefined), 10_000, 'Ready nodes');
});

test('aws-node: a seeded DaemonSet is found, patched with a strategic merge patch and then runs nowhere', async (t) => {
	const sim = await bootCluster(2);
	t.teardown(() => sim.close());
	// Half speed: the replaced pods stay Terminating for two seconds, long enough to be seen.
	await sim.hosts.setClusterScenario({ speed: 0.5 });
	const labels = { 'k8s-app': 'aws-node' };
	const seeded = await sim.hosts.seedClusterObject({
		apiVersion: 'apps/v1', kind: 'DaemonSet',
		metadata: { name: 'aws-node', namespace: 'kube-system', labels },
		spec: {
			selector: { matchLabels: labels },
			template: {
				metadata: { labels },
				spec: {
					hostNetwork: true,
					containers: [{ name: 'aws-node', image: '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.2' }],
					tolerations: [{ operator: 'Exists' }],
				},
			},
		},
	});
	t.is(seeded.generation, 1);
	t.is((await sim.kubectl(['-n', 'kube-system', 'get', 'daemonset', 'aws-node', '--ignore-not-found', '-o', 'name'])).stdout, 'daemonset.apps/aws-node\n');
	const before = await sim.json(POLL);
	t.is(podsOf(before, 'aws-node-').length, 2);
	t.like(before.items.find((item) => item.metadata.name === 'aws-node' && item.kind === 'DaemonSet')?.status, { desiredNumberScheduled: 2 });

	const body = '{"spec":{"template":{"spec":{"nodeSelector":{"io.cilium/aws-node-enabled":"true"}}}}}';
	const patched = await sim.kubectl(['-n', 'kube-system', 'patch', 'daemonset', 'aws-node', '--type=strategic', '-p', body]);
	t.deepEqual([patched.code, patched.stdout], [0, 'daemonset.apps/aws-node patched\n']);
	t.like((await sim.hosts.clusterPatches())[0], { key: 'DaemonSet.apps/kube-system/aws-node', type: 'strategic', patch: JSON.parse(body), changed: true });
	const stored = (await sim.hosts.clusterObjects()).find((o) => o.name === 'aws-node');
	t.is(stored?.generation, 2);
	const podSpec = (stored?.object as unknown as { spec: { template: { spec: { nodeSelector: unknown; containers: unknown[] } } } }).spec.template.spec;
	t.deepEqual(podSpec.nodeSelector, { 'io.cilium/aws-node-enabled': 'true' });
	t.is(podSpec.containers.length, 1, 'the containers list is merged, not replaced');
	const after = await sim.json(POLL);
	t.like(after.items.find((item) => item.metadata.name === 'aws-node' && item.kind === 'DaemonSet')?.status, { desiredNumberScheduled: 0, observedGeneration: 2 });
	const terminating = podsOf(after, 'aws-node-');
	t.deepEqual(terminating.map((pod) => pod.metadata.name).sort(), podsOf(before, 'aws-node-').map((pod) => pod.metadata.name).sort());
	t.true(terminating.every((pod) => pod.metadata.deletionTimestamp !== undefined && !isReady(pod)));
	await eventually(async () => (podsOf(await sim.json(POLL), 'aws-node-').length === 0 ? true : undefined), 5000, 'the aws-node pods to go');

	t.is((await sim.kubectl(['-n', 'kube-system', 'patch', 'daemonset', 'aws-node', '--type=strategic', '-p', body])).stdout, 'daemonset.apps/aws-node patched (no change)\n');
	const missing = await sim.kubectl(['-n', 'kube-system', 'patch', 'daemonset', 'nope', '--type=strategic', '-p', body]);
	t.deepEqual([missing.code, missing.stderr], [1, 'Error from server (NotFound): daemonsets.apps "nope" not found\n']);
});

test('extraPods and flipPod: pause pods wait for Ready nodes, spread over the workers; a flip shows at once; nodeNotReady', async (t) => {
	const sim = await bootCluster(3);
	t.teardown(() => sim.close());
	await sim.hosts.setClusterScenario({ speed: 4, extraPods: 6 });
	const early = await sim.json(['get', 'pods', '-n', 'default', '-o', 'json']);
	t.is(early.items.length, 6);
	t.true(early.items.every((pod) => pod.status?.phase === 'Pending' && !pod.spec?.nodeName));
	await applyCilium(sim);
	const ready = await eventually(async () => {
		const list = await sim.json(POLL);
		const pause = podsOf(list, 'pause-');
		return pause.length === 6 && pause.every(isReady) ? list : undefined;
	}, 15_000, 'six Ready pause pods');
	const pause = podsOf(ready, 'pause-');
	t.deepEqual([...new Set(pause.map((pod) => pod.spec?.nodeName))].sort(), ['node2', 'node3'], 'the control plane keeps its taint');
	t.like(ready.items.find((item) => item.kind === 'Deployment' && item.metadata.name === 'pause')?.status, { readyReplicas: 6, availableReplicas: 6 });

	const target = pause[0]!.metadata.name;
	const flippedAt = await sim.hosts.flipPod(target);
	const seen = await eventually(async () => {
		const pod = (await sim.json(['get', 'pods', '-n', 'default', '-o', 'json'])).items.find((item) => item.metadata.name === target);
		return pod && !isReady(pod) ? { pod, at: Date.now() } : undefined;
	}, 5000, 'the flip');
	t.true(seen.at - flippedAt < 2000, `seen ${seen.at - flippedAt} ms after the flip`);
	t.like(seen.pod.status?.conditions?.find((c) => c.type === 'Ready'), { status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [pause]' });
	t.is((await sim.json(POLL)).items.find((item) => item.kind === 'Deployment' && item.metadata.name === 'pause')?.status?.['readyReplicas'], 5);
	await sim.hosts.flipPod(target);
	await eventually(async () => ((await sim.json(['get', 'pods', '-n', 'default', '-o', 'json'])).items.find((item) => item.metadata.name === target && isReady(item)) ? true : undefined), 5000, 'the flip back');

	// A node going NotReady later: the other fields keep their start time, so the pods keep their names.
	const message = 'PLEG is not healthy: pleg was last seen active 3m0s ago; threshold is 3m0s';
	await sim.hosts.setClusterScenario({ speed: 4, extraPods: 6, nodeNotReady: { node: 'node3', message } });
	const down = await sim.json(POLL);
	const node3 = down.items.find((item) => item.kind === 'Node' && item.metadata.name === 'node3');
	t.like(node3?.status?.conditions?.find((c) => c.type === 'Ready'), { status: 'False', reason: 'KubeletNotReady', message });
	t.true(node3?.spec?.taints?.some((taint) => taint.key === 'node.kubernetes.io/not-ready' && taint.effect === 'NoExecute'));
	t.true(isReady(down.items.find((item) => item.kind === 'Node' && item.metadata.name === 'node2')!));
	t.deepEqual(podsOf(down, 'pause-').map((pod) => pod.metadata.name).sort(), pause.map((pod) => pod.metadata.name).sort());
	t.true(podsOf(down, 'pause-').filter((pod) => pod.spec?.nodeName === 'node3').every((pod) => !isReady(pod)));
	const events = (await sim.json<{ items: KubeEvent[] }>(['get', 'events', '-A', '-o', 'json'])).items;
	t.true(events.some((e) => e.reason === 'NodeNotReady' && e.involvedObject.name === 'node3'));
});
