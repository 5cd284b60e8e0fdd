// Table tests of the check's pure parts: pair selection, the objects it creates, the probe plan,
// result parsing and the mapping from failed paths to causes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { mapCauses, transport } from '../../../source/cluster/check/causes.js';
import { datapathFromCluster } from '../../../source/cluster/check/datapath.js';
import { CHECK_IMAGE, clientPod, echoDaemonSet, echoService, namespaceObject, probeScript } from '../../../source/cluster/check/objects.js';
import { FULL_MESH_LIMIT, seededRandom, selectPairs } from '../../../source/cluster/check/pairs.js';
import { parseNodes, parsePods, parseResults, parseService } from '../../../source/cluster/check/parse.js';
import { planProbes } from '../../../source/cluster/check/plan.js';
import { buildReport, gridLines } from '../../../source/cluster/check/report.js';
import type { AwsFacts, AwsMissingRule, AwsNodeFacts, Datapath, Probe, ProbeResult } from '../../../source/cluster/check/types.js';

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `node-${String(i).padStart(3, '0')}`);

test('pairs: every ordered pair up to ten nodes', (t) => {
	t.deepEqual(selectPairs(['a'], seededRandom(1)), []);
	t.deepEqual(selectPairs(['a', 'b'], seededRandom(1)), [['a', 'b'], ['b', 'a']]);
	t.is(selectPairs(names(FULL_MESH_LIMIT), seededRandom(1)).length, 90);
});

test('pairs: beyond ten nodes a ring plus random partners, linear in the node count', (t) => {
	for (const n of [11, 50, 1000]) {
		const pairs = selectPairs(names(n), seededRandom(7));
		t.is(pairs.length, n * 3, `${n} nodes`);
		const nodes = names(n);
		nodes.forEach((from, i) => t.true(pairs.some(([a, b]) => a === from && b === nodes[(i + 1) % n]), `ring ${from}`));
		t.false(pairs.some(([a, b]) => a === b));
		t.is(new Set(pairs.map((p) => p.join('>'))).size, pairs.length, 'no pair twice');
		const received = new Set(pairs.map(([, b]) => b));
		t.is(received.size, n, 'every node receives');
	}
	t.deepEqual(selectPairs(names(20), seededRandom(3)), selectPairs(names(20), seededRandom(3)), 'the same seed picks the same pairs');
});

test('objects: labelled namespace, echo DaemonSet pinned by digest on every node, Local traffic policies', (t) => {
	const ns = namespaceObject('kubestrap-check-abc123') as { metadata: { labels: Record<string, string> } };
	t.is(ns.metadata.labels['kubestrap.dev/check'], 'true');
	const ds = echoDaemonSet('kubestrap-check-abc123') as { spec: { template: { spec: { tolerations: unknown[]; containers: Array<{ image: string; args: string[] }> } } } };
	t.regex(CHECK_IMAGE, /^registry\.k8s\.io\/e2e-test-images\/agnhost:2\.53@sha256:[0-9a-f]{64}$/);
	t.is(ds.spec.template.spec.containers[0]!.image, CHECK_IMAGE);
	t.deepEqual(ds.spec.template.spec.tolerations, [{ operator: 'Exists' }]);
	t.deepEqual(ds.spec.template.spec.containers[0]!.args, ['netexec', '--http-port=8080', '--udp-port=-1']);
	const svc = echoService('ns', true) as { spec: Record<string, unknown> };
	t.like(svc.spec, { type: 'NodePort', internalTrafficPolicy: 'Local', externalTrafficPolicy: 'Local' });
	t.false('externalTrafficPolicy' in (echoService('ns', false) as { spec: Record<string, unknown> }).spec);
});

const probeOf = (over: Partial<Probe>): Probe => ({ id: 'same-node/a/a', path: 'same-node', from: 'a', to: 'a', target: '10.244.0.5:8080', how: 'connect', hostNetwork: false, ...over });

