// The network check against the simulated cluster on real sshd hosts: the client pods complete from the
// simulator's network model (test/_helpers/sim/node/network.mjs). One cluster of 1+3 hosts is shared:
// Cilium VXLAN healthy, a blocked 8472/udp between two nodes, DNS down, then Geneve, native routing and
// Calico IPIP and VXLAN by re-applying the CNI manifests.
import { DescribeInstancesCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import test from 'ava';
import { awsNetworkFacts } from '../../../source/cloud/network-facts.js';
import { awsCluster, callOptions, instance, mockedEc2, reservations } from '../../cloud/_ec2.js';
import { renderManifests } from '../../../source/cluster/render.js';
import { datapathFromSpec } from '../../../source/cluster/check/datapath.js';
import type { CheckReport } from '../../../source/cluster/check/report.js';
import type { Cluster } from '../../../source/spec/types.js';
import { sshKubectl } from '../../../source/steps/check/kubectl-runner.js';
import { runCheck, type CheckOutcome } from '../../../source/steps/check/run.js';
import { sleep } from '../../../source/steps/sleep.js';
import { bootCluster, eventually, isReady, type SimCluster } from '../../sim/_cluster.js';

let sim: SimCluster;
const POLL = ['get', 'nodes,pods,daemonsets,deployments', '-A', '-o', 'json'];

async function applyCni(cluster: Cluster): Promise<void> {
	const rendered = renderManifests(cluster);
	await sim.remotes[0]!.upload(rendered.text, '/etc/kubestrap/cni.yaml', { sudo: true });
	const applied = await sim.kubectl(['apply', '--server-side', '--field-manager=kubestrap', '--force-conflicts', '-f', '/etc/kubestrap/cni.yaml']);
	if (applied.code !== 0) throw new Error(applied.stderr);
	await eventually(async () => {
		const list = await sim.json(POLL);
		const pods = list.items.filter((item) => item.kind === 'Pod' && !item.metadata.deletionTimestamp);
		return pods.length > 0 && pods.every(isReady) && list.items.filter((i) => i.kind === 'Node').every(isReady) ? true : undefined;
	}, 30_000, 'every pod Ready');
}

function withNetwork(network: Partial<Cluster['spec']['network']>): Cluster {
	return { ...sim.cluster, spec: { ...sim.cluster.spec, network: { ...sim.cluster.spec.network, ...network } } };
}

async function check(cluster: Cluster, options: { keep?: boolean; signal?: AbortSignal; timeoutMs?: number } = {}): Promise<CheckOutcome> {
	const logs: string[] = [];
	const outcome = await runCheck({
		kubectl: sshKubectl(sim.remotes[0]!, sim.hosts.hosts[0]!.address),
		datapath: datapathFromSpec(cluster, true),
		timeoutMs: options.timeoutMs ?? 90_000,
		keep: options.keep ?? false,
		signal: options.signal ?? new AbortController().signal,
		now: () => Date.now(),
		sleep,
		onProgress: () => undefined,
		log: (line) => logs.push(line),
		intervalMs: 300,
	});
	return outcome;
}

function report(outcome: CheckOutcome): CheckReport {
	if (outcome.kind !== 'report') throw new Error(`no report: ${JSON.stringify(outcome)}`);
	return outcome.report;
}

async function checkNamespaces(): Promise<string[]> {
	const list = await sim.json(['get', 'namespaces', '-l', 'kubestrap.dev/check=true', '-o', 'json']);
	return list.items.map((i) => i.metadata.name);
}

test.before(async () => {
	sim = await bootCluster(4, { spec: { network: { cni: 'cilium' } } });
	await sim.hosts.setClusterScenario({ speed: 8 });
	await applyCni(sim.cluster);
});

test.after.always(async () => {
	await sim?.close();
});

test.serial('Cilium VXLAN: every path passes on 1+3 nodes, and nothing is left behind', async (t) => {
	const r = report(await check(sim.cluster));
	t.is(r.result, 'pass', JSON.stringify(r.paths.filter((p) => p.result !== 'pass'), null, 1));
	t.is(r.nodes.length, 4);
	// 4 same-node, 12 cross-node, 12 node-to-pod, and per node ClusterIP, Service name, kubernetes.default, NodePort.
	const count = (path: string): number => r.paths.filter((p) => p.path === path).length;
	t.deepEqual([count('same-node'), count('cross-node'), count('node-to-pod'), count('cluster-ip'), count('service-dns'), count('kubernetes-dns'), count('node-port')], [4, 12, 12, 4, 4, 4, 4]);
	t.is(r.datapath.crossNode, 'Cilium VXLAN 8472/udp');
	t.deepEqual(await checkNamespaces(), []);
});

test.serial('a blocked 8472/udp between two nodes names exactly that pair and port', async (t) => {
	const [a, b] = [sim.hosts.hosts[1]!.name, sim.hosts.hosts[2]!.name];
	await sim.hosts.setClusterScenario({ speed: 8, network: { blocked: [{ nodes: [a, b], protocol: 'udp', port: 8472 }] } });
	try {
		const r = report(await check(sim.cluster));
		t.is(r.result, 'fail');
		const failed = r.paths.filter((p) => p.result !== 'pass');
		t.true(failed.length > 0);
		for (const p of failed) {
			t.true(['cross-node', 'node-to-pod'].includes(p.path), p.id);
			t.deepEqual([p.from, p.to].sort(), [a, b].sort(), p.id);
			t.is(p.detail, 'TIMEOUT');
		}
		t.is(r.causes.length, 1);
		const cause = r.causes[0]!;
		t.deepEqual([...cause.nodes!].sort(), [a, b].sort());
		t.regex(cause.cause, /VXLAN/);
		t.regex(cause.cause, /UDP port 8472/);
		t.regex(cause.fix, /UDP port 8472/);
		t.true(cause.fix.includes(sim.hosts.hosts[1]!.address) && cause.fix.includes(sim.hosts.hosts[2]!.address));
	} finally {
		await sim.hosts.setClusterScenario({ speed: 8 });
	}
	t.deepEqual(await checkNamespaces(), []);
});

test.serial('on AWS a blocked 8472/udp names the security-group rule EC2 lacks between the two instances, from the mocked EC2', async (t) => {
	const [a, b] = [sim.hosts.hosts[1]!.name, sim.hosts.hosts[2]!.name];
	const { client, mock } = mockedEc2();
	// One instance per node, at the node's InternalIP; the nodes' group lets TCP in from itself but no UDP.
	const ids = sim.hosts.hosts.map((_, i) => `i-0e2e000000000000${i}`);
	mock.on(DescribeInstancesCommand).resolves(reservations(...sim.hosts.hosts.map((h, i) => instance({ id: ids[i]!, role: i === 0 ? 'control-plane' : 'worker', privateIp: h.address }))));
	mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-nodes', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, UserIdGroupPairs: [{ GroupId: 'sg-nodes' }] }] }] });
	const spec = awsCluster({ cilium: { tunnel: 'vxlan' } });
	const asked: Array<Array<[string, string]>> = [];
	await sim.hosts.setClusterScenario({ speed: 8, network: { blocked: [{ nodes: [a, b], protocol: 'udp', port: 8472 }] } });
	try {
		const outcome = await runCheck({
			kubectl: sshKubectl(sim.remotes[0]!, sim.hosts.hosts[0]!.address),
			datapath: { ...datapathFromSpec(sim.cluster, true), target: 'aws' },
			timeoutMs: 90_000, keep: false, signal: new AbortController().signal, now: () => Date.now(), sleep, onProgress: () => undefined, log: () => undefined, intervalMs: 300,
			aws: async (nodes, pairs) => {
				asked.push([...pairs]);
				return awsNetworkFacts(client, spec, nodes, pairs, callOptions());
			},
		});
		const r = report(outcome);
		t.is(r.result, 'fail');
		t.deepEqual(asked, [[[a, b].sort() as [string, string]]], 'EC2 is asked about the failed pair only');
		t.is(r.causes.length, 1);
		const cause = r.causes[0]!;
		const [ia, ib] = [ids[1]!, ids[2]!];
		const sorted = [a, b].sort();
		const label = (n: string): string => `${n === a ? ia : ib} \\(${n}\\)`;
		t.regex(cause.cause, new RegExp(`in EC2: security group sg-nodes of ${label(sorted[0]!)} and ${label(sorted[1]!)} does not let 8472/udp \\(Cilium VXLAN\\) in from sg-nodes$`));
		t.is(cause.fix, "add the rule: aws ec2 authorize-security-group-ingress --region eu-west-1 --group-id sg-nodes --ip-permissions 'IpProtocol=udp,FromPort=8472,ToPort=8472,UserIdGroupPairs=[{GroupId=sg-nodes}]' (kubestrap install --aws-fix-security-groups makes this change)");
	} finally {
		await sim.hosts.setClusterScenario({ speed: 8 });
	}
	t.deepEqual(await checkNamespaces(), []);
});

test.serial('DNS down names CoreDNS', async (t) => {
	await sim.hosts.setClusterScenario({ speed: 20, network: { dnsDown: true } });
	try {
		const r = report(await check(sim.cluster));
		t.is(r.result, 'fail');
		const failed = r.paths.filter((p) => p.result !== 'pass');
		t.deepEqual([...new Set(failed.map((p) => p.path))].sort(), ['kubernetes-dns', 'service-dns']);
		t.is(r.causes.length, 1);
		t.regex(r.causes[0]!.cause, /CoreDNS/);
		t.regex(failed.find((p) => p.path === 'kubernetes-dns')!.detail ?? '', /no servers could be reached/);
	} finally {
		await sim.hosts.setClusterScenario({ speed: 8 });
	}
});

test.serial('--keep leaves the namespace; an interrupted check deletes it', async (t) => {
	const kept = report(await check(sim.cluster, { keep: true }));
	t.deepEqual(await checkNamespaces(), [kept.namespace]);
	await sim.kubectl(['delete', 'namespace', kept.namespace]);
	const abort = new AbortController();
	const running = check(sim.cluster, { signal: abort.signal });
	await eventually(async () => ((await checkNamespaces()).length > 0 ? true : undefined), 20_000, 'the check namespace');
	abort.abort();
	const outcome = await running;
	t.is(outcome.kind, 'aborted');
	t.deepEqual(await checkNamespaces(), []);
});

test.serial('a second check refuses while another holds the lease', async (t) => {
	const first = report(await check(sim.cluster, { keep: true }));
	const second = await check(sim.cluster);
	t.is(second.kind, 'busy');
	t.regex((second as { message: string }).message, new RegExp(`another network check is running \\(namespace ${first.namespace}`));
	await sim.kubectl(['delete', 'namespace', first.namespace]);
});

const variants: Array<[string, Partial<Cluster['spec']['network']>, string]> = [
	['Cilium Geneve', { cni: 'cilium', cilium: { ipam: 'cluster-pool', tunnel: 'geneve', nativeRoutingCIDR: '', enablePolicy: 'default', disableMasquerade: false, kubeProxyReplacement: false, hubble: true } }, 'Cilium Geneve 6081/udp'],
	['Cilium native routing', { cni: 'cilium', cilium: { ipam: 'cluster-pool', tunnel: 'disabled', nativeRoutingCIDR: '10.244.0.0/16', enablePolicy: 'default', disableMasquerade: false, kubeProxyReplacement: false, hubble: true } }, 'Cilium native routing'],
];

for (const [name, network, transport] of variants) {
	test.serial(`${name}: every path passes`, async (t) => {
		const cluster = withNetwork(network);
		await applyCni(cluster);
		const r = report(await check(cluster));
		t.is(r.result, 'pass', JSON.stringify(r.paths.filter((p) => p.result !== 'pass'), null, 1));
		t.is(r.datapath.crossNode, transport);
	});
}

test.serial('Geneve with 6081/udp blocked names 6081, not 8472', async (t) => {
	const cluster = withNetwork(variants[0]![1]);
	await applyCni(cluster);
	const [a, b] = [sim.hosts.hosts[0]!.name, sim.hosts.hosts[3]!.name];
	await sim.hosts.setClusterScenario({ speed: 8, network: { blocked: [{ nodes: [a, b], protocol: 'udp', port: 8472 }] } });
	try {
		t.is(report(await check(cluster)).result, 'pass', 'a blocked 8472 does not matter to Geneve');
		await sim.hosts.setClusterScenario({ speed: 8, network: { blocked: [{ nodes: [a, b], protocol: 'udp', port: 6081 }] } });
		const r = report(await check(cluster));
		t.is(r.causes.length, 1);
		t.regex(r.causes[0]!.cause, /Geneve.*UDP port 6081/);
	} finally {
		await sim.hosts.setClusterScenario({ speed: 8 });
	}
});

test.serial('Calico IPIP and VXLAN: every path passes; blocked IPIP names protocol 4', async (t) => {
	// Switching CNI in place: the simulated cluster takes it (a real one needs a reinstall).
	await sim.kubectl(['-n', 'kube-system', 'delete', 'daemonset', 'cilium']);
	await sim.kubectl(['-n', 'kube-system', 'delete', 'configmap', 'cilium-config']);
	const ipip = withNetwork({ cni: 'calico', calico: { encapsulation: 'ipip', crossSubnet: false, mtu: 0 } });
	await applyCni(ipip);
	const r = report(await check(ipip));
	t.is(r.result, 'pass', JSON.stringify(r.paths.filter((p) => p.result !== 'pass'), null, 1));
	t.regex(r.datapath.crossNode, /IPIP/);
	const [a, b] = [sim.hosts.hosts[2]!.name, sim.hosts.hosts[3]!.name];
	await sim.hosts.setClusterScenario({ speed: 8, network: { blocked: [{ nodes: [a, b], protocol: 'ipip' }] } });
	try {
		const blocked = report(await check(ipip));
		t.is(blocked.causes.length, 1);
		t.regex(blocked.causes[0]!.cause, /IP protocol 4/);
	} finally {
		await sim.hosts.setClusterScenario({ speed: 8 });
	}
	const vxlan = withNetwork({ cni: 'calico', calico: { encapsulation: 'vxlan', crossSubnet: false, mtu: 0 } });
	await applyCni(vxlan);
	const v = report(await check(vxlan));
	t.is(v.result, 'pass', JSON.stringify(v.paths.filter((p) => p.result !== 'pass'), null, 1));
	t.is(v.datapath.crossNode, 'Calico VXLAN 4789/udp');
});
