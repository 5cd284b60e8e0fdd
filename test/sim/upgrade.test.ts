// The simulation of a kubeadm upgrade, driven over real SSH: the per-minor package repository, held
// packages, `kubeadm upgrade plan|apply|node` with kubeadm's version policy and messages, the cluster's
// versions moving (API server, static pods, a kubelet only once restarted), kubelet skew, and drains that a
// PodDisruptionBudget blocks until kubectl's timeout.

import test from 'ava';

import { renderManifests } from '../../source/cluster/render.js';
import { bootCluster, eventually, isReady, type KubeItem, type KubeList, type SimCluster } from './_cluster.js';

const APPLY = ['apply', '--server-side', '--field-manager=kubestrap', '--force-conflicts', '-f', '/etc/kubestrap/cni.yaml'];

async function sh(sim: SimCluster, index: number, argv: string[], options: { sudo?: boolean; stdin?: string } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
	const result = await sim.remotes[index]!.exec(argv, { sudo: options.sudo ?? true, ...(options.stdin !== undefined ? { stdin: options.stdin } : {}) });
	return { code: result.code, stdout: result.stdout, stderr: result.stderr };
}

async function readyCluster(count: number, controlPlanes = 1): Promise<SimCluster> {
	const sim = await bootCluster(count, { controlPlanes, useEndpointAddress: controlPlanes > 1 });
	await sim.hosts.setClusterScenario({ speed: 4 });
	await sim.remotes[0]!.upload(renderManifests(sim.cluster).text, '/etc/kubestrap/cni.yaml', { sudo: true, mode: 0o600 });
	const applied = await sim.kubectl(APPLY);
	if (applied.code !== 0) throw new Error(applied.stderr);
	await eventually(async () => {
		const nodes = await sim.json<KubeList>(['get', 'nodes', '-o', 'json']);
		return nodes.items.every(isReady) ? true : undefined;
	}, 30_000, 'every node Ready');
	return sim;
}

/** Points the host's apt at pkgs.k8s.io's repository of `minor` and reads it. */
async function repo(sim: SimCluster, index: number, minor: string): Promise<void> {
	await sim.remotes[index]!.upload(`deb https://pkgs.k8s.io/core:/stable:/v${minor}/deb/ /\n`, '/etc/apt/sources.list.d/kubernetes.list', { sudo: true });
	const update = await sh(sim, index, ['apt-get', 'update']);
	if (update.code !== 0) throw new Error(update.stderr);
}

async function install(sim: SimCluster, index: number, ...packages: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return sh(sim, index, ['apt-get', 'install', '-y', '--allow-change-held-packages', ...packages]);
}

async function node(sim: SimCluster, name: string): Promise<KubeItem> {
	return sim.json<KubeItem>(['get', 'node', name, '-o', 'json']);
}

test('the repository lists every patch of its minor; held packages are refused as apt refuses them', async (t) => {
	const sim = await bootCluster(1);
	t.teardown(() => sim.close());
	await repo(sim, 0, '1.36');
	const madison = await sh(sim, 0, ['apt-cache', 'madison', 'kubeadm']);
	t.regex(madison.stdout, /^ {3}kubeadm \| 1\.36\.4-1\.1 \| https:\/\/pkgs\.k8s\.io\/core:\/stable:\/v1\.36\/deb {2}Packages$/m);
	t.regex(madison.stdout, /1\.36\.0-1\.1/);
	t.notRegex(madison.stdout, /1\.35\./, 'only the minor the list names');
	t.is((await sh(sim, 0, ['apt-mark', 'hold', 'kubeadm'])).stdout.trim(), 'kubeadm set on hold.');
	const held = await sh(sim, 0, ['apt-get', 'install', '-y', 'kubeadm=1.36.2-1.1']);
	t.is(held.code, 100);
	t.regex(held.stderr, /E: Held packages were changed and -y was used without --allow-change-held-packages\./);
	t.is((await sh(sim, 0, ['kubeadm', 'version', '-o', 'short'])).stdout.trim(), 'v1.35.1');
	const missing = await sh(sim, 0, ['apt-get', 'install', '-y', '--allow-change-held-packages', 'kubeadm=1.36.9-1.1']);
	t.regex(missing.stderr, /E: Version '1\.36\.9-1\.1' for 'kubeadm' was not found/);
	t.is((await sh(sim, 0, ['apt-mark', 'unhold', 'kubeadm'])).stdout.trim(), 'Canceled hold on kubeadm.');
	const upgraded = await sh(sim, 0, ['apt-get', 'install', '-y', 'kubeadm=1.36.2-1.1']);
	t.is(upgraded.code, 0, upgraded.stderr);
	t.is((await sh(sim, 0, ['kubeadm', 'version', '-o', 'short'])).stdout.trim(), 'v1.36.2');
});

