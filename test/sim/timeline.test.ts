// The simulated cluster's healthy path, driven over real SSH the way kubestrap will drive it: kubeadm init
// and join from kubestrap's own configs, the real rendered Cilium and Calico manifests applied server-side,
// then the readiness poll watched until everything is Ready. Also: a re-apply is a no-op, kube-proxy
// replacement installs have no kube-proxy, and plain client-side apply keeps working.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import test from 'ava';

import { generateHubbleTls } from '../../source/cluster/hubble-tls.js';
import { renderManifests } from '../../source/cluster/render.js';
import type { KubeObject } from '../../source/cluster/yaml-stream.js';
import { OS_RELEASE } from '../_helpers/sshd-hosts.js';
import { bootCluster, isReady, podsOf, type KubeItem, type KubeList, type SimCluster } from './_cluster.js';

const POLL = ['get', 'nodes,pods,daemonsets,deployments', '-A', '-o', 'json'];
const APPLY = ['apply', '--server-side', '--field-manager=kubestrap', '--force-conflicts', '-f', '/etc/kubestrap/cni.yaml'];

function expectedLine(doc: KubeObject): string {
	const apiVersion = String(doc['apiVersion']);
	const group = apiVersion.includes('/') ? `.${apiVersion.split('/')[0]}` : '';
	const name = String((doc['metadata'] as { name: string }).name);
	return `${String(doc['kind']).toLowerCase()}${group}/${name} serverside-applied`;
}

async function applyCni(sim: SimCluster, text: string): Promise<string[]> {
	await sim.remotes[0]!.upload(text, '/etc/kubestrap/cni.yaml', { sudo: true, mode: 0o600 });
	const result = await sim.kubectl(APPLY);
	if (result.code !== 0) throw new Error(`apply exited ${result.code}: ${result.stderr}`);
	return result.stdout.trim().split('\n');
}

function allReady(list: KubeList): boolean {
	const byKind = (kind: string): KubeItem[] => list.items.filter((item) => item.kind === kind);
	return byKind('Node').every(isReady)
		&& byKind('Pod').every(isReady)
		&& byKind('DaemonSet').every((ds) => ds.status?.['numberReady'] === ds.status?.['desiredNumberScheduled'])
		&& byKind('Deployment').every((d) => d.status?.['readyReplicas'] === d.spec?.replicas);
}

/** What `kubectl get pods` would print as STATUS, enough to tell the phases apart. */
function phaseOf(pod: KubeItem): string {
	const init = pod.status?.initContainerStatuses?.find((c) => !c.state.terminated);
	if (pod.status?.phase === 'Pending' && !pod.spec?.nodeName) return 'Unscheduled';
	if (init) return `Init:${init.state.waiting?.reason ?? 'Running'}`;
	const main = pod.status?.containerStatuses ?? [];
	if (main.some((c) => c.state.waiting)) return main.find((c) => c.state.waiting)?.state.waiting?.reason ?? 'Waiting';
	return isReady(pod) ? 'Ready' : 'RunningNotReady';
}

interface Watch {
	elapsedMs: number;
	phases: Map<string, Set<string>>;
	/** Whether CoreDNS ever had a node while no node was Ready. */
	corednsBeforeNode: boolean;
	final: KubeList;
}

async function watchUntilReady(sim: SimCluster, since: number, timeoutMs: number): Promise<Watch> {
	const phases = new Map<string, Set<string>>();
	let corednsBeforeNode = false;
	for (;;) {
		const list = await sim.json(POLL);
		const readyNodes = list.items.filter((item) => item.kind === 'Node' && isReady(item)).length;
		for (const pod of list.items.filter((item) => item.kind === 'Pod')) {
			const workload = pod.metadata.ownerReferences?.[0]?.kind === 'Node' ? 'static' : pod.metadata.name.replace(/-[a-z0-9]+(-[a-z0-9]{5})?$/, '');
			const seen = phases.get(workload) ?? new Set<string>();
			seen.add(phaseOf(pod));
			phases.set(workload, seen);
			if (workload === 'coredns' && pod.spec?.nodeName && readyNodes === 0) corednsBeforeNode = true;
		}
		if (allReady(list)) return { elapsedMs: Date.now() - since, phases, corednsBeforeNode, final: list };
		if (Date.now() - since > timeoutMs) throw new Error(`not all Ready after ${timeoutMs} ms: ${JSON.stringify([...phases].map(([k, v]) => [k, [...v]]))}`);
		await new Promise((resolve) => setTimeout(resolve, 150));
	}
}