test('objects: the probe script runs agnhost connect and nslookup and refuses anything else', (t) => {
	const script = probeScript([probeOf({}), probeOf({ id: 'kubernetes-dns/a', path: 'kubernetes-dns', target: 'kubernetes.default', how: 'dns' })]);
	t.true(script.includes('\np same-node/a/a /agnhost connect --timeout=2s 10.244.0.5:8080\n'));
	t.true(script.includes('\np kubernetes-dns/a nslookup kubernetes.default\n'));
	t.true(script.endsWith('r "kubestrap-check done"'));
	t.throws(() => probeScript([probeOf({ target: '10.0.0.1:80; rm -rf /' })]), { message: /unsafe value/ });
	const pod = clientPod('ns', 'a', [probeOf({})], true, 60) as { spec: Record<string, unknown> };
	t.like(pod.spec, { nodeName: 'a', restartPolicy: 'Never', hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet', activeDeadlineSeconds: 60 });
});

test('objects: the probe script itself, run by sh with stand-ins for agnhost and nslookup', (t) => {
	const dir = mkdtempSync(join(tmpdir(), 'kubestrap-probe-'));
	// agnhost connect: exit 0 for port 80, else print TIMEOUT on stderr and exit 1 (as agnhost does).
	writeFileSync(join(dir, 'agnhost'), '#!/bin/sh\ncase "$3" in *:80) exit 0;; *) echo TIMEOUT >&2; exit 1;; esac\n', { mode: 0o755 });
	writeFileSync(join(dir, 'nslookup'), '#!/bin/sh\necho ";; connection timed out; no servers could be reached"\nexit 1\n', { mode: 0o755 });
	const script = probeScript([
		probeOf({ id: 'same-node/a/a', target: '10.244.0.5:80' }),
		probeOf({ id: 'cross-node/a/b', path: 'cross-node', to: 'b', target: '10.244.1.5:8080' }),
		probeOf({ id: 'kubernetes-dns/a', path: 'kubernetes-dns', to: undefined, target: 'kubernetes.default', how: 'dns' }),
	]).replaceAll('/agnhost', join(dir, 'agnhost')).replaceAll('/dev/termination-log', join(dir, 'termination-log'));
	const run = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8', env: { PATH: `${dir}:/usr/bin:/bin` } });
	t.is(run.status, 0);
	const expected = 'kubestrap-check same-node/a/a pass\nkubestrap-check cross-node/a/b fail TIMEOUT \nkubestrap-check kubernetes-dns/a fail ;; connection timed out; no servers could be reached \nkubestrap-check done\n';
	t.is(run.stdout, expected);
	t.is(readFileSync(join(dir, 'termination-log'), 'utf8'), expected);
	const parsed = parseResults(run.stdout);
	t.true(parsed.complete);
	t.deepEqual(parsed.results.get('cross-node/a/b'), { pass: false, detail: 'TIMEOUT' });
});

test('plan: probes per node with pairs, services, NodePort on the next node; missing echo pods leave empty targets', (t) => {
	const nodes = [{ name: 'a', address: '10.0.0.1' }, { name: 'b', address: '10.0.0.2' }, { name: 'c', address: '10.0.0.3' }];
	const plan = planProbes({ namespace: 'ns', nodes, echoIps: new Map([['a', '10.244.0.5'], ['b', '10.244.1.5']]), clusterIp: '10.96.0.20', nodePort: 31000 }, seededRandom(1));
	const a = plan[0]!;
	t.deepEqual(a.pod.map((p) => [p.id, p.target]), [
		['same-node/a/a', '10.244.0.5:8080'],
		['cross-node/a/b', '10.244.1.5:8080'],
		['cross-node/a/c', ''],
		['cluster-ip/a', '10.96.0.20:8080'],
		['service-dns/a', 'echo.ns.svc:8080'],
		['kubernetes-dns/a', 'kubernetes.default'],
		['node-port/a/b', '10.0.0.2:31000'],
	]);
	t.deepEqual(a.host.map((p) => [p.id, p.hostNetwork]), [['node-to-pod/a/b', true], ['node-to-pod/a/c', true]]);
	t.is(plan[2]!.pod.find((p) => p.path === 'node-port')!.to, 'a');
});

test('parse: nodes (last Ready condition counts), pods, Service, result lines', (t) => {
	const nodes = parseNodes(JSON.stringify({ kind: 'List', items: [
		{ metadata: { name: 'b' }, spec: { unschedulable: true }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.2' }], conditions: [{ type: 'Ready', status: 'True' }] } },
		{ metadata: { name: 'a' }, status: { addresses: [{ type: 'Hostname', address: 'a' }, { type: 'InternalIP', address: '10.0.0.1' }], conditions: [{ type: 'Ready', status: 'True' }, { type: 'Ready', status: 'False' }] } },
	] }));
	t.deepEqual(nodes, [{ name: 'a', address: '10.0.0.1', ready: false, schedulable: true }, { name: 'b', address: '10.0.0.2', ready: true, schedulable: false }]);
	const pods = parsePods(JSON.stringify({ kind: 'List', items: [{ metadata: { name: 'client-a', labels: { 'app.kubernetes.io/name': 'client' } }, spec: {}, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available' }] } }] }));
	t.is(pods[0]!.waiting, 'Unschedulable: 0/3 nodes are available');
	t.deepEqual(parseService(JSON.stringify({ spec: { clusterIP: '10.96.0.20', ports: [{ port: 8080, nodePort: 31000 }] } })), { clusterIp: '10.96.0.20', nodePort: 31000 });
	const parsed = parseResults('noise\nkubestrap-check same-node/a/a pass\nkubestrap-check cross-node/a/b fail TIMEOUT \nkubestrap-check done\n');
	t.deepEqual([...parsed.results], [['same-node/a/a', { pass: true, detail: '' }], ['cross-node/a/b', { pass: false, detail: 'TIMEOUT' }]]);
	t.true(parsed.complete);
	t.false(parseResults('kubestrap-check same-node/a/a pass\n').complete);
});

test('datapath from the cluster: cilium-config, calico-node pool settings', (t) => {
	t.like(datapathFromCluster(JSON.stringify({ data: { 'routing-mode': 'tunnel', 'tunnel-protocol': 'geneve', 'kube-proxy-replacement': 'true' } }), '', false), { cni: 'cilium', mode: 'geneve', kubeProxyReplacement: true });
	t.like(datapathFromCluster(JSON.stringify({ data: { 'routing-mode': 'native' } }), '', true), { cni: 'cilium', mode: 'native' });
	const calico = (ipip: string, vxlan: string): string => JSON.stringify({ spec: { template: { spec: { containers: [{ env: [{ name: 'CALICO_IPV4POOL_IPIP', value: ipip }, { name: 'CALICO_IPV4POOL_VXLAN', value: vxlan }] }] } } } });
	t.like(datapathFromCluster('', calico('Always', 'Never'), true), { cni: 'calico', mode: 'ipip', crossSubnet: false });
	t.like(datapathFromCluster('', calico('Never', 'CrossSubnet'), true), { cni: 'calico', mode: 'vxlan', crossSubnet: true });
	t.like(datapathFromCluster('', calico('Never', 'Never'), true), { cni: 'calico', mode: 'none' });
	t.is(datapathFromCluster('', '', true), undefined);
});

const dp = (over: Partial<Datapath>): Datapath => ({ cni: 'cilium', mode: 'vxlan', crossSubnet: false, kubeProxyReplacement: false, kubeProxy: true, target: 'baremetal', ...over });

test('transport: the port or protocol per CNI and datapath', (t) => {
	const table: Array<[Partial<Datapath>, RegExp]> = [
		[{ cni: 'cilium', mode: 'vxlan' }, /^UDP port 8472$/],
		[{ cni: 'cilium', mode: 'geneve' }, /^UDP port 6081$/],
		[{ cni: 'cilium', mode: 'native' }, /pod CIDR/],
		[{ cni: 'calico', mode: 'ipip' }, /IP protocol 4 \(IPIP\) and TCP port 179/],
		[{ cni: 'calico', mode: 'vxlan' }, /^UDP port 4789$/],
		[{ cni: 'calico', mode: 'none' }, /TCP port 179/],
	];
	for (const [over, allow] of table) t.regex(transport(dp(over)).allow, allow, JSON.stringify(over));
});

const result = (id: string, outcome: ProbeResult['outcome'], detail = ''): ProbeResult => {
	const [path, from, to] = id.split('/') as [Probe['path'], string, string | undefined];
	return { probe: { id, path, from, ...(to ? { to } : {}), target: 't', how: path === 'kubernetes-dns' ? 'dns' : 'connect', hostNetwork: path === 'node-to-pod' }, outcome, detail };
};

const addresses = new Map([['a', '10.0.0.1'], ['b', '10.0.0.2'], ['c', '10.0.0.3']]);
const healthy = ['same-node/a/a', 'same-node/b/b', 'same-node/c/c', 'cluster-ip/a', 'cluster-ip/b', 'service-dns/a', 'kubernetes-dns/a'];

test('causes: cross-node failures between one pair name the pair, the tunnel port and the fix', (t) => {
	const results = [...healthy.map((id) => result(id, 'pass')), result('cross-node/a/b', 'fail', 'TIMEOUT'), result('cross-node/b/a', 'fail', 'TIMEOUT'), result('node-to-pod/a/b', 'fail', 'TIMEOUT'), result('cross-node/a/c', 'pass')];
	const causes = mapCauses({ results, datapath: dp({}), addresses, stuck: [] });
	t.is(causes.length, 1);
	t.deepEqual(causes[0]!.nodes, ['a', 'b']);
	t.deepEqual(causes[0]!.paths, ['cross-node/a/b', 'cross-node/b/a', 'node-to-pod/a/b']);
	t.regex(causes[0]!.cause, /a \(10\.0\.0\.1\) and b \(10\.0\.0\.2\).*Cilium VXLAN tunnel.*UDP port 8472/);
	t.regex(causes[0]!.fix, /UDP port 8472 through between 10\.0\.0\.1 and 10\.0\.0\.2/);
});

test('causes: on AWS the fix is the security-group rule, and source/dest check for unencapsulated traffic', (t) => {
	const results = [result('same-node/a/a', 'pass'), result('same-node/b/b', 'pass'), result('cross-node/a/b', 'fail', 'TIMEOUT')];
	t.regex(mapCauses({ results, datapath: dp({ target: 'aws' }), addresses, stuck: [] })[0]!.fix, /security group.*--aws-fix-security-groups/);
	t.notRegex(mapCauses({ results, datapath: dp({ target: 'aws' }), addresses, stuck: [] })[0]!.fix, /source\/destination/);
	t.regex(mapCauses({ results, datapath: dp({ target: 'aws', mode: 'native' }), addresses, stuck: [] })[0]!.fix, /source\/destination check off.*--aws-fix-source-dest-check/);
});

const instance = (id: string, over: Partial<AwsNodeFacts> = {}): AwsNodeFacts => ({ instanceId: id, subnet: 'subnet-1', sourceDestCheck: false, securityGroups: ['sg-nodes'], ...over });
const vxlanRule: AwsMissingRule = {
	pair: ['a', 'b'], nodes: ['a', 'b'], traffic: '8472/udp', purpose: 'Cilium VXLAN', encapsulation: true, groupId: 'sg-nodes', source: 'sg-nodes',
	command: "aws ec2 authorize-security-group-ingress --region eu-west-1 --group-id sg-nodes --ip-permissions 'IpProtocol=udp,FromPort=8472,ToPort=8472,UserIdGroupPairs=[{GroupId=sg-nodes}]'",
};
const facts = (nodes: Record<string, AwsNodeFacts>, missing: AwsMissingRule[] = [], checked = ['8472/udp (Cilium VXLAN)']): AwsFacts => ({ region: 'eu-west-1', nodes: new Map(Object.entries(nodes)), missing, checked });

test('causes on AWS from EC2\'s data: the missing security-group rule, the instance with source/dest check on, or what is left', (t) => {
	const results = [result('same-node/a/a', 'pass'), result('same-node/b/b', 'pass'), result('cross-node/a/b', 'fail', 'TIMEOUT'), result('cross-node/b/a', 'fail', 'TIMEOUT')];
	const aws = dp({ target: 'aws' });
	const table: Array<[string, Partial<Datapath>, AwsFacts, RegExp, RegExp]> = [
		['VXLAN without the rule', {}, facts({ a: instance('i-a'), b: instance('i-b') }, [vxlanRule]),
			/blocked \(UDP port 8472\); in EC2: security group sg-nodes of i-a \(a\) and i-b \(b\) does not let 8472\/udp \(Cilium VXLAN\) in from sg-nodes$/,
			/^add the rule: aws ec2 authorize-security-group-ingress --region eu-west-1 --group-id sg-nodes --ip-permissions 'IpProtocol=udp,FromPort=8472,ToPort=8472,UserIdGroupPairs=\[\{GroupId=sg-nodes\}\]' \(kubestrap install --aws-fix-security-groups makes this change\)$/],
		['native routing, source/dest check on one instance', { mode: 'native' }, facts({ a: instance('i-a', { sourceDestCheck: true }), b: instance('i-b') }),
			/in EC2: source\/destination check is on for i-a \(a\), so EC2 drops pod traffic that is not addressed to the instance itself$/,
			/^turn the check off: aws ec2 modify-instance-attribute --region eu-west-1 --instance-id i-a --no-source-dest-check \(kubestrap install --aws-fix-source-dest-check makes this change\)$/],
		['Calico cross-subnet within one subnet: source/dest check, not the IPIP rule', { cni: 'calico', mode: 'ipip', crossSubnet: true },
			facts({ a: instance('i-a', { sourceDestCheck: true }), b: instance('i-b', { sourceDestCheck: true }) }, [{ ...vxlanRule, traffic: 'IP protocol 4 (IP-in-IP)', purpose: 'Calico IP-in-IP' }]),
			/source\/destination check is on for i-a \(a\) and i-b \(b\) \(both in subnet-1, where Calico cross-subnet sends pod traffic unencapsulated\)/,
			/--instance-id i-a --no-source-dest-check; turn the check off: .*--instance-id i-b /],
		['Calico cross-subnet between subnets: the IPIP rule, not source/dest check', { cni: 'calico', mode: 'ipip', crossSubnet: true },
			facts({ a: instance('i-a', { sourceDestCheck: true }), b: instance('i-b', { sourceDestCheck: true, subnet: 'subnet-2' }) }, [{ ...vxlanRule, nodes: ['b'], traffic: 'IP protocol 4 (IP-in-IP)', purpose: 'Calico IP-in-IP' }]),
			/in EC2: security group sg-nodes of i-b \(b\) does not let IP protocol 4 \(IP-in-IP\) \(Calico IP-in-IP\) in from sg-nodes$/,
			/^add the rule: aws ec2 authorize-security-group-ingress/],
		['EC2 lets it through', {}, facts({ a: instance('i-a'), b: instance('i-b', { subnet: 'subnet-2', securityGroups: ['sg-nodes', 'sg-web'] }) }),
			/EC2 lets it through \(security groups sg-nodes, sg-web admit 8472\/udp \(Cilium VXLAN\) between the two instances\), so it is dropped after EC2: a network ACL or a host firewall$/,
			/network ACLs of subnet-1 and subnet-2 and in the host firewalls of both nodes$/],
		['native routing with the check off: no claim about pod addresses in the groups', { mode: 'native' }, facts({ a: instance('i-a'), b: instance('i-b') }, [], []),
			/in EC2: source\/destination check is off on both instances; pod traffic between them carries pod addresses, which the security groups \(sg-nodes\) and network ACLs must admit$/,
			/in security groups sg-nodes, in the network ACLs of subnet-1/],
		['a node without its instance', {}, facts({ a: instance('i-a') }, [vxlanRule]),
			/; b \(10\.0\.0\.2\) matches none of the instances spec\.aws finds/,
			/from the cluster's own security group.*--aws-fix-security-groups/],
	];
	for (const [what, over, awsFacts, cause, fix] of table) {
		const causes = mapCauses({ results, datapath: { ...aws, ...over }, addresses, stuck: [], aws: awsFacts });
		t.is(causes.length, 1, what);
		t.regex(causes[0]!.cause, cause, what);
		t.regex(causes[0]!.fix, fix, what);
	}
	// The rules of another pair are not this pair's.
	const other = mapCauses({ results, datapath: aws, addresses, stuck: [], aws: facts({ a: instance('i-a'), b: instance('i-b') }, [{ ...vxlanRule, pair: ['a', 'c'] }]) });
	t.regex(other[0]!.cause, /EC2 lets it through/);
	// Without EC2's data (a baremetal datapath, or no facts) the text stays the general one.
	t.notRegex(mapCauses({ results, datapath: dp({}), addresses, stuck: [], aws: facts({ a: instance('i-a'), b: instance('i-b') }, [vxlanRule]) })[0]!.cause, /EC2/);
});

test('causes: service, DNS, node-local, node-to-pod only, and pods stuck in ENI mode', (t) => {
	const table: Array<[string, ProbeResult[], Partial<Datapath>, RegExp]> = [
		['ClusterIP with kube-proxy', [result('same-node/a/a', 'pass'), result('cluster-ip/a', 'fail', 'TIMEOUT')], {}, /kube-proxy/],
		['ClusterIP with the replacement', [result('same-node/a/a', 'pass'), result('cluster-ip/a', 'fail', 'TIMEOUT')], { kubeProxyReplacement: true, kubeProxy: false }, /kube-proxy replacement/],
		['DNS', [result('cluster-ip/a', 'pass'), result('kubernetes-dns/a', 'fail', ';; connection timed out; no servers could be reached'), result('service-dns/a', 'fail', 'DNS: lookup echo.ns.svc on 10.96.0.10:53: i/o timeout')], {}, /CoreDNS/],
		['same node', [result('same-node/a/a', 'fail', 'TIMEOUT'), result('cross-node/a/b', 'fail', 'TIMEOUT')], {}, /cilium agent/],
		['node-to-pod only', [result('cross-node/a/b', 'pass'), result('node-to-pod/a/b', 'fail', 'TIMEOUT')], { mode: 'native' }, /host firewall.*auto-direct-node-routes/],
	];
	for (const [what, results, over, cause] of table) {
		const causes = mapCauses({ results, datapath: dp(over), addresses, stuck: [] });
		t.is(causes.length, 1, what);
		t.regex(causes[0]!.cause, cause, what);
	}
	const eni = mapCauses({ results: [result('same-node/a/a', 'pending')], datapath: dp({ ipam: 'eni', mode: 'native', target: 'aws' }), addresses, stuck: [{ pod: 'echo-x', node: 'a', reason: 'ContainerCreating: failed to assign an IP address to container' }] });
	t.regex(eni[0]!.cause, /out of ENI addresses/);
	t.deepEqual(eni[0]!.paths, ['same-node/a/a']);
});

test('report: stable JSON shape and the grid', (t) => {
	const nodes = [{ name: 'a', address: '10.0.0.1' }, { name: 'b', address: '10.0.0.2' }];
	const results = [result('same-node/a/a', 'pass'), result('cross-node/a/b', 'fail', 'TIMEOUT'), result('same-node/b/b', 'pass'), result('cross-node/b/a', 'pass'), result('cluster-ip/a', 'pending', 'no target')];
	const causes = mapCauses({ results, datapath: dp({}), addresses, stuck: [] });
	const report = buildReport({ namespace: 'ns', durationMs: 1234, datapath: dp({}), nodes, results, causes });
	t.deepEqual(Object.keys(report), ['version', 'result', 'namespace', 'durationMs', 'datapath', 'nodes', 'paths', 'causes']);
	t.is(report.result, 'fail');
	t.like(report.paths[1], { id: 'cross-node/a/b', path: 'cross-node', from: 'a', to: 'b', result: 'fail', detail: 'TIMEOUT' });
	t.regex(report.paths[1]!.fix ?? '', /8472/);
	t.like(report.paths[4], { result: 'not-run' });
	t.deepEqual(gridLines(nodes, results), [
		'from \\ to 1  2  | same svc-ip',
		'1 a       ·  ✗  | ✓    …',
		'2 b       ✓  ·  | ✓    ·',
	]);
});
