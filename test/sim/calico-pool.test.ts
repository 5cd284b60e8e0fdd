// The simulated calico-node and its IP pool: the first start creates default-ipv4-ippool from the env as
// calico-node does; kubectl reads and patches it as kubectl and the API server would (no strategic merge
// for a custom resource, the CRD's rule against IP-in-IP and VXLAN both on); the hosts' tunnel devices
// follow the pool, their MTU and BIRD follow what the running calico-node read at its start.
import test from 'ava';

import { renderManifests } from '../../source/cluster/render.js';
import { bootCluster, isReady, type KubeItem, type SimCluster } from './_cluster.js';

const POOLS = ['get', 'ippools.crd.projectcalico.org', '-o', 'json'];
const PATCH = ['patch', 'ippools.crd.projectcalico.org', 'default-ipv4-ippool'];

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

async function link(sim: SimCluster, host: number, name: string): Promise<string | undefined> {
	// As root: the simulated agent's state catches up when a simulated program runs as root (kubestrap's reads run so).
	const result = await sim.remotes[host]!.exec(['ip', 'link', 'show', name], { sudo: true });
	return result.code === 0 ? result.stdout : undefined;
}

async function birdRuns(sim: SimCluster, host: number): Promise<boolean> {
	await link(sim, host, 'lo');
	return (await sim.remotes[host]!.exec(['test', '-e', '/run/calico/bird.ctl'])).code === 0;
}

test('calico-node creates the default pool once; kubectl patches it as the API server allows; the tunnels follow', async (t) => {
	const sim = await bootCluster(2, { spec: { network: { cni: 'calico' } } });
	t.teardown(() => sim.close());
	await sim.hosts.setClusterScenario({ speed: 4 });
	t.is((await sim.kubectl(POOLS)).code, 1, 'no CRD yet: kubectl does not know the type');
	const appliedAt = Date.now();
	await sim.remotes[0]!.upload(renderManifests(sim.cluster).text, '/etc/kubestrap/cni.yaml', { sudo: true, mode: 0o600 });
	t.is((await sim.kubectl(['apply', '--server-side', '--field-manager=kubestrap', '--force-conflicts', '-f', '/etc/kubestrap/cni.yaml'])).code, 0);
	await until('the nodes Ready', async () => (await sim.json(['get', 'nodes', '-o', 'json'])).items.filter((n) => isReady(n)).length === 2);

	const pools = (await sim.json(POOLS)).items as Array<KubeItem & { metadata: { creationTimestamp: string } }>;
	t.is(pools.length, 1);
	const pool = pools[0]!;
	t.is(pool.apiVersion, 'crd.projectcalico.org/v1');
	t.is(pool.metadata.name, 'default-ipv4-ippool');
	t.deepEqual(pool.spec, { allowedUses: ['Workload', 'Tunnel'], assignmentMode: 'Automatic', blockSize: 26, cidr: sim.cluster.spec.kubernetes.podSubnet, ipipMode: 'Always', natOutgoing: true, nodeSelector: 'all()', vxlanMode: 'Never' });
	t.true(Date.parse(pool.metadata.creationTimestamp) >= Math.floor(appliedAt / 1000) * 1000, 'created when calico-node started');
	t.is((await sim.json(POOLS)).items.length, 1, 'created once');
	const table = await sim.kubectl(['get', 'ippools.crd.projectcalico.org']);
	t.deepEqual(table.stdout.split('\n').map((l) => l.split(/\s+/).filter(Boolean)).filter((l) => l.length > 0), [['NAME', 'CREATED', 'AT'], ['default-ipv4-ippool', pool.metadata.creationTimestamp]], 'the API server\'s default table: the CRD has no printer columns');

	t.regex(await link(sim, 1, 'tunl0') ?? '', /mtu 1480/);
	t.is(await link(sim, 1, 'vxlan.calico'), undefined);
	t.true(await birdRuns(sim, 1));

	const strategic = await sim.kubectl([...PATCH, '-p', '{"spec":{"vxlanMode":"Always"}}']);
	t.is(strategic.code, 1);
	t.is(strategic.stderr.trim(), 'Error from server (UnsupportedMediaType): the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
	const both = await sim.kubectl([...PATCH, '--type', 'merge', '-p', '{"spec":{"vxlanMode":"Always"}}']);
	t.is(both.code, 1);
	t.is(both.stderr.trim(), 'The IPPool "default-ipv4-ippool" is invalid: spec: Forbidden: ipipMode and vxlanMode cannot both be enabled');
	const wrong = await sim.kubectl([...PATCH, '--type', 'merge', '-p', '{"spec":{"ipipMode":"Sometimes"}}']);
	t.regex(wrong.stderr, /spec\.ipipMode: Unsupported value: "Sometimes": supported values: "Never", "Always", "CrossSubnet"/);

	const ok = await sim.kubectl([...PATCH, '--type', 'merge', '-p', '{"spec":{"ipipMode":"Never","vxlanMode":"Always"}}']);
	t.is(ok.code, 0, ok.stderr);
	t.is(ok.stdout, 'ippool.crd.projectcalico.org/default-ipv4-ippool patched\n');
	t.like((await sim.json(POOLS)).items[0]?.spec, { ipipMode: 'Never', vxlanMode: 'Always' });
	// Felix follows the pool without a restart: vxlan.calico on both hosts, with the detected MTU.
	for (const host of [0, 1]) t.regex(await link(sim, host, 'vxlan.calico') ?? '', /mtu 1450/);
	t.true(await birdRuns(sim, 1), 'BIRD keeps running until calico-node restarts with another backend');
	const again = await sim.kubectl([...PATCH, '--type', 'merge', '-p', '{"spec":{"ipipMode":"Never","vxlanMode":"Always"}}']);
	t.is(again.stdout, 'ippool.crd.projectcalico.org/default-ipv4-ippool patched (no change)\n');
	t.deepEqual((await sim.hosts.clusterPatches()).map((p) => p.changed), [true, false]);
});
