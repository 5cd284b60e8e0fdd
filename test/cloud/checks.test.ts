// checkAws against a mocked EC2: VPCs, CIDR overlap, control-plane counts, source/destination check per
// CNI mode, security groups per CNI (the exact rule to add), and ENI mode (instance profile, maxPods).
import { DescribeInstanceTypesCommand, DescribeSecurityGroupsCommand, DescribeVpcsCommand, type IpPermission } from '@aws-sdk/client-ec2';
import test from 'ava';
import { checkAws } from '../../source/cloud/checks.js';
import { instanceRow, type InstanceRow } from '../../source/cloud/discover.js';
import type { Cluster } from '../../source/spec/types.js';
import { calicoNodeEnvOf, cniChange, configMapFrom, encapsulationProblems } from '../../source/cluster/cni/change.js';
import { renderManifests } from '../../source/cluster/render.js';
import { awsCluster, callOptions, instance, mockedEc2, selfAll, type InstanceSpec } from './_ec2.js';

function rows(...specs: InstanceSpec[]): InstanceRow[] {
	return specs.map((spec) => instanceRow(instance(spec)));
}

const CP = { id: 'i-000000000000000c1', role: 'control-plane', privateIp: '10.0.1.10' };
const W1 = { id: 'i-000000000000000a1', privateIp: '10.0.1.11' };
const W2 = { id: 'i-000000000000000a2', privateIp: '10.0.2.12', subnet: 'subnet-2' };

async function check(cluster: Cluster, instances: InstanceRow[], permissions: Record<string, IpPermission[]> = { 'sg-nodes': [selfAll('sg-nodes')] }, vpcCidrs = ['10.0.0.0/16']) {
	const { client, mock } = mockedEc2();
	mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1', CidrBlock: vpcCidrs[0], CidrBlockAssociationSet: vpcCidrs.map((c) => ({ CidrBlock: c, CidrBlockState: { State: 'associated' } })) }] });
	mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: Object.entries(permissions).map(([id, perms]) => ({ GroupId: id, IpPermissions: perms })) });
	mock.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [
		{ InstanceType: 't3.medium', NetworkInfo: { MaximumNetworkInterfaces: 3, Ipv4AddressesPerInterface: 6 }, VCpuInfo: { DefaultVCpus: 2 } },
		{ InstanceType: 'm5.large', NetworkInfo: { MaximumNetworkInterfaces: 3, Ipv4AddressesPerInterface: 10 }, VCpuInfo: { DefaultVCpus: 2 } },
	] });
	const result = await checkAws(client, cluster, instances, callOptions());
	return { result, mock };
}

test('a cluster group that allows everything between nodes: no problems', async (t) => {
	for (const cluster of [awsCluster(), awsCluster({ cni: 'calico' }), awsCluster({ cni: 'calico', calico: { encapsulation: 'vxlan' } })]) {
		const { result } = await check(cluster, rows(CP, W1, W2));
		t.deepEqual(result.problems, []);
		t.deepEqual(result.warnings, []);
	}
});

test('instances in two VPCs: one problem naming both, nothing else is asked of EC2', async (t) => {
	const { result, mock } = await check(awsCluster(), rows(CP, { ...W1, vpc: 'vpc-2' }, W2));
	t.deepEqual(result.problems, [{ path: 'spec.aws.instanceTags', message: 'the instances are in 2 VPCs (vpc-1: i-000000000000000c1, i-000000000000000a2; vpc-2: i-000000000000000a1); a cluster\'s nodes must share one VPC, so choose instances from one of them' }]);
	t.is(mock.calls().length, 0);
});

test('pod or service subnet overlapping a VPC CIDR (secondary CIDRs too), with a free range suggested', async (t) => {
	const { result } = await check(awsCluster({ kubernetes: { podSubnet: '10.0.0.0/16', serviceSubnet: '100.64.0.0/16' } }), rows(CP, W1), undefined, ['10.0.0.0/16', '100.64.0.0/16']);
	t.deepEqual(result.problems, [
		{ path: 'spec.kubernetes.podSubnet', message: '10.0.0.0/16 overlaps 10.0.0.0/16 of vpc-1, the instances\' VPC; pod addresses must be outside the VPC, e.g. 10.244.0.0/16' },
		{ path: 'spec.kubernetes.serviceSubnet', message: '100.64.0.0/16 overlaps 100.64.0.0/16 of vpc-1, the instances\' VPC; Service addresses must be outside the VPC, e.g. 10.96.0.0/12' },
	]);
});