test('kubeadm upgrade: the checks before anything moves, plan, apply on the first control plane, node elsewhere; kubelets move on restart', async (t) => {
	const sim = await readyCluster(3, 1);
	t.teardown(() => sim.close());

	// kubeadm still 1.35: it cannot take the cluster to 1.36.
	const old = await sh(sim, 0, ['kubeadm', 'upgrade', 'apply', 'v1.36.2', '--yes']);
	t.is(old.code, 1);
	t.regex(old.stderr, /Specified version to upgrade to "v1\.36\.2" is higher than the kubeadm version "v1\.35\.1"\. Upgrade kubeadm first using the tool you used to install kubeadm/);
	t.regex(old.stderr, /the --version argument is invalid due to these fatal errors/);
	const notRoot = await sh(sim, 0, ['kubeadm', 'upgrade', 'apply', 'v1.35.1', '--yes'], { sudo: false });
	t.is(notRoot.code, 1);
	t.regex(notRoot.stderr, /\[ERROR IsPrivilegedUser\]: user is not running as root/);

	for (const index of [0, 1, 2]) await repo(sim, index, '1.36');
	t.is((await install(sim, 0, 'kubeadm=1.36.2-1.1')).code, 0);
	const tooHigh = await sh(sim, 0, ['kubeadm', 'upgrade', 'apply', 'v1.37.0', '--yes']);
	t.is(tooHigh.code, 1);
	t.regex(tooHigh.stderr, /Specified version to upgrade to "v1\.37\.0" is too high; kubeadm can upgrade only 1 minor version at a time/);
	const noAnswer = await sh(sim, 0, ['kubeadm', 'upgrade', 'apply', 'v1.36.2'], { stdin: '' });
	t.is(noAnswer.code, 1);
	t.regex(noAnswer.stderr, /won't proceed; the user didn't answer \(Y\|y\) in order to continue/);
	const worker = await sh(sim, 2, ['kubeadm', 'upgrade', 'plan']);
	t.is(worker.code, 1, 'plan needs a control plane');
	t.regex(worker.stderr, /open \/etc\/kubernetes\/admin\.conf: no such file or directory/);

	// A kubelet newer than the API server (skew) does not register: NotReady, still the old version.
	t.is((await install(sim, 2, 'kubelet=1.36.2-1.1')).code, 0);
	t.is((await node(sim, 'node3')).status?.nodeInfo?.kubeletVersion, 'v1.35.1', 'a package change alone leaves the running kubelet');
	t.is((await sh(sim, 2, ['systemctl', 'restart', 'kubelet'])).code, 0);
	const skewed = await node(sim, 'node3');
	t.is(skewed.status?.nodeInfo?.kubeletVersion, 'v1.35.1');
	t.false(isReady(skewed), 'a kubelet newer than the API server is NotReady');

	const plan = await sh(sim, 0, ['kubeadm', 'upgrade', 'plan', 'v1.36.2']);
	t.is(plan.code, 0, plan.stderr);
	t.regex(plan.stdout, /\[upgrade\/versions\] Cluster version: v1\.35\.1/);
	t.regex(plan.stdout, /kubelet +node2 +v1\.35\.1 +v1\.36\.2/);
	t.regex(plan.stdout, /kube-apiserver +node1 +v1\.35\.1 +v1\.36\.2/);
	t.regex(plan.stdout, /kubeadm upgrade apply v1\.36\.2/);

	await sim.remotes[0]!.upload('apiVersion: kubeadm.k8s.io/v1beta4\nkind: UpgradeConfiguration\napply:\n  kubernetesVersion: v1.36.2\n', '/etc/kubestrap/kubeadm-upgrade.yaml', { sudo: true });
	const apply = await sh(sim, 0, ['kubeadm', 'upgrade', 'apply', '--config', '/etc/kubestrap/kubeadm-upgrade.yaml', '--yes']);
	t.is(apply.code, 0, apply.stderr);
	t.regex(apply.stdout, /\[upgrade\] SUCCESS! A control plane node of your cluster was upgraded to "v1\.36\.2"\./);
	const version = await sim.kubectl(['version']);
	t.regex(version.stdout, /Server Version: v1\.36\.2/);
	t.regex(version.stdout, /Client Version: v1\.35\.1/);
	const apiserver = await sim.json<KubeItem>(['get', 'pod', '-n', 'kube-system', 'kube-apiserver-node1', '-o', 'json']);
	t.is((apiserver.spec as { containers: { image: string }[] }).containers[0]!.image, 'registry.k8s.io/kube-apiserver:v1.36.2');
	t.regex(await sim.hosts.readHostFile(0, '/etc/kubernetes/manifests/kube-apiserver.yaml') ?? '', /image: registry\.k8s\.io\/kube-apiserver:v1\.36\.2/);
	// The skewed kubelet registers once the API server reached its minor.
	await eventually(async () => {
		const n = await node(sim, 'node3');
		return n.status?.nodeInfo?.kubeletVersion === 'v1.36.2' && isReady(n) ? true : undefined;
	}, 20_000, 'node3 Ready at v1.36.2');
	t.is((await node(sim, 'node1')).status?.nodeInfo?.kubeletVersion, 'v1.35.1', 'the control plane\'s kubelet is not restarted by apply');

	// upgrade node on a worker: the kubelet configuration; kubeadm too old for the cluster is told so.
	const workerNode = await sh(sim, 1, ['kubeadm', 'upgrade', 'node']);
	t.is(workerNode.code, 0, workerNode.stderr);
	t.regex(workerNode.stdout, /\[upgrade\/control-plane\] Skipping phase\. Not a control plane node\./);
	t.regex(workerNode.stdout, /\[upgrade\] The configuration for this node was successfully upgraded!/);
	t.is((await sh(sim, 1, ['cat', '/opt/kubestrap-sim/state/kubelet-config-version'])).stdout.trim(), 'v1.36.2');
	t.is((await install(sim, 1, 'kubelet=1.36.2-1.1')).code, 0);
	t.is((await sh(sim, 1, ['systemctl', 'restart', 'kubelet'])).code, 0);
	const upgraded = await node(sim, 'node2');
	t.is(upgraded.status?.nodeInfo?.kubeletVersion, 'v1.36.2');
	t.true(isReady(upgraded));
});

