// EC2's side of a failed network check on AWS, with the mocked EC2 client: which instance a node is,
// and the security-group rules missing for the CNI's traffic between the instances of a failed pair.
import { DescribeInstancesCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import test from 'ava';
import { awsNetworkFacts, matchInstance } from '../../source/cloud/network-facts.js';
import { instanceRow } from '../../source/cloud/discover.js';
import { awsCluster, callOptions, instance, mockedEc2, reservations, selfAll } from './_ec2.js';

const nodes = [
	{ name: 'cp-1', address: '10.0.1.10' },
	{ name: 'w-1', address: '10.0.1.11' },
	{ name: 'ip-10-0-2-12', address: '192.0.2.1' },
	{ name: 'elsewhere', address: '10.9.9.9' },
];
const instances = [
	instance({ id: 'i-0000000000000000a', role: 'control-plane', privateIp: '10.0.1.10', sourceDestCheck: false }),
	instance({ id: 'i-0000000000000000b', privateIp: '10.0.1.11', groups: ['sg-nodes', 'sg-workers'] }),
	instance({ id: 'i-0000000000000000c', privateIp: '10.0.2.12', subnet: 'subnet-2' }),
];
const tcpOnly = { IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, UserIdGroupPairs: [{ GroupId: 'sg-nodes' }] };

test('instances by private IP, then by private DNS name; a node with neither has none', (t) => {
	const rows = instances.map(instanceRow);
	t.is(matchInstance(nodes[0]!, rows)?.id, 'i-0000000000000000a');
	t.is(matchInstance(nodes[2]!, rows)?.id, 'i-0000000000000000c', 'kubeadm names nodes by the instance\'s hostname');
	t.is(matchInstance(nodes[3]!, rows), undefined);
});

test('Cilium VXLAN: the missing 8472/udp rule between the two instances, with the command that adds it', async (t) => {
	const { client, mock } = mockedEc2();
	mock.on(DescribeInstancesCommand).resolves(reservations(...instances));
	mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-nodes', IpPermissions: [tcpOnly] }, { GroupId: 'sg-workers', IpPermissions: [] }] });
	const facts = await awsNetworkFacts(client, awsCluster({ cilium: { tunnel: 'vxlan' } }), nodes, [['w-1', 'cp-1']], callOptions());
	t.is(facts.region, 'eu-west-1');
	t.deepEqual(facts.checked, ['8472/udp (Cilium VXLAN)']);
	t.deepEqual([...facts.nodes.keys()], ['cp-1', 'w-1', 'ip-10-0-2-12']);
	t.like(facts.nodes.get('cp-1'), { instanceId: 'i-0000000000000000a', subnet: 'subnet-1', sourceDestCheck: false, securityGroups: ['sg-nodes'] });
	t.is(facts.nodes.get('w-1')?.sourceDestCheck, true);
	t.deepEqual(facts.missing, [{
		pair: ['cp-1', 'w-1'], nodes: ['w-1', 'cp-1'], traffic: '8472/udp', purpose: 'Cilium VXLAN', encapsulation: true, groupId: 'sg-nodes', source: 'sg-nodes',
		command: "aws ec2 authorize-security-group-ingress --region eu-west-1 --group-id sg-nodes --ip-permissions 'IpProtocol=udp,FromPort=8472,ToPort=8472,UserIdGroupPairs=[{GroupId=sg-nodes}]'",
	}]);
	// Only the groups of the failed pair's instances are read.
	t.deepEqual(mock.commandCalls(DescribeSecurityGroupsCommand)[0]!.args[0].input.GroupIds, ['sg-nodes', 'sg-workers']);
});

test('Calico IPIP: protocol 4 named when the groups let only TCP in (BGP passes); nothing when the group admits all from itself', async (t) => {
	const { client, mock } = mockedEc2();
	mock.on(DescribeInstancesCommand).resolves(reservations(...instances));
	mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-nodes', IpPermissions: [tcpOnly] }, { GroupId: 'sg-workers', IpPermissions: [] }] });
	const facts = await awsNetworkFacts(client, awsCluster({ cni: 'calico', calico: { encapsulation: 'ipip' } }), nodes, [['cp-1', 'w-1']], callOptions());
	t.deepEqual(facts.checked, ['179/tcp (Calico BGP (BIRD))', 'IP protocol 4 (IP-in-IP) (Calico IP-in-IP)']);
	t.deepEqual(facts.missing.map((m) => [m.purpose, m.traffic, m.encapsulation, m.nodes.join(',')]), [['Calico IP-in-IP', 'IP protocol 4 (IP-in-IP)', true, 'cp-1,w-1']]);
	mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-nodes', IpPermissions: [selfAll('sg-nodes')] }, { GroupId: 'sg-workers', IpPermissions: [] }] });
	const open = await awsNetworkFacts(client, awsCluster({ cni: 'calico', calico: { encapsulation: 'ipip' } }), nodes, [['cp-1', 'w-1']], callOptions());
	t.deepEqual(open.missing, [], 'sg-nodes lets everything in from itself');
});

test('pairs with a node EC2 does not know are not asked about, and no group is read for them', async (t) => {
	const { client, mock } = mockedEc2();
	mock.on(DescribeInstancesCommand).resolves(reservations(...instances));
	const facts = await awsNetworkFacts(client, awsCluster(), nodes, [['cp-1', 'elsewhere']], callOptions());
	t.deepEqual(facts.missing, []);
	const eni = await awsNetworkFacts(client, awsCluster({ cilium: { ipam: 'eni', tunnel: 'disabled', disableMasquerade: true } }), nodes, [['cp-1', 'elsewhere']], callOptions());
	t.deepEqual(eni.checked, [], 'no tunnel: no CNI traffic a group rule describes');
	t.false(facts.nodes.has('elsewhere'));
	t.is(mock.commandCalls(DescribeSecurityGroupsCommand).length, 0);
});
