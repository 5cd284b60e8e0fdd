// The CNI on a running cluster, on real sshd hosts with the simulated node programs: a re-run with changed
// Cilium options shows the keys old → new, restarts the agents one node at a time and proves the setting is
// live on every node (what `cilium-dbg` reports in each agent); a change of the agents' pod template (Hubble
// off, a new release) is rolled by the DaemonSet at most maxUnavailable agents at a time, and kubestrap reports
// success only after the last one is Ready; an IPAM change is refused with exit 2 and
// nothing touched; and Cilium 1.19.5 (installed as an operator would) upgraded to the pinned release along
// Cilium's documented path: the pre-flight image pull, upgradeCompatibility, the agents at the new release.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { startHosts, type SimCall, type TestHosts } from '../_helpers/sshd-hosts.js';
import { ROOT, runCli, writeConfig } from './_install.js';
import { daemonSetRollout, loggedAt, type Rollout } from './_rollout.js';

interface PodJson {
	metadata: { name: string; creationTimestamp: string };
	spec: { nodeName: string; containers: Array<{ name: string; image: string }> };
	status: { conditions?: Array<{ type: string; status: string; lastTransitionTime: string }> };
}

async function agents(hosts: TestHosts): Promise<PodJson[]> {
	const listed = await hosts.simKubectl(['-n', 'kube-system', 'get', 'pods', '-l', 'k8s-app=cilium', '-o', 'json']);
	return (JSON.parse(listed.stdout) as { items: PodJson[] }).items;
}

/** Cilium's agents: maxUnavailable 2 in the pinned manifests; on three nodes, two agents then the third. */
function assertPacedRollout(t: ExecutionContext, rollout: Rollout, successAt: number): void {
	t.is(rollout.maxUnavailable, 2, "the Cilium DaemonSet's maxUnavailable");
	t.deepEqual(rollout.updated, ['node1', 'node2', 'node3'], 'one agent with the new template per node');
	t.is(rollout.worst, rollout.maxUnavailable, 'never more than maxUnavailable agents down at once (and the rollout used that room)');
	t.is(rollout.batches, 2, 'two agents replaced, then the third');
	t.true(Number.isFinite(successAt) && successAt >= rollout.lastReady, `kubestrap reported success (${new Date(successAt).toISOString()}) only after the last agent was Ready (${new Date(rollout.lastReady).toISOString()})`);
}

const ready = (pod: PodJson): boolean => pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

function editConfig(config: string, edit: (cluster: { spec: { network: { cilium?: Record<string, unknown> } } }) => void): void {
	const cluster = parse(readFileSync(config, 'utf8')) as { spec: { network: { cilium?: Record<string, unknown> } } };
	edit(cluster);
	writeFileSync(config, stringify(cluster));
}

/** 1+2 hosts installed by kubestrap with the pinned Cilium. */
async function installCilium(t: ExecutionContext): Promise<{ hosts: TestHosts; dir: string; config: string }> {
	const hosts = await startHosts(3);
	t.teardown(() => hosts.stop());
	// The simulated cluster at twice the speed: the agents' rollouts are paced (maxUnavailable at a time).
	await hosts.setClusterScenario({ speed: 2 });
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const installed = await runCli(['install', '--config', config, '--yes', '--skip-check'], dir);
	t.is(installed.code, 0, installed.stderr);
	return { hosts, dir, config };
}

const kubectlCalls = (calls: SimCall[], verb: string): SimCall[] => calls.filter((c) => c.prog === 'kubectl' && c.argv.includes(verb));