test('control-plane count from the role tags: none, an even number, several without an endpoint', async (t) => {
	const none = await check(awsCluster(), rows(W1, W2));
	t.deepEqual(none.result.problems.map((p) => p.path), ['spec.aws.instanceTags']);
	t.regex(none.result.problems[0]!.message, /^none of the 2 instances is tagged kubestrap\.dev\/role=control-plane; tag one: aws ec2 create-tags --region eu-west-1 --resources i-000000000000000a1 --tags Key=kubestrap\.dev\/role,Value=control-plane$/);
	const two = await check(awsCluster(), rows(CP, { ...W1, role: 'control-plane' }, W2));
	t.deepEqual(two.result.problems, [
		{ path: 'spec.aws.instanceTags', message: '2 instances are tagged kubestrap.dev/role=control-plane; use an odd number (1, 3, 5) so etcd keeps a quorum' },
		{ path: 'spec.kubernetes.controlPlaneEndpoint', message: 'required with 2 control-plane instances: a load balancer or DNS name (host[:port]) in front of their API servers' },
	]);
});

test('source/destination check: needed off for Calico none and crossSubnet and Cilium native routing, not for IPIP, VXLAN, overlay Cilium or ENI', async (t) => {
	const on = rows(CP, W1, { ...W2, sourceDestCheck: false });
	const table: Array<[Cluster, string | undefined]> = [
		[awsCluster({ cni: 'calico', calico: { encapsulation: 'none' } }), 'spec.network.calico.encapsulation'],
		[awsCluster({ cni: 'calico', calico: { encapsulation: 'ipip', crossSubnet: true } }), 'spec.network.calico.crossSubnet'],
		[awsCluster({ cni: 'calico', calico: { encapsulation: 'vxlan', crossSubnet: true } }), 'spec.network.calico.crossSubnet'],
		[awsCluster({ cilium: { tunnel: 'disabled', disableMasquerade: true } }), 'spec.network.cilium.tunnel'],
		[awsCluster({ cni: 'calico', calico: { encapsulation: 'ipip' } }), undefined],
		[awsCluster({ cni: 'calico', calico: { encapsulation: 'vxlan' } }), undefined],
		[awsCluster(), undefined],
		[awsCluster({ cilium: { ipam: 'eni' } }), undefined],
	];
	for (const [cluster, path] of table) {
		const { result } = await check(cluster, on);
		const found = result.problems.filter((p) => p.fix?.kind === 'source-dest-check');
		if (path === undefined) {
			t.deepEqual(found, [], JSON.stringify(cluster.spec.network));
			continue;
		}
		t.is(found.length, 1, path);
		t.is(found[0]!.path, path);
		t.deepEqual(found[0]!.fix, { kind: 'source-dest-check', instanceIds: ['i-000000000000000c1', 'i-000000000000000a1'] }, 'only the instances that still have it on');
	}
	const { result } = await check(awsCluster({ cni: 'calico', calico: { encapsulation: 'none' } }), on);
	t.is(result.problems[0]!.message, '"none" sends pod traffic between nodes unencapsulated, and EC2 drops packets with addresses that are not the instance\'s own while source/destination check is on, as it is on i-000000000000000c1, i-000000000000000a1. '
		+ 'Run with --aws-fix-source-dest-check to turn it off, or: aws ec2 modify-instance-attribute --region eu-west-1 --instance-id i-000000000000000c1 --no-source-dest-check; aws ec2 modify-instance-attribute --region eu-west-1 --instance-id i-000000000000000a1 --no-source-dest-check');
	const off = await check(awsCluster({ cni: 'calico', calico: { encapsulation: 'none' } }), rows({ ...CP, sourceDestCheck: false }, { ...W1, sourceDestCheck: false }));
	t.deepEqual(off.result.problems, []);
});

