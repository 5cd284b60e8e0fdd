// The simulation of what a reset meets on a host, driven over real SSH: the CNI agent's links, iptables
// rules and BPF pins appear on each node once the CNI is applied (in the host's own state, never the
// machine's), kubeadm reset prints what the real one prints and leaves what it leaves (the Node object, the
// CNI's files, links, rules and pins), and kubectl drain / delete node / exec etcdctl answer as the real ones.

import test from 'ava';

import { renderManifests } from '../../source/cluster/render.js';
import { bootCluster, eventually, type SimCluster } from './_cluster.js';

const APPLY = ['apply', '--server-side', '--field-manager=kubestrap', '--force-conflicts', '-f', '/etc/kubestrap/cni.yaml'];
const ETCDCTL = ['-n', 'kube-system', 'exec', 'etcd-node1', '--', 'etcdctl', '--endpoints=https://127.0.0.1:2379',
	'--cacert=/etc/kubernetes/pki/etcd/ca.crt', '--cert=/etc/kubernetes/pki/etcd/server.crt', '--key=/etc/kubernetes/pki/etcd/server.key'];

async function applyCni(sim: SimCluster): Promise<void> {
	await sim.remotes[0]!.upload(renderManifests(sim.cluster).text, '/etc/kubestrap/cni.yaml', { sudo: true, mode: 0o600 });
	const result = await sim.kubectl(APPLY);
	if (result.code !== 0) throw new Error(result.stderr);
}

async function sh(sim: SimCluster, index: number, argv: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
	const result = await sim.remotes[index]!.exec(argv, { sudo: true, ...(stdin !== undefined ? { stdin } : {}) });
	return { code: result.code, stdout: result.stdout, stderr: result.stderr };
}

const hostFirewall = {
	iptables: { filter: { chains: ['HOST-FW'], rules: ['-A INPUT -j HOST-FW', '-A HOST-FW -p tcp -m tcp --dport 22 -j ACCEPT'] } },
	nftTables: ['inet hostfw'],
	bpfPins: ['hostfw/allow'],
	links: ['br-lan'],
};