test('Cilium: applied server-side from the real render; Pending → Init → Running → Ready; nodes follow the agent; CoreDNS last; a re-apply changes nothing', async (t) => {
	const sim = await bootCluster(2, { scenario: (i) => ({ osRelease: OS_RELEASE.ubuntu2404, kernel: i === 0 ? '6.8.0-60-generic' : '6.1.0-31-cloud-amd64' }) });
	t.teardown(() => sim.close());
	const [cp, worker] = sim.hosts.hosts;

	// Before the CNI: NotReady with the kubelet's message and taint, CoreDNS unschedulable, control plane up.
	const before = await sim.json(POLL);
	const nodes = before.items.filter((item) => item.kind === 'Node');
	t.deepEqual(nodes.map((n) => n.metadata.name), ['node1', 'node2']);
	for (const node of nodes) {
		const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
		t.is(ready?.status, 'False');
		t.is(ready?.message, 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized');
		t.true(node.spec?.taints?.some((taint) => taint.key === 'node.kubernetes.io/not-ready' && taint.effect === 'NoSchedule'));
	}
	t.deepEqual(nodes[0]?.status?.addresses, [{ address: cp!.address, type: 'InternalIP' }, { address: 'node1', type: 'Hostname' }]);
	t.is(nodes[1]?.status?.addresses?.[0]?.address, worker!.address);
	t.like(nodes[0]?.status?.nodeInfo, { kernelVersion: '6.8.0-60-generic', kubeletVersion: 'v1.35.1', osImage: 'Ubuntu 24.04.2 LTS', containerRuntimeVersion: 'containerd://1.7.24' });
	t.is(nodes[1]?.status?.nodeInfo?.['kernelVersion'], '6.1.0-31-cloud-amd64');
	t.true('node-role.kubernetes.io/control-plane' in (nodes[0]?.metadata.labels ?? {}));
	t.false('node-role.kubernetes.io/control-plane' in (nodes[1]?.metadata.labels ?? {}));
	for (const name of ['etcd-node1', 'kube-apiserver-node1', 'kube-controller-manager-node1', 'kube-scheduler-node1']) {
		const pod = before.items.find((item) => item.metadata.name === name);
		t.true(pod !== undefined && isReady(pod) && pod.status?.phase === 'Running', name);
	}
	const coredns = podsOf(before, 'coredns-');
	t.is(coredns.length, 2);
	for (const pod of coredns) {
		t.is(pod.status?.phase, 'Pending');
		t.regex(pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message ?? '',
			/^0\/2 nodes are available: 2 node\(s\) had untolerated taint \{node\.kubernetes\.io\/not-ready: \}\. preemption: 0\/2 nodes are available: 2 Preemption is not helpful for scheduling\.$/);
	}
	t.is(before.items.find((item) => item.kind === 'DaemonSet' && item.metadata.name === 'kube-proxy')?.status?.['desiredNumberScheduled'], 2);
	const scheduling = await sim.json(['get', 'events', '-A', '-o', 'json']);
	t.true(scheduling.items.some((e) => (e as unknown as { reason: string }).reason === 'FailedScheduling'), 'a FailedScheduling event for CoreDNS');

	// The real render with the Hubble Secrets, applied exactly as kubestrap will.
	const rendered = renderManifests(sim.cluster, { hubbleTls: await generateHubbleTls('sim', new Date()) });
	const appliedAt = Date.now();
	const lines = await applyCni(sim, rendered.text);
	t.deepEqual(lines, rendered.documents.map(expectedLine));
	t.true(lines.includes('daemonset.apps/cilium serverside-applied'));
	t.true(lines.includes('clusterrole.rbac.authorization.k8s.io/cilium serverside-applied'));

	const watched = await watchUntilReady(sim, appliedAt, 15_000);
	t.log(`all Ready ${watched.elapsedMs} ms after the apply`);
	t.true(watched.elapsedMs >= 1500 && watched.elapsedMs <= 9000, `${watched.elapsedMs} ms`);
	const agent = watched.phases.get('cilium') ?? new Set();
	t.true([...agent].some((phase) => phase.startsWith('Init:')), `cilium phases ${[...agent].join(', ')}`);
	t.true(agent.has('RunningNotReady'), `cilium phases ${[...agent].join(', ')}`);
	t.true(watched.phases.get('coredns')?.has('Unscheduled'));
	t.false(watched.corednsBeforeNode, 'CoreDNS got a node only after one was Ready');
	const agents = podsOf(watched.final, 'cilium-').filter((pod) => /^cilium-[a-z0-9]{5}$/.test(pod.metadata.name));
	t.deepEqual(agents.map((pod) => pod.spec?.nodeName).sort(), ['node1', 'node2']);
	t.is(agents[0]?.status?.containerStatuses?.[0]?.image, String(((rendered.documents.find((d) => d['kind'] === 'DaemonSet') as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec.containers[0]!.image)));
	const operators = podsOf(watched.final, 'cilium-operator-');
	t.is(new Set(operators.map((pod) => pod.spec?.nodeName)).size, operators.length, 'required anti-affinity: one operator per node');
	for (const node of watched.final.items.filter((item) => item.kind === 'Node')) t.false(node.spec?.taints?.some((taint) => taint.key === 'node.kubernetes.io/not-ready') ?? false);

	// What install reads back.
	const config = await sim.json<KubeItem & { data: Record<string, string> }>(['-n', 'kube-system', 'get', 'configmap', 'cilium-config', '--ignore-not-found', '-o', 'json']);
	t.is(config.kind, 'ConfigMap');
	t.is(config.data['cluster-name'], 'sim');
	t.is((await sim.kubectl(['-n', 'kube-system', 'get', 'secret', 'hubble-server-certs', '--ignore-not-found', '-o', 'name'])).stdout, 'secret/hubble-server-certs\n');
	const absent = await sim.kubectl(['-n', 'kube-system', 'get', 'daemonset', 'aws-node', '--ignore-not-found', '-o', 'name']);
	t.deepEqual([absent.code, absent.stdout, absent.stderr], [0, '', '']);

	// A re-apply of the same render changes nothing; a changed ConfigMap changes only itself.
	const versions = async (): Promise<Map<string, string>> => new Map((await sim.hosts.clusterObjects()).map((o) => [`${o.kind}/${o.namespace}/${o.name}`, `${o.generation}/${o.resourceVersion}`]));
	const first = await versions();
	t.is(first.size, rendered.documents.length);
	t.deepEqual(await applyCni(sim, rendered.text), lines);
	t.deepEqual(await versions(), first);
	const ds = await sim.json<KubeItem>(['-n', 'kube-system', 'get', 'daemonset', 'cilium', '-o', 'json']);
	t.is(ds.metadata.generation, 1);
	t.is(ds.status?.['observedGeneration'], 1);
	const changed = renderManifests({ ...sim.cluster, spec: { ...sim.cluster.spec, network: { ...sim.cluster.spec.network, cilium: { ...sim.cluster.spec.network.cilium, enablePolicy: 'always' } } } },
		{ hubbleTls: await generateHubbleTls('sim', new Date()) });
	await applyCni(sim, changed.text);
	const after = await versions();
	const moved = [...after].filter(([key, value]) => first.get(key) !== value).map(([key]) => key);
	t.true(moved.includes('ConfigMap/kube-system/cilium-config'), moved.join(', '));
	t.false(moved.includes('DaemonSet/kube-system/cilium'), moved.join(', '));
	t.is(after.get('ConfigMap/kube-system/cilium-config')?.split('/')[0], '2');
});

test('Calico: the real render (CRDs included) applies; calico-node makes the nodes Ready; kube-controllers waits for a Ready node', async (t) => {
	const sim = await bootCluster(2, { spec: { network: { cni: 'calico' } } });
	t.teardown(() => sim.close());
	const rendered = renderManifests(sim.cluster);
	const appliedAt = Date.now();
	const lines = await applyCni(sim, rendered.text);
	t.deepEqual(lines, rendered.documents.map(expectedLine));
	t.true(lines.some((line) => /^customresourcedefinition\.apiextensions\.k8s\.io\/\S+\.crd\.projectcalico\.org serverside-applied$/.test(line)));
	t.true(lines.includes('poddisruptionbudget.policy/calico-kube-controllers serverside-applied'));
	const early = await sim.json(POLL);
	const controllers = podsOf(early, 'calico-kube-controllers-');
	t.is(controllers.length, 1);
	if (!early.items.some((item) => item.kind === 'Node' && isReady(item))) {
		t.is(controllers[0]?.status?.phase, 'Pending');
		t.regex(controllers[0]?.status?.conditions?.[0]?.message ?? '', /untolerated taint \{node\.kubernetes\.io\/not-ready: \}/);
	}
	const watched = await watchUntilReady(sim, appliedAt, 15_000);
	t.log(`all Ready ${watched.elapsedMs} ms after the apply`);
	t.true(watched.phases.get('calico-kube-controllers')?.has('Unscheduled'));
	const node = watched.final.items.find((item) => item.kind === 'Node');
	t.like(node?.status?.conditions?.find((c) => c.type === 'NetworkUnavailable'), { status: 'False', reason: 'CalicoIsUp' });
	const calicoNode = podsOf(watched.final, 'calico-node-')[0];
	t.deepEqual(calicoNode?.status?.initContainerStatuses?.map((c) => c.state.terminated?.reason), ['Completed', 'Completed', 'Completed']);
	const crds = (await sim.hosts.clusterObjects()).filter((o) => o.kind === 'CustomResourceDefinition');
	t.true(crds.length >= 20);
	// A kind only a CRD defines is served once the CRD is stored.
	t.is((await sim.kubectl(['get', 'ippools', '-o', 'json'])).code, 0);
});

test('kube-proxy replacement: the kubeadm config skips addon/kube-proxy, so there is no kube-proxy DaemonSet', async (t) => {
	const sim = await bootCluster(1, { spec: { network: { cni: 'cilium', cilium: { kubeProxyReplacement: true } } } });
	t.teardown(() => sim.close());
	const list = await sim.json(POLL);
	t.deepEqual(list.items.filter((item) => item.kind === 'DaemonSet').map((item) => item.metadata.name), []);
	t.deepEqual(podsOf(list, 'kube-proxy-'), []);
	t.is(podsOf(list, 'coredns-').length, 2);
	// One node, no workers: kubestrap removes the control-plane taint, so nothing but not-ready is left.
	t.deepEqual(list.items.find((item) => item.kind === 'Node')?.spec?.taints, [{ effect: 'NoSchedule', key: 'node.kubernetes.io/not-ready' }]);
});

test('client-side apply from stdin: created, unchanged, configured; the raw file is kept under cluster/applied', async (t) => {
	const sim = await bootCluster(1);
	t.teardown(() => sim.close());
	const doc = (value: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\n  namespace: kube-system\ndata:\n  key: "${value}"\n`;
	t.is((await sim.kubectl(['apply', '-f', '-'], doc('a'))).stdout, 'configmap/probe created\n');
	t.is((await sim.kubectl(['apply', '-f', '-'], doc('a'))).stdout, 'configmap/probe unchanged\n');
	t.is((await sim.kubectl(['apply', '-f', '-'], doc('b'))).stdout, 'configmap/probe configured\n');
	const probe = (await sim.hosts.clusterObjects()).find((o) => o.name === 'probe');
	t.is(probe?.generation, 2);
	t.true(readdirSync(join(sim.hosts.clusterDir, 'applied')).length >= 3);
	const calls = (await sim.hosts.readCalls(0)).filter((call) => call.prog === 'kubectl' && call.argv.includes('apply'));
	t.true(calls.every((call) => call.stdin));
	const missing = await sim.kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lost\n  namespace: nowhere\n');
	t.is(missing.code, 1);
	t.regex(missing.stderr, /Error from server \(NotFound\): error when creating "STDIN": namespaces "nowhere" not found/);
	const unknown = await sim.kubectl(['apply', '-f', '-'], 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n');
	t.regex(unknown.stderr, /no matches for kind "Widget" in version "example\.com\/v1"\nensure CRDs are installed first/);
});