test('a changed Cilium option: the plan shows the keys, the agents restart node by node, the setting is live everywhere; IPAM is refused', async (t) => {
	const { hosts, dir, config } = await installCilium(t);
	const before = await agents(hosts);
	t.is(before.length, 3);

	// Options the agents read from cilium-config at start: the pod template does not change, so nothing
	// but kubestrap's restart makes them live.
	editConfig(config, (c) => { c.spec.network.cilium = { enablePolicy: 'always', disableMasquerade: true }; });
	const changed = await runCli(['install', '--config', config, '--yes', '--skip-check'], dir);
	t.is(changed.code, 0, changed.stderr);
	t.regex(changed.stderr, /cilium-config enable-policy: "default" → "always"/);
	t.regex(changed.stderr, /cilium-config enable-ipv4-masquerade: "true" → "false"/);
	t.regex(changed.stderr, /the Cilium agents restart node by node, then the operator/);
	t.regex(changed.stderr, /the new Cilium configuration is live: every agent started after the change/);

	// One node at a time, proved from the first control plane's call log and the pods: each delete came
	// after the previous node's replacement agent was Ready.
	const deletes = kubectlCalls(await hosts.readCalls(0), 'delete').filter((c) => c.argv.includes('pod'));
	t.is(deletes.length, 3, 'one agent pod deleted per node');
	const after = await agents(hosts);
	t.is(after.length, 3);
	t.deepEqual(after.filter((p) => before.some((b) => b.metadata.name === p.metadata.name)), [], 'every agent pod was replaced');
	const readyAt = (pod: PodJson): number => Date.parse(pod.status.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime);
	const byNode = new Map(after.map((p) => [p.spec.nodeName, p]));
	const deletedPods = deletes.map((c) => c.argv[c.argv.indexOf('pod') + 1]!);
	const nodesInOrder = deletedPods.map((name) => before.find((p) => p.metadata.name === name)!.spec.nodeName);
	t.deepEqual([...nodesInOrder].sort(), ['node1', 'node2', 'node3']);
	for (let i = 1; i < deletes.length; i++) {
		const previous = byNode.get(nodesInOrder[i - 1]!)!;
		t.true(ready(previous));
		t.true(readyAt(previous) <= deletes[i]!.t, `${nodesInOrder[i]} was restarted only after the agent on ${nodesInOrder[i - 1]} was Ready again`);
	}
	// What each agent runs with: the new settings, on every node.
	for (const pod of after) {
		const dbg = await hosts.simKubectl(['-n', 'kube-system', 'exec', pod.metadata.name, '-c', 'cilium-agent', '--', 'cilium-dbg', 'config']);
		t.regex(dbg.stdout, /PolicyEnforcement\s+: always/, pod.spec.nodeName);
		const status = await hosts.simKubectl(['-n', 'kube-system', 'exec', pod.metadata.name, '-c', 'cilium-agent', '--', 'cilium-dbg', 'status']);
		t.regex(status.stdout, /IPv4: Disabled/, pod.spec.nodeName);
	}
	t.true(kubectlCalls(await hosts.readCalls(0), 'rollout').some((c) => c.argv.includes('deployment/cilium-operator')), 'the operator restarted');

	// Hubble off also changes the agent's pod template (no Hubble port, no TLS volume): the DaemonSet rolls
	// the agents itself; kubestrap waits for that rollout and verifies the setting on every node.
	editConfig(config, (c) => { c.spec.network.cilium = { enablePolicy: 'always', disableMasquerade: true, hubble: false }; });
	const hubble = await runCli(['install', '--config', config, '--yes', '--skip-check'], dir);
	t.is(hubble.code, 0, hubble.stderr);
	t.regex(hubble.stderr, /cilium-config enable-hubble: "true" → "false"/);
	t.regex(hubble.stderr, /the new Cilium configuration is live/);
	// The DaemonSet controller replaced the agents maxUnavailable at a time, and kubestrap waited for the last.
	assertPacedRollout(t, daemonSetRollout(hosts, 'cilium'), loggedAt(dir, 'install', /the new Cilium configuration is live/));
	for (const pod of await agents(hosts)) {
		const status = await hosts.simKubectl(['-n', 'kube-system', 'exec', pod.metadata.name, '-c', 'cilium-agent', '--', 'cilium-dbg', 'status']);
		t.regex(status.stdout, /Hubble:\s+Disabled/, pod.spec.nodeName);
		t.regex(status.stdout, /Policy enforcement:\s+always/, pod.spec.nodeName);
	}

	// A re-run with nothing changed restarts nothing.
	const deleted = kubectlCalls(await hosts.readCalls(0), 'delete').filter((c) => c.argv.includes('pod')).length;
	const again = await runCli(['install', '--config', config, '--yes', '--skip-check'], dir);
	t.is(again.code, 0, again.stderr);
	t.notRegex(again.stderr, /restarting the Cilium agent|configuration changes/);
	t.is(kubectlCalls(await hosts.readCalls(0), 'delete').filter((c) => c.argv.includes('pod')).length, deleted);

	// IPAM cannot change live: exit 2, nothing applied or written.
	const objects = JSON.stringify((await hosts.clusterObjects()).map((o) => [o.name, o.resourceVersion]));
	const applies = kubectlCalls(await hosts.readCalls(0), 'apply').length;
	editConfig(config, (c) => { c.spec.network.cilium = { enablePolicy: 'always', disableMasquerade: true, hubble: false, ipam: 'kubernetes' }; });
	const refusedAt = Date.now();
	const refused = await runCli(['install', '--config', config, '--yes', '--skip-check'], dir);
	t.is(refused.code, 2, refused.stderr);
	t.regex(refused.stderr, /refused: spec\.network\.cilium\.ipam: the cluster runs ipam "cluster-pool", the spec asks for "kubernetes": Cilium cannot change the IPAM mode/);
	t.regex(refused.stderr, /nothing was changed/);
	t.is(kubectlCalls(await hosts.readCalls(0), 'apply').length, applies);
	t.is(JSON.stringify((await hosts.clusterObjects()).map((o) => [o.name, o.resourceVersion])), objects);
	for (const index of [0, 1, 2]) t.false((await hosts.readCalls(index)).some((c) => ['apt-get', 'systemctl', 'kubeadm'].includes(c.prog) && c.t > refusedAt && !c.argv.includes('is-active') && !c.argv.includes('version')), `host ${index + 1} untouched`);
});