test('cilium on a node: links, rules, pins and files appear; kubeadm reset leaves them and the Node, and the host keeps its own', async (t) => {
	const sim = await bootCluster(2, { scenario: hostFirewall });
	t.teardown(() => sim.close());
	// Before the CNI: kube-proxy's chains only.
	const before = await sh(sim, 1, ['iptables-save']);
	t.regex(before.stdout, /:KUBE-SERVICES - \[0:0\]/);
	t.notRegex(before.stdout, /CILIUM_/);
	await applyCni(sim);
	const links = await sh(sim, 1, ['ip', '-o', 'link', 'show']);
	t.regex(links.stdout, /cilium_host@cilium_net:/);
	t.regex(links.stdout, /cilium_vxlan:/);
	t.regex(links.stdout, /br-lan:/);
	const rules = (await sh(sim, 1, ['iptables-save'])).stdout;
	t.regex(rules, /-A INPUT -m comment --comment "cilium-feeder: CILIUM_INPUT" -j CILIUM_INPUT/);
	t.regex(rules, /-A INPUT -j HOST-FW/);
	const pins = await sh(sim, 1, ['find', '/sys/fs/bpf', '-type', 'f']);
	t.regex(pins.stdout, /\/sys\/fs\/bpf\/tc\/globals\/cilium_lxc/);
	t.regex(pins.stdout, /\/sys\/fs\/bpf\/hostfw\/allow/);
	t.truthy(await sim.hosts.readHostFile(1, '/etc/cni/net.d/05-cilium.conflist'));
	// The machine's own bpffs is not the host's.
	t.is((await sh(sim, 1, ['test', '-e', '/sys/fs/bpf/tc/globals/cilium_lxc'])).code, 0);

	const reset = await sh(sim, 1, ['kubeadm', 'reset', '-f']);
	t.is(reset.code, 0, reset.stderr);
	t.regex(reset.stdout, /\[reset\] Deleting files: \[\/etc\/kubernetes\/admin.conf/);
	t.regex(reset.stdout, /The reset process does not perform cleanup of CNI plugin configuration,\nnetwork filtering rules and kubeconfig files./);
	t.regex((await sh(sim, 1, ['ip', '-o', 'link', 'show'])).stdout, /cilium_host/);
	t.regex((await sh(sim, 1, ['iptables-save'])).stdout, /CILIUM_INPUT/);
	t.truthy(await sim.hosts.readHostFile(1, '/etc/cni/net.d/05-cilium.conflist'));
	// The Node stays in the API, NotReady, until it is deleted.
	const node = await eventually(async () => {
		const r = await sim.kubectl(['get', 'node', 'node2', '-o', 'json']);
		const n = JSON.parse(r.stdout) as { status: { conditions: { type: string; status: string }[] } };
		return n.status.conditions.find((c) => c.type === 'Ready')?.status === 'Unknown' ? n : undefined;
	}, 5_000, 'node2 NotReady');
	t.truthy(node);
	t.is((await sim.kubectl(['delete', 'node', 'node2'])).stdout, 'node "node2" deleted\n');
	t.is((await sim.kubectl(['get', 'node', 'node2', '--ignore-not-found', '-o', 'name'])).stdout, '');
});

test('iptables-restore refuses a jump to a chain it does not declare, and changes nothing; ip link and nft as the real ones', async (t) => {
	const sim = await bootCluster(1, { scenario: hostFirewall });
	t.teardown(() => sim.close());
	const saved = (await sh(sim, 0, ['iptables-save', '-t', 'filter'])).stdout;
	const broken = saved.split('\n').filter((line) => !line.startsWith(':KUBE-FIREWALL')).join('\n');
	const refused = await sh(sim, 0, ['iptables-restore'], broken);
	t.is(refused.code, 1);
	t.regex(refused.stderr, /Couldn't load target `KUBE-FIREWALL'|Chain 'KUBE-FIREWALL' does not exist/);
	t.is((await sh(sim, 0, ['iptables-save', '-t', 'filter'])).stdout.replace(/^#.*\n/gm, ''), saved.replace(/^#.*\n/gm, ''));
	const clean = saved.split('\n').filter((line) => !/KUBE-/.test(line)).join('\n');
	t.is((await sh(sim, 0, ['iptables-restore'], clean)).code, 0);
	const after = (await sh(sim, 0, ['iptables-save'])).stdout;
	t.notRegex(after.split('*mangle')[0]!, /KUBE-/);
	t.regex(after, /-A HOST-FW -p tcp -m tcp --dport 22 -j ACCEPT/);
	t.regex((await sh(sim, 0, ['ip', 'link', 'del', 'nothere'])).stderr, /Cannot find device "nothere"/);
	t.regex((await sh(sim, 0, ['nft', 'list', 'tables'])).stdout, /table inet hostfw\ntable ip filter/);
	const nft = await sh(sim, 0, ['nft', 'delete', 'table', 'ip', 'kube-proxy']);
	t.is(nft.code, 1);
	t.regex(nft.stderr, /No such file or directory/);
});

test('three control planes: etcd members listed by etcdctl, removed by hex ID; drain needs --ignore-daemonsets; kubeadm reset removes its own member', async (t) => {
	const sim = await bootCluster(4, { controlPlanes: 3, useEndpointAddress: true });
	t.teardown(() => sim.close());
	await applyCni(sim);
	const list = await sim.kubectl([...ETCDCTL, 'member', 'list']);
	t.is(list.code, 0, list.stderr);
	const lines = list.stdout.trim().split('\n');
	t.is(lines.length, 3);
	t.regex(lines[0]!, /^[0-9a-f]{16}, started, node1, https:\/\/[0-9.]+:2380, https:\/\/[0-9.]+:2379, false$/);
	const noCerts = await sim.kubectl(['-n', 'kube-system', 'exec', 'etcd-node1', '--', 'etcdctl', 'member', 'list']);
	t.is(noCerts.code, 1);
	t.regex(noCerts.stderr, /context deadline exceeded/);

	await eventually(async () => ((await sim.kubectl(['get', 'pods', '-A', '-o', 'wide'])).stdout.includes('cilium') ? true : undefined), 5_000, 'cilium pods');
	const refused = await sim.kubectl(['drain', 'node4']);
	t.is(refused.code, 1);
	t.regex(refused.stderr, /cannot delete DaemonSet-managed Pods \(use --ignore-daemonsets to ignore\)/);
	const drained = await sim.kubectl(['drain', 'node4', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s']);
	t.is(drained.code, 0, drained.stderr);
	t.regex(drained.stdout, /node\/node4 (already )?cordoned\n(.|\n)*node\/node4 drained\n$/);
	t.regex(drained.stderr, /Warning: ignoring DaemonSet-managed Pods: kube-system\/cilium-/);
	const nodeJson = JSON.parse((await sim.kubectl(['get', 'node', 'node4', '-o', 'json'])).stdout) as { spec: { unschedulable?: boolean } };
	t.true(nodeJson.spec.unschedulable);

	const reset = await sh(sim, 2, ['kubeadm', 'reset', '-f']);
	t.is(reset.code, 0, reset.stderr);
	t.regex(reset.stdout, /Deleted contents of the etcd data directory: \/var\/lib\/etcd/);
	const after = (await sim.kubectl([...ETCDCTL, 'member', 'list'])).stdout.trim().split('\n');
	t.is(after.length, 2);
	t.false(after.some((line) => line.includes(', node3, ')));
	const id = after[1]!.split(',')[0]!;
	const removed = await sim.kubectl([...ETCDCTL, 'member', 'remove', id]);
	t.regex(removed.stdout, new RegExp(`^Member ${id} removed from cluster [0-9a-f]+\n$`));
	t.regex((await sim.kubectl([...ETCDCTL, 'member', 'remove', id])).stderr, /member not found/);
});

test('the CNI state is there before the first command of a session (a real agent made it long before)', async (t) => {
	const sim = await bootCluster(2);
	t.teardown(() => sim.close());
	await applyCni(sim);
	const first = await sim.remotes[1]!.exec(['ls', '/etc/cni/net.d']);
	t.is(first.stdout, '05-cilium.conflist\n', first.stderr);
});