const KUBE = [
	{ IpProtocol: 'tcp', FromPort: 6443, ToPort: 6443, UserIdGroupPairs: [{ GroupId: 'sg-nodes' }] },
	{ IpProtocol: 'tcp', FromPort: 10250, ToPort: 10250, UserIdGroupPairs: [{ GroupId: 'sg-nodes' }] },
];

function missing(result: Awaited<ReturnType<typeof check>>['result']): string[] {
	return result.problems.filter((p) => p.fix?.kind === 'security-group-ingress').map((p) => `${p.path}: ${p.message.split(' Run with')[0]}`);
}

test('security groups, Cilium: VXLAN 8472/udp or Geneve 6081/udp and health 4240/tcp, listed as the exact rule to add', async (t) => {
	const vxlan = await check(awsCluster(), rows(CP, W1, W2), { 'sg-nodes': KUBE });
	t.deepEqual(missing(vxlan.result), [
		'spec.network.cilium.tunnel: Cilium VXLAN needs 8472/udp from every node to every node, and security group sg-nodes of i-000000000000000c1, i-000000000000000a1, i-000000000000000a2 does not let it in.',
		'spec.network.cni: cilium-health needs 4240/tcp from every node to every node, and security group sg-nodes of i-000000000000000c1, i-000000000000000a1, i-000000000000000a2 does not let it in.',
	]);
	t.regex(vxlan.result.problems[0]!.message, / Run with --aws-fix-security-groups to add the rule, or: aws ec2 authorize-security-group-ingress --region eu-west-1 --group-id sg-nodes --ip-permissions 'IpProtocol=udp,FromPort=8472,ToPort=8472,UserIdGroupPairs=\[\{GroupId=sg-nodes\}\]'$/);
	const geneve = await check(awsCluster({ cilium: { tunnel: 'geneve' } }), rows(CP, W1), { 'sg-nodes': [...KUBE, { IpProtocol: 'tcp', FromPort: 4000, ToPort: 4300, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] });
	t.deepEqual(missing(geneve.result), ['spec.network.cilium.tunnel: Cilium Geneve needs 6081/udp from every node to every node, and security group sg-nodes of i-000000000000000c1, i-000000000000000a1 does not let it in.']);
	const eni = await check(awsCluster({ cilium: { ipam: 'eni' } }), rows({ ...CP, profile: 'arn:p' }, W1), { 'sg-nodes': [...KUBE, { IpProtocol: 'tcp', FromPort: 4240, ToPort: 4240, UserIdGroupPairs: [{ GroupId: 'sg-nodes' }] }] });
	t.deepEqual(missing(eni.result), [], 'ENI routes natively: no tunnel port');
});

test('security groups, Calico: BGP 179/tcp with IPIP (protocol 4) or unencapsulated, VXLAN 4789/udp without BGP', async (t) => {
	const ipip = await check(awsCluster({ cni: 'calico' }), rows(CP, W1), { 'sg-nodes': KUBE });
	t.deepEqual(missing(ipip.result), [
		'spec.network.calico.encapsulation: Calico BGP (BIRD) needs 179/tcp from every node to every node, and security group sg-nodes of i-000000000000000c1, i-000000000000000a1 does not let it in.',
		'spec.network.calico.encapsulation: Calico IP-in-IP needs IP protocol 4 (IP-in-IP) from every node to every node, and security group sg-nodes of i-000000000000000c1, i-000000000000000a1 does not let it in.',
	]);
	t.regex(ipip.result.problems[1]!.message, /--ip-permissions 'IpProtocol=4,UserIdGroupPairs=\[\{GroupId=sg-nodes\}\]'$/);
	const allowed = await check(awsCluster({ cni: 'calico' }), rows(CP, W1), { 'sg-nodes': [...KUBE, { IpProtocol: '4', UserIdGroupPairs: [{ GroupId: 'sg-nodes' }] }, { IpProtocol: '6', FromPort: 179, ToPort: 179, UserIdGroupPairs: [{ GroupId: 'sg-nodes' }] }] });
	t.deepEqual(missing(allowed.result), [], 'protocol numbers count as their names');
	const vxlan = await check(awsCluster({ cni: 'calico', calico: { encapsulation: 'vxlan' } }), rows(CP, W1), { 'sg-nodes': KUBE });
	t.deepEqual(missing(vxlan.result), ['spec.network.calico.encapsulation: Calico VXLAN needs 4789/udp from every node to every node, and security group sg-nodes of i-000000000000000c1, i-000000000000000a1 does not let it in.']);
});

test('security groups, Kubernetes: 6443 into control planes from every node, 10250 from control planes; CIDR rules count; separate groups get /32 sources', async (t) => {
	const separate = rows({ ...CP, groups: ['sg-cp'] }, { ...W1, groups: ['sg-w'] }, { ...W2, groups: ['sg-w'] });
	const { result } = await check(awsCluster(), separate, { 'sg-cp': [selfAll('sg-cp'), { IpProtocol: 'tcp', FromPort: 6443, ToPort: 6443, IpRanges: [{ CidrIp: '10.0.1.0/24' }] }], 'sg-w': [selfAll('sg-w')] });
	const kube = result.problems.filter((p) => p.path === 'spec.target');
	t.deepEqual(kube.map((p) => p.message.split(' Run with')[0]), [
		'the Kubernetes API server needs 6443/tcp from every node to the control planes, and security group sg-cp of i-000000000000000c1 does not let it in.',
		'the kubelet API needs 10250/tcp from the control planes to every node, and security group sg-w of i-000000000000000a1, i-000000000000000a2 does not let it in.',
	]);
	t.deepEqual(kube[0]!.fix, { kind: 'security-group-ingress', rule: { groupId: 'sg-cp', protocol: 'tcp', ports: [6443, 6443], source: { groupId: 'sg-w' }, description: 'kubestrap: the Kubernetes API server' } }, 'only W2 (10.0.2.12) is outside the CIDR rule');
	t.deepEqual(kube[1]!.fix, { kind: 'security-group-ingress', rule: { groupId: 'sg-w', protocol: 'tcp', ports: [10250, 10250], source: { groupId: 'sg-cp' }, description: 'kubestrap: the kubelet API' } });
	const mixed = await check(awsCluster(), rows({ ...CP, groups: ['sg-a'] }, { ...W1, groups: ['sg-b'] }, { ...W2, groups: ['sg-c'] }), { 'sg-a': [], 'sg-b': [], 'sg-c': [] });
	const api = mixed.result.problems.find((p) => p.message.startsWith('the Kubernetes API server'));
	t.deepEqual(api?.fix, { kind: 'security-group-ingress', rule: { groupId: 'sg-a', protocol: 'tcp', ports: [6443, 6443], source: { cidrs: ['10.0.1.11/32', '10.0.2.12/32'] }, description: 'kubestrap: the Kubernetes API server' } });
	t.regex(api?.message ?? '', /IpRanges=\[\{CidrIp=10\.0\.1\.11\/32\},\{CidrIp=10\.0\.2\.12\/32\}\]'$/);
});

test('one instance: no traffic between nodes to check', async (t) => {
	const { result, mock } = await check(awsCluster(), rows(CP), { 'sg-nodes': [] });
	t.deepEqual(result.problems, []);
	t.is(mock.commandCalls(DescribeSecurityGroupsCommand).length, 0);
});

test('ENI mode: a control plane without an instance profile is a warning with the fix; maxPods per instance type', async (t) => {
	const { result } = await check(awsCluster({ cilium: { ipam: 'eni' } }), rows(CP, { ...W1, type: 'm5.large' }, { ...W2, type: 'c9.unknown' }));
	t.deepEqual(result.problems, []);
	t.deepEqual(result.warnings, [
		{ path: 'spec.network.cilium.ipam', message: 'control-plane instance i-000000000000000c1 has no IAM instance profile; cilium-operator runs there in ENI mode and needs the policy `kubestrap aws iam-policy` prints. Create a role with it and attach its profile: aws ec2 associate-iam-instance-profile --region eu-west-1 --instance-id i-000000000000000c1 --iam-instance-profile Name=PROFILE' },
		{ path: 'spec.network.cilium.ipam', message: 'DescribeInstanceTypes does not know c9.unknown of i-000000000000000a2; kubelet keeps its default maxPods (110), which may exceed the addresses its ENIs can hold' },
	]);
	t.deepEqual([...result.maxPods], [['i-000000000000000c1', 17], ['i-000000000000000a1', 29]]);
	t.deepEqual(result.notes, ['maxPods 17 on t3.medium (3 ENIs × 6 IPv4 addresses): i-000000000000000c1', 'maxPods 29 on m5.large (3 ENIs × 10 IPv4 addresses): i-000000000000000a1']);
	const withProfile = await check(awsCluster({ cilium: { ipam: 'eni' } }), rows({ ...CP, profile: 'arn:aws:iam::1:instance-profile/cp' }, W1));
	t.deepEqual(withProfile.result.warnings, []);
	const notEni = await check(awsCluster(), rows(CP, W1));
	t.is(notEni.mock.commandCalls(DescribeInstanceTypesCommand).length, 0);
	t.is(notEni.result.maxPods.size, 0);
});

test('security groups: each target group gets the group its blocked peers share as the source, not their /32s', async (t) => {
	const split = rows({ ...CP, groups: ['sg-cp'] }, { ...W1, groups: ['sg-w'] }, { ...W2, groups: ['sg-w'] });
	const { result } = await check(awsCluster({ cni: 'calico', calico: { encapsulation: 'vxlan' } }), split, { 'sg-cp': [selfAll('sg-cp'), ...KUBE.map((p) => ({ ...p, UserIdGroupPairs: [{ GroupId: 'sg-w' }] }))], 'sg-w': [selfAll('sg-w'), { IpProtocol: 'tcp', FromPort: 10250, ToPort: 10250, UserIdGroupPairs: [{ GroupId: 'sg-cp' }] }] });
	t.deepEqual(result.problems.map((p) => p.fix), [
		{ kind: 'security-group-ingress', rule: { groupId: 'sg-cp', protocol: 'udp', ports: [4789, 4789], source: { groupId: 'sg-w' }, description: 'kubestrap: Calico VXLAN' } },
		{ kind: 'security-group-ingress', rule: { groupId: 'sg-w', protocol: 'udp', ports: [4789, 4789], source: { groupId: 'sg-cp' }, description: 'kubestrap: Calico VXLAN' } },
	]);
});

test('a live Calico encapsulation change meets the checks a first install of the new spec would: a group without 4789/udp refuses ipip → vxlan', async (t) => {
	const ipipGroup = { 'sg-nodes': [...KUBE, { IpProtocol: '4', UserIdGroupPairs: [{ GroupId: 'sg-nodes' }] }, { IpProtocol: 'tcp', FromPort: 179, ToPort: 179, UserIdGroupPairs: [{ GroupId: 'sg-nodes' }] }] };
	const running = awsCluster({ cni: 'calico' });
	const wanted = awsCluster({ cni: 'calico', calico: { encapsulation: 'vxlan' } });
	t.deepEqual((await check(running, rows(CP, W1), ipipGroup)).result.problems, [], 'the running IP-in-IP cluster passes');
	const found = (await check(wanted, rows(CP, W1), ipipGroup)).result.problems;
	const objects = (cluster: Cluster) => renderManifests(cluster).documents;
	const live = { calicoConfig: configMapFrom(objects(running), 'calico-config')!, calicoNodeEnv: calicoNodeEnvOf(objects(running)), ipPools: [{ name: 'default-ipv4-ippool', cidr: running.spec.kubernetes.podSubnet, ipipMode: 'Always', vxlanMode: 'Never' }] };
	const change = cniChange('calico', live, objects(wanted));
	t.truthy(change.pool);
	const refused = encapsulationProblems(change, found);
	t.is(refused.length, 1);
	t.regex(refused[0]!, /^spec\.network\.calico\.encapsulation: Calico VXLAN needs 4789\/udp from every node to every node, and security group sg-nodes .* does not let it in\. Run with --aws-fix-security-groups/);
	// Without a pool change (an MTU change), the same findings refuse nothing here: the upgrade only warns about them.
	t.deepEqual(encapsulationProblems(cniChange('calico', live, objects(awsCluster({ cni: 'calico', calico: { mtu: 8981 } }))), found), []);
});