/** Installs 1+2 at Kubernetes 1.35 with kubestrap, then replaces Cilium with the 1.19.5 render as an operator would. */
async function installWithCilium1195(t: ExecutionContext): Promise<{ hosts: TestHosts; dir: string; config: string }> {
	const { hosts, dir, config } = await installCilium(t);

	// An operator replaces the Cilium objects with the 1.19.5 render, set for this cluster (its pod CIDR and name).
	const text = readFileSync(join(ROOT, 'test/fixtures/cilium/cilium-1.19.5.helm-default.minikube.yaml'), 'utf8');
	const objects = parseAllDocuments(text.replace('{{ .PodSubnet }}', '10.244.0.0/16')).map((d) => d.toJS() as Record<string, unknown> & { kind?: string; metadata?: { name?: string }; data?: Record<string, string> }).filter((o) => o?.kind);
	const ciliumConfig = objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'cilium-config')!;
	ciliumConfig.data!['cluster-name'] = 'e2e';
	const file = join(dir, 'cilium-1.19.5.yaml');
	// Replaced, not merged: the old ConfigMaps go first, so the cluster holds only what the 1.19.5 render sets.
	for (const name of ['cilium-config', 'cilium-envoy-config']) t.is((await hosts.simKubectl(['-n', 'kube-system', 'delete', 'configmap', name])).code, 0);
	writeFileSync(file, objects.map((o) => `---\n${stringify(o)}`).join(''));
	const applied = await hosts.simKubectl(['apply', '--server-side', '--force-conflicts', '-f', file]);
	t.is(applied.code, 0, applied.stderr);
	// The DaemonSet controller rolls the agents to 1.19.5 maxUnavailable (2) at a time.
	const at1195 = (pods: PodJson[]): boolean => pods.length === 3 && pods.every((p) => p.spec.containers[0]!.image.includes(':v1.19.5') && ready(p));
	for (const deadline = Date.now() + 60_000; !at1195(await agents(hosts)) && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 500));
	t.true(at1195(await agents(hosts)), 'Cilium 1.19.5 runs');

	return { hosts, dir, config };
}

