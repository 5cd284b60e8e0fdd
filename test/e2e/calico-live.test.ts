// Calico options on a running cluster, on real sshd hosts with the simulated node programs: a re-run that
// changes the encapsulation from IP-in-IP to VXLAN shows the pool and backend change (and the exact patch in a
// dry run that changes nothing), edits the IP pool
// first (while BIRD still runs), rolls calico-node one node at a time (the DaemonSet's maxUnavailable 1, from
// the simulated cluster's recorded pod times) and proves the change on the hosts (vxlan.calico, BIRD off); an
// MTU change restarts calico-node one node at a time and the tunnel runs with the new MTU; a
// re-run changes nothing.
import { readFileSync, writeFileSync } from 'node:fs';
import test from 'ava';
import { parse, stringify } from 'yaml';
import { connect } from '../../source/remote/connection.js';
import type { Remote } from '../../source/remote/remote.js';
import { startHosts, type SimCall, type TestHosts } from '../_helpers/sshd-hosts.js';
import { connectOptions } from '../remote/helpers.js';
import { runCli, writeConfig } from './_install.js';
import { daemonSetRollout, loggedAt, type Rollout } from './_rollout.js';

interface PodJson {
	metadata: { name: string; creationTimestamp: string };
	spec: { nodeName: string };
	status: { conditions?: Array<{ type: string; status: string; lastTransitionTime: string }> };
}

async function calicoNodes(hosts: TestHosts): Promise<PodJson[]> {
	const listed = await hosts.simKubectl(['-n', 'kube-system', 'get', 'pods', '-l', 'k8s-app=calico-node', '-o', 'json']);
	return (JSON.parse(listed.stdout) as { items: PodJson[] }).items;
}

async function poolModes(hosts: TestHosts): Promise<Array<{ name: string; ipipMode: string; vxlanMode: string }>> {
	const listed = await hosts.simKubectl(['get', 'ippools.crd.projectcalico.org', '-o', 'json']);
	return (JSON.parse(listed.stdout) as { items: Array<{ metadata: { name: string }; spec: { ipipMode: string; vxlanMode: string } }> }).items
		.map((p) => ({ name: p.metadata.name, ipipMode: p.spec.ipipMode, vxlanMode: p.spec.vxlanMode }));
}

const ready = (pod: PodJson): boolean => pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
const readyAt = (pod: PodJson): number => Date.parse(pod.status.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime);

function editCalico(config: string, calico: Record<string, unknown>): void {
	const cluster = parse(readFileSync(config, 'utf8')) as { spec: { network: Record<string, unknown> } };
	cluster.spec.network = { cni: 'calico', calico };
	writeFileSync(config, stringify(cluster));
}

const kubectlCalls = (calls: SimCall[], verb: string): SimCall[] => calls.filter((c) => c.prog === 'kubectl' && c.argv.includes(verb));

/** What the host shows now: a simulated program run as root lets the simulated agent catch up first, as a real one runs all along. */
async function hostLink(remote: Remote, name: string): Promise<string | undefined> {
	const result = await remote.exec(['ip', 'link', 'show', name], { sudo: true });
	return result.code === 0 ? result.stdout : undefined;
}