test('kubeadm refuses a cluster older than the oldest control plane it can manage, and a downgrade of two minors', async (t) => {
	const sim = await bootCluster(2);
	t.teardown(() => sim.close());
	await repo(sim, 1, '1.37');
	await repo(sim, 0, '1.37');
	t.is((await install(sim, 1, 'kubeadm=1.37.1-1.1')).code, 0);
	const node = await sh(sim, 1, ['kubeadm', 'upgrade', 'node']);
	t.is(node.code, 1);
	t.regex(node.stderr, /this version of kubeadm only supports deploying clusters with the control plane version >= 1\.36\.0\. Current version: v1\.35\.1/);
	// No CNI yet: the control plane is NotReady, which kubeadm's health check refuses first.
	const unhealthy = await sh(sim, 0, ['kubeadm', 'upgrade', 'apply', 'v1.33.0', '--yes', '--force']);
	t.is(unhealthy.code, 1);
	t.regex(unhealthy.stderr, /\[ERROR ControlPlaneNodesReady\]: there are NotReady control-planes in the cluster: \[node1\]/);
	const low = await sh(sim, 0, ['kubeadm', 'upgrade', 'apply', 'v1.33.0', '--yes', '--force', '--ignore-preflight-errors=ControlPlaneNodesReady']);
	t.is(low.code, 1);
	t.regex(low.stderr, /\[WARNING ControlPlaneNodesReady\]/);
	t.regex(low.stderr, /Specified version to downgrade to "v1\.33\.0" is too low; kubeadm can downgrade only 1 minor version at a time/);
});