test('Cilium 1.19.5 → 1.20.1 with upgrade: pre-flight pull then removed, upgradeCompatibility 1.19, the agents at 1.20.1 everywhere, a re-run is a no-op', async (t) => {
	const { hosts, dir, config } = await installWithCilium1195(t);
	const upgraded = await runCli(['upgrade', '--config', config, '--yes'], dir);
	t.is(upgraded.code, 0, upgraded.stderr);
	t.regex(upgraded.stderr, /Cilium: 1\.19\.5 → 1\.20\.1/);
	t.regex(upgraded.stderr, /pre-flight image pull on every node, upgradeCompatibility 1\.19/);
	t.regex(upgraded.stderr, /pre-flight: ready on every node, removed/);
	assertPacedRollout(t, daemonSetRollout(hosts, 'cilium'), loggedAt(dir, 'upgrade', /the new Cilium configuration is live/));

	const calls = await hosts.readCalls(0);
	const file0 = (c: SimCall): string => c.argv[c.argv.indexOf('-f') + 1] ?? '';
	const preflightApply = calls.findIndex((c) => c.prog === 'kubectl' && c.argv.includes('apply') && file0(c).endsWith('cilium-preflight.yaml'));
	const preflightDelete = calls.findIndex((c) => c.prog === 'kubectl' && c.argv.includes('delete') && c.argv.includes('cilium-pre-flight-check'));
	const cniApply = calls.findIndex((c, i) => i > preflightApply && c.prog === 'kubectl' && c.argv.includes('apply') && file0(c).endsWith('cni.yaml'));
	t.true(preflightApply >= 0 && preflightApply < preflightDelete && preflightDelete < cniApply, 'pre-flight created, removed, then Cilium applied');
	t.false((await hosts.clusterObjects()).some((o) => o.name === 'cilium-pre-flight-check'), 'the pre-flight DaemonSet is gone');

	const after = await agents(hosts);
	t.is(after.length, 3);
	t.true(after.every((p) => p.spec.containers[0]!.image.includes(':v1.20.1') && ready(p)), 'every agent runs 1.20.1 and is Ready');
	const stored = (await hosts.clusterObjects()).find((o) => o.kind === 'ConfigMap' && o.name === 'cilium-config')!.object as { metadata: { annotations?: Record<string, string> }; data: Record<string, string> };
	t.is(stored.metadata.annotations?.['kubestrap.dev/cilium-upgrade-compatibility'], '1.19');
	t.false('envoy-xds-mode' in stored.data, 'upgradeCompatibility 1.19 keeps the xDS mode 1.19 had');

	const applies = kubectlCalls(await hosts.readCalls(0), 'apply').length;
	const rerun = await runCli(['upgrade', '--config', config, '--yes'], dir);
	t.is(rerun.code, 0, rerun.stderr);
	t.regex(rerun.stderr, /Cilium: already at the pinned release/);
	t.is(kubectlCalls(await hosts.readCalls(0), 'apply').length, applies, 'nothing applied again');

	// upgrade also carries a changed option: the diff in its plan, the agents restarted, the setting live.
	editConfig(config, (c) => { c.spec.network.cilium = { enablePolicy: 'never' }; });
	const option = await runCli(['upgrade', '--config', config, '--yes'], dir);
	t.is(option.code, 0, option.stderr);
	t.regex(option.stderr, /cilium-config enable-policy: "default" → "never"/);
	t.regex(option.stderr, /the new Cilium configuration is live/);
	for (const pod of await agents(hosts)) {
		const dbg = await hosts.simKubectl(['-n', 'kube-system', 'exec', pod.metadata.name, '-c', 'cilium-agent', '--', 'cilium-dbg', 'config']);
		t.regex(dbg.stdout, /PolicyEnforcement\s+: never/, pod.spec.nodeName);
	}
});

