// The simulated cluster as a running Cilium meets a changed option: the agent runs with cilium-config as it
// was when its container started (cilium-dbg shows it), a deleted DaemonSet pod turns Terminating and is
// replaced on the same node by a new pod (new name, new creation time) that becomes Ready after the usual
// delay and runs the current configuration; `kubectl rollout restart` rolls a Deployment.
import test from 'ava';
import { renderManifests } from '../../source/cluster/render.js';
import { bootCluster, isReady, podsOf, type KubeItem, type SimCluster } from './_cluster.js';

const APPLY = ['apply', '--server-side', '--field-manager=kubestrap', '--force-conflicts', '-f', '/etc/kubestrap/cni.yaml'];

async function agents(sim: SimCluster): Promise<KubeItem[]> {
	return podsOf(await sim.json(['-n', 'kube-system', 'get', 'pods', '-o', 'json']), 'cilium-').filter((p) => p.metadata.labels?.['k8s-app'] === 'cilium');
}

async function until(what: () => Promise<boolean>): Promise<void> {
	for (let i = 0; i < 100 && !(await what()); i++) await new Promise((resolve) => setTimeout(resolve, 200));
}

async function policyOf(sim: SimCluster, pod: string): Promise<string> {
	const out = await sim.kubectl(['-n', 'kube-system', 'exec', pod, '-c', 'cilium-agent', '--', 'cilium-dbg', 'config']);
	return /PolicyEnforcement\s+: (\S+)/.exec(out.stdout)?.[1] ?? `(${out.stderr.trim()})`;
}

test('a deleted agent pod is replaced and reads the ConfigMap as it is then; the others keep what they started with', async (t) => {
	const sim = await bootCluster(2);
	t.teardown(() => sim.close());
	await sim.hosts.setClusterScenario({ speed: 4 });
	await sim.remotes[0]!.upload(renderManifests(sim.cluster).text, '/etc/kubestrap/cni.yaml', { sudo: true, mode: 0o600 });
	t.is((await sim.kubectl(APPLY)).code, 0);
	await until(async () => (await agents(sim)).filter(isReady).length === 2);
	const before = await agents(sim);
	t.is(before.length, 2);
	for (const pod of before) t.is(await policyOf(sim, pod.metadata.name), 'default');

	const patched = await sim.kubectl(['-n', 'kube-system', 'patch', 'configmap', 'cilium-config', '--type=merge', '-p', '{"data":{"enable-policy":"always"}}']);
	t.is(patched.stdout.trim(), 'configmap/cilium-config patched');
	for (const pod of before) t.is(await policyOf(sim, pod.metadata.name), 'default', 'running agents keep the configuration they started with');

	const [first, second] = before as [KubeItem, KubeItem];
	const deleted = await sim.kubectl(['-n', 'kube-system', 'delete', 'pod', first.metadata.name]);
	t.is(deleted.code, 0, deleted.stderr);
	t.is(deleted.stdout, `pod "${first.metadata.name}" deleted from kube-system namespace\n`);
	await until(async () => (await agents(sim)).some((p) => p.spec?.nodeName === first.spec?.nodeName && p.metadata.name !== first.metadata.name && isReady(p)));
	const after = await agents(sim);
	t.false(after.some((p) => p.metadata.name === first.metadata.name), 'the deleted pod is gone');
	const replacement = after.find((p) => p.spec?.nodeName === first.spec?.nodeName)!;
	t.not(replacement.metadata.name, first.metadata.name);
	const created = (pod: KubeItem): number => Date.parse((pod.metadata as unknown as { creationTimestamp: string }).creationTimestamp);
	t.true(created(replacement) >= created(first));
	t.true(isReady(replacement));
	t.is(await policyOf(sim, replacement.metadata.name), 'always', 'the replacement reads the current ConfigMap');
	t.is(await policyOf(sim, second.metadata.name), 'default', 'the agent on the other node was not restarted');
	t.is((await sim.kubectl(['-n', 'kube-system', 'delete', 'pod', 'cilium-nope'])).stderr.trim(), 'Error from server (NotFound): pods "cilium-nope" not found');

	const operators = podsOf(await sim.json(['-n', 'kube-system', 'get', 'pods', '-o', 'json']), 'cilium-operator-').map((p) => p.metadata.name);
	const restarted = await sim.kubectl(['-n', 'kube-system', 'rollout', 'restart', 'deployment/cilium-operator']);
	t.is(restarted.stdout.trim(), 'deployment.apps/cilium-operator restarted');
	await until(async () => {
		const now = podsOf(await sim.json(['-n', 'kube-system', 'get', 'pods', '-o', 'json']), 'cilium-operator-');
		return now.length === operators.length && now.every((p) => isReady(p) && !operators.includes(p.metadata.name));
	});
	const now = podsOf(await sim.json(['-n', 'kube-system', 'get', 'pods', '-o', 'json']), 'cilium-operator-');
	t.true(now.every((p) => !operators.includes(p.metadata.name) && isReady(p)), 'new operator pods, Ready');
});