test('drain: a PodDisruptionBudget that allows no disruption makes kubectl retry every 5 s until its timeout; the node stays cordoned', async (t) => {
	const sim = await readyCluster(3, 1);
	t.teardown(() => sim.close());
	await sim.hosts.setClusterScenario({ speed: 4, drainTimeScale: 0.01 });
	const web = {
		apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
		spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: {
			containers: [{ name: 'web', image: 'nginx:1.27' }],
			affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } },
		} } },
	};
	const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'default' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } };
	t.is((await sim.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [web, pdb] }))).code, 0);
	const pods = await eventually(async () => {
		const list = await sim.json<KubeList>(['get', 'pods', '-n', 'default', '-o', 'json']);
		return list.items.length === 2 && list.items.every(isReady) ? list.items : undefined;
	}, 20_000, 'web Ready');
	const target = pods[0]!.spec!.nodeName!;
	const blocked = await sim.kubectl(['drain', target, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=5m']);
	t.is(blocked.code, 1);
	const pod = pods.find((p) => p.spec!.nodeName === target)!.metadata.name;
	t.regex(blocked.stderr, new RegExp(`error when evicting pods/"${pod}" -n "default" \\(will retry after 5s\\): Cannot evict pod as it would violate the pod's disruption budget\\.`));
	t.true(blocked.stderr.split('will retry after 5s').length > 10, 'retried until the timeout');
	t.regex(blocked.stderr, new RegExp(`error: unable to drain node "${target}" due to error: error when evicting pods/"${pod}" -n "default": global timeout reached: 5m0s, continuing command\\.\\.\\.`));
	// kubectl's drain helper prints "evicting pod" on stdout, and lists the pods left on the node after the error.
	t.regex(blocked.stdout, new RegExp(`^evicting pod default/${pod}$`, 'm'));
	t.notRegex(blocked.stderr, /evicting pod /);
	t.regex(blocked.stderr, new RegExp(`There are pending pods in node "${target}" when an error occurred: error when evicting pods/"${pod}" -n "default": global timeout reached: 5m0s\\npod/${pod}\\n`));
	t.true((await node(sim, target)).spec?.['unschedulable'] === true, 'kubectl leaves the node cordoned');
	// The PDB as the API serves it: the disruption controller's status.
	const served = await sim.json<{ status: Record<string, unknown> }>(['get', 'pdb', 'web', '-n', 'default', '-o', 'json']);
	t.like(served.status, { currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0, expectedPods: 2, observedGeneration: 1 });
	t.like((served.status['conditions'] as unknown[])[0], { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' });

	// maxUnavailable 1 with both pods Ready allows one eviction: the drain finishes.
	const relaxed = { ...pdb, spec: { maxUnavailable: 1, selector: pdb.spec.selector } };
	t.is((await sim.kubectl(['apply', '-f', '-'], JSON.stringify(relaxed))).code, 0);
	const listed = await sim.json<KubeList & { items: Array<{ status: Record<string, unknown> }> }>(['get', 'pdb', '-A', '-o', 'json']);
	t.like(listed.items[0]?.status, { currentHealthy: 2, desiredHealthy: 1, disruptionsAllowed: 1, expectedPods: 2, observedGeneration: 2 });
	const drained = await sim.kubectl(['drain', target, '--ignore-daemonsets', '--timeout=5m']);
	t.is(drained.code, 0, drained.stderr);
	t.regex(drained.stdout, new RegExp(`pod/${pod} evicted\\nnode/${target} drained`));
	t.is((await sim.kubectl(['uncordon', target])).stdout, `node/${target} uncordoned\n`);
});