// The upgrade a user meets first: a cluster at the previous minor with the older Cilium, the spec set to the
// default minor. Cilium 1.19 is not tested on 1.36, so it moves to the pinned 1.20.1 before the hop; then
// kubeadm's order; every node Ready at 1.36 with the agents at 1.20.1; a re-run changes nothing.
test('1.35 with Cilium 1.19.5 → 1.36: Cilium moves first, then the hop; every node Ready at 1.36, every agent at 1.20.1; a re-run is a no-op', async (t) => {
	const { hosts, dir, config } = await installWithCilium1195(t);
	const doc = parse(readFileSync(config, 'utf8')) as { spec: { kubernetes: { version: string } } };
	doc.spec.kubernetes.version = '1.36';
	writeFileSync(config, stringify(doc));

	const upgraded = await runCli(['upgrade', '--config', config, '--yes'], dir);
	t.is(upgraded.code, 0, upgraded.stderr);
	t.regex(upgraded.stderr, /Cilium: 1\.19\.5 → 1\.20\.1/);
	const calls = await hosts.readCalls(0);
	const file0 = (c: SimCall): string => c.argv[c.argv.indexOf('-f') + 1] ?? '';
	const cniApply = calls.findIndex((c) => c.prog === 'kubectl' && c.argv.includes('apply') && file0(c).endsWith('cni.yaml'));
	const kubeadmApply = calls.findIndex((c) => c.prog === 'kubeadm' && c.argv[0] === 'upgrade' && c.argv[1] === 'apply');
	t.true(cniApply >= 0 && kubeadmApply > cniApply, `Cilium applied (call ${cniApply}) before kubeadm upgrade apply (call ${kubeadmApply})`);
	assertPacedRollout(t, daemonSetRollout(hosts, 'cilium'), loggedAt(dir, 'upgrade', /the new Cilium configuration is live/));

	const listed = await hosts.simKubectl(['get', 'nodes', '-o', 'json']);
	const nodes = (JSON.parse(listed.stdout) as { items: Array<{ metadata: { name: string }; spec: { unschedulable?: boolean }; status: { nodeInfo: { kubeletVersion: string }; conditions: Array<{ type: string; status: string }> } }> }).items;
	t.is(nodes.length, 3);
	for (const n of nodes) {
		t.regex(n.status.nodeInfo.kubeletVersion, /^v1\.36\./, n.metadata.name);
		t.true(n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'), `${n.metadata.name} Ready`);
		t.not(n.spec.unschedulable, true, `${n.metadata.name} uncordoned`);
	}
	t.regex((await hosts.simKubectl(['version'])).stdout, /Server Version: v1\.36\./);
	t.true((await agents(hosts)).every((p) => p.spec.containers[0]!.image.includes(':v1.20.1') && ready(p)), 'every agent at 1.20.1 and Ready');

	const count = (all: SimCall[]): number => all.filter((c) => (c.prog === 'kubeadm' && c.argv[0] === 'upgrade') || (c.prog === 'kubectl' && (c.argv.includes('apply') || c.argv.includes('drain'))) || (c.prog === 'apt-get' && c.argv.includes('install'))).length;
	const before = (await Promise.all([0, 1, 2].map((i) => hosts.readCalls(i)))).reduce((n, all) => n + count(all), 0);
	const rerun = await runCli(['upgrade', '--config', config, '--yes'], dir);
	t.is(rerun.code, 0, rerun.stderr);
	t.regex(rerun.stderr, /nothing to upgrade, already at the target/);
	const after = (await Promise.all([0, 1, 2].map((i) => hosts.readCalls(i)))).reduce((n, all) => n + count(all), 0);
	t.is(after, before, 'the re-run applied, drained, installed and upgraded nothing');
});