test('Calico ipip → vxlan live: the pool first, calico-node rolled, vxlan.calico on the hosts; then an MTU change node by node; a re-run is a no-op', async (t) => {
	const hosts = await startHosts(2);
	t.teardown(() => hosts.stop());
	await hosts.setClusterScenario({ speed: 4 });
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1, network: { cni: 'calico', calico: { encapsulation: 'ipip' } } });
	const installed = await runCli(['install', '--config', config, '--yes', '--skip-check'], dir);
	t.is(installed.code, 0, installed.stderr);
	t.deepEqual(await poolModes(hosts), [{ name: 'default-ipv4-ippool', ipipMode: 'Always', vxlanMode: 'Never' }]);
	const remotes = await Promise.all([0, 1].map((i) => connect(connectOptions(hosts, i))));
	t.teardown(() => Promise.all(remotes.map((r) => r.close())).then(() => undefined));
	for (const remote of remotes) {
		t.regex(await hostLink(remote, 'tunl0') ?? '', /mtu 1480/);
		t.is(await hostLink(remote, 'vxlan.calico'), undefined);
		t.is((await remote.exec(['test', '-e', '/run/calico/bird.ctl'])).code, 0, 'BIRD runs (the ip call above let the host catch up)');
	}

	// The encapsulation: a plan with the pool and the backend, the pool edited before the manifests.
	const before = await calicoNodes(hosts);
	editCalico(config, { encapsulation: 'vxlan' });
	// The dry run: the exact patch in the plan, nothing patched or applied.
	const applies = kubectlCalls(await hosts.readCalls(0), 'apply').length;
	const plan = await runCli(['install', '--config', config, '--dry-run'], dir);
	t.is(plan.code, 0, plan.stderr);
	t.true(`${plan.stdout}${plan.stderr}`.includes('kubectl --kubeconfig /etc/kubernetes/admin.conf patch ippools.crd.projectcalico.org default-ipv4-ippool --type merge -p {"spec":{"ipipMode":"Never","vxlanMode":"Always"}}'), `${plan.stdout}${plan.stderr}`);
	t.deepEqual(await poolModes(hosts), [{ name: 'default-ipv4-ippool', ipipMode: 'Always', vxlanMode: 'Never' }]);
	t.deepEqual(await hosts.clusterPatches(), []);
	t.is(kubectlCalls(await hosts.readCalls(0), 'apply').length, applies);
	const startedAt = Date.now();
	const vxlan = await runCli(['install', '--config', config, '--yes', '--skip-check'], dir);
	t.is(vxlan.code, 0, vxlan.stderr);
	t.log(vxlan.stderr.split('\n').filter((l) => /IPPool|calico-config|calico-node|BIRD|configuration is live/.test(l)).join('\n'));
	for (const line of ['IPPool default-ipv4-ippool ipipMode: "Always" → "Never"', 'IPPool default-ipv4-ippool vxlanMode: "Never" → "Always"', 'calico-config calico_backend: "bird" → "vxlan"', 'calico-node env CALICO_IPV4POOL_VXLAN: "Never" → "Always"']) {
		t.true(vxlan.stderr.includes(line), line);
	}
	t.regex(vxlan.stderr, /the IP pool default-ipv4-ippool changes first, while BIRD still runs/);
	t.regex(vxlan.stderr, /IPPool default-ipv4-ippool now has ipipMode "Never", vxlanMode "Always"/);
	t.regex(vxlan.stderr, /the new Calico configuration is live: every agent started after the change/);
	t.deepEqual(await poolModes(hosts), [{ name: 'default-ipv4-ippool', ipipMode: 'Never', vxlanMode: 'Always' }]);
	const calls = await hosts.readCalls(0);
	const patch = calls.findIndex((c) => c.prog === 'kubectl' && c.argv.includes('patch') && c.argv.includes('ippools.crd.projectcalico.org'));
	const apply = calls.findIndex((c, i) => i > patch && c.prog === 'kubectl' && c.argv.includes('apply') && (c.argv[c.argv.indexOf('-f') + 1] ?? '').endsWith('cni.yaml'));
	t.true(patch >= 0 && apply > patch, 'the pool was patched before the manifests were applied');
	t.deepEqual(calls[patch]!.argv.slice(-5), ['default-ipv4-ippool', '--type', 'merge', '-p', '{"spec":{"ipipMode":"Never","vxlanMode":"Always"}}']);
	// Every calico-node was replaced after the change and runs: the backend change (BIRD off, its probes
	// gone) is a new pod template, which the DaemonSet rolls out and kubestrap waits for.
	const rolled = await calicoNodes(hosts);
	t.is(rolled.length, 2);
	for (const pod of rolled) {
		t.false(before.some((b) => b.metadata.name === pod.metadata.name), `${pod.spec.nodeName}: a new calico-node`);
		t.true(Date.parse(pod.metadata.creationTimestamp) >= Math.floor(startedAt / 1000) * 1000 && ready(pod), pod.spec.nodeName);
	}
	// One node at a time (calico-node's maxUnavailable 1), and success only after the last one was Ready.
	const rollout = daemonSetRollout(hosts, 'calico-node');
	t.is(rollout.maxUnavailable, 1, "calico-node's maxUnavailable");
	t.deepEqual(rollout.updated, ['node1', 'node2'], 'one calico-node with the new template per node');
	t.is(rollout.worst, 1, 'never more than one node without a Ready calico-node');
	t.is(rollout.batches, 2, 'one node, then the other');
	const liveAt = loggedAt(dir, 'install', /the new Calico configuration is live/);
	t.true(Number.isFinite(liveAt) && liveAt >= rollout.lastReady, 'success reported after the last calico-node was Ready');
	for (const [i, remote] of remotes.entries()) {
		t.regex(await hostLink(remote, 'vxlan.calico') ?? '', /mtu 1450/, `host ${i + 1}: the VXLAN device`);
		t.is((await remote.exec(['test', '-e', '/run/calico/bird.ctl'])).code, 1, `host ${i + 1}: BIRD is off`);
	}

	// The MTU: only calico-config changes, so kubestrap restarts calico-node itself, one node at a time.
	const beforeMtu = await calicoNodes(hosts);
	const deletesBefore = kubectlCalls(await hosts.readCalls(0), 'delete').filter((c) => c.argv.includes('pod')).length;
	editCalico(config, { encapsulation: 'vxlan', mtu: 1400 });
	const mtu = await runCli(['install', '--config', config, '--yes', '--skip-check'], dir);
	t.is(mtu.code, 0, mtu.stderr);
	t.regex(mtu.stderr, /calico-config veth_mtu: "0" → "1400"/);
	t.regex(mtu.stderr, /then the calico-node pods restart node by node/);
	t.notRegex(mtu.stderr, /IPPool default-ipv4-ippool/);
	const deletes = kubectlCalls(await hosts.readCalls(0), 'delete').filter((c) => c.argv.includes('pod')).slice(deletesBefore);
	t.is(deletes.length, 2, 'one calico-node deleted per node');
	const after = await calicoNodes(hosts);
	const nodesInOrder = deletes.map((c) => beforeMtu.find((p) => p.metadata.name === c.argv[c.argv.indexOf('pod') + 1])!.spec.nodeName);
	t.deepEqual([...nodesInOrder].sort(), ['node1', 'node2']);
	const first = after.find((p) => p.spec.nodeName === nodesInOrder[0])!;
	t.true(ready(first) && readyAt(first) <= deletes[1]!.t, `${nodesInOrder[1]} restarted only after calico-node on ${nodesInOrder[0]} was Ready again`);
	for (const [i, remote] of remotes.entries()) t.regex(await hostLink(remote, 'vxlan.calico') ?? '', /mtu 1400/, `host ${i + 1}: the new MTU`);

	// Nothing changed: nothing restarted or patched.
	const patches = (await hosts.clusterPatches()).length;
	const deleted = kubectlCalls(await hosts.readCalls(0), 'delete').length;
	const again = await runCli(['install', '--config', config, '--yes', '--skip-check'], dir);
	t.is(again.code, 0, again.stderr);
	t.notRegex(again.stderr, /configuration changes|restarting the calico-node|IPPool/);
	t.is(kubectlCalls(await hosts.readCalls(0), 'delete').length, deleted);
	t.is((await hosts.clusterPatches()).length, patches);
});
