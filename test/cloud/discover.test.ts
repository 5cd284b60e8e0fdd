// Instance discovery against a mocked EC2 (aws-sdk-client-mock): by IDs, by tags, paginated, and every
// problem that must stop an install before SSH, each with its config path and fix.
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import test from 'ava';
import { discoverInstances, hostsFromInstances, nodeName } from '../../source/cloud/discover.js';
import type { AwsSpec } from '../../source/spec/types.js';
import { callOptions, instance, mockedEc2, reservations } from './_ec2.js';

const byIds = (...ids: string[]): AwsSpec => ({ region: 'eu-west-1', instanceIds: ids, instanceTags: {}, addressType: 'public' });
const byTags = (tags: Record<string, string>, addressType: AwsSpec['addressType'] = 'public'): AwsSpec => ({ region: 'eu-west-1', instanceIds: [], instanceTags: tags, addressType });

test('by instance IDs: a filter (not InstanceIds, which fails on the first unknown ID), rows in the listed order', async (t) => {
	const { client, mock } = mockedEc2();
	mock.on(DescribeInstancesCommand).resolves(reservations(
		instance({ id: 'i-0000000000000000b', role: 'worker', name: 'w1' }),
		instance({ id: 'i-0000000000000000a', role: 'control-plane', name: 'cp1', profile: 'arn:aws:iam::1:instance-profile/cp' }),
	));
	const found = await discoverInstances(client, byIds('i-0000000000000000a', 'i-0000000000000000b'), callOptions());
	t.deepEqual(found.problems, []);
	t.deepEqual(found.instances.map((r) => [r.id, r.role, r.name]), [['i-0000000000000000a', 'control-plane', 'cp1'], ['i-0000000000000000b', 'worker', 'w1']]);
	const row = found.instances[0]!;
	t.like(row, { type: 't3.medium', az: 'eu-west-1a', subnet: 'subnet-1', vpc: 'vpc-1', privateIp: '10.0.1.12', publicIp: '198.51.100.12', state: 'running', profile: 'arn:aws:iam::1:instance-profile/cp', sourceDestCheck: true });
	t.deepEqual(row.securityGroups, ['sg-nodes']);
	const input = mock.commandCalls(DescribeInstancesCommand)[0]!.args[0].input;
	t.deepEqual(input.Filters, [{ Name: 'instance-id', Values: ['i-0000000000000000a', 'i-0000000000000000b'] }]);
	t.is(input.InstanceIds, undefined);
});

test('by tags: one filter per tag plus non-terminated states, every page read, control planes first', async (t) => {
	const { client, mock } = mockedEc2();
	mock.on(DescribeInstancesCommand).resolvesOnce({ ...reservations(instance({ id: 'i-00000000000000003' }), instance({ id: 'i-00000000000000001' })), NextToken: 'page-2' })
		.resolvesOnce({ ...reservations(instance({ id: 'i-00000000000000002', role: 'control-plane' })), NextToken: 'page-3' })
		.resolvesOnce(reservations(instance({ id: 'i-00000000000000004' })));
	const found = await discoverInstances(client, byTags({ 'kubestrap.dev/cluster': 'demo', team: 'infra' }), callOptions());
	t.deepEqual(found.problems, []);
	t.deepEqual(found.instances.map((r) => r.id), ['i-00000000000000002', 'i-00000000000000001', 'i-00000000000000003', 'i-00000000000000004']);
	const calls = mock.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input);
	t.is(calls.length, 3);
	t.deepEqual(calls.map((c) => c.NextToken), [undefined, 'page-2', 'page-3']);
	t.deepEqual(calls[0]!.Filters, [
		{ Name: 'tag:kubestrap.dev/cluster', Values: ['demo'] },
		{ Name: 'tag:team', Values: ['infra'] },
		{ Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'] },
	]);
});

test('none found by tags names the tags and the region', async (t) => {
	const { client, mock } = mockedEc2();
	mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
	const found = await discoverInstances(client, byTags({ 'kubestrap.dev/cluster': 'demo' }), callOptions());
	t.deepEqual(found.problems, [{ path: 'spec.aws.instanceTags', message: 'no instances in region eu-west-1 have the tags kubestrap.dev/cluster=demo (terminated instances are not counted); check the tags and the region (--aws-region)' }]);
});

test('an unknown instance ID is reported at its index', async (t) => {
	const { client, mock } = mockedEc2();
	mock.on(DescribeInstancesCommand).resolves(reservations(instance({ id: 'i-0000000000000000a', role: 'control-plane' })));
	const found = await discoverInstances(client, byIds('i-0000000000000000a', 'i-0000000000000000f'), callOptions());
	t.deepEqual(found.problems, [{ path: 'spec.aws.instanceIds[1]', message: 'i-0000000000000000f was not found in region eu-west-1; check the ID and the region (--aws-region)' }]);
});

test('stopped, pending and terminated instances, a missing or wrong role tag, no public IP: each at its path with the fix', async (t) => {
	const { client, mock } = mockedEc2();
	mock.on(DescribeInstancesCommand).resolves(reservations(
		instance({ id: 'i-00000000000000001', state: 'stopped', name: 'cp', role: 'control-plane' }),
		instance({ id: 'i-00000000000000002', state: 'pending' }),
		instance({ id: 'i-00000000000000003', state: 'terminated' }),
		instance({ id: 'i-00000000000000004', role: '' }),
		instance({ id: 'i-00000000000000005', role: 'master' }),
		instance({ id: 'i-00000000000000006', publicIp: '' }),
	));
	const ids = ['i-00000000000000001', 'i-00000000000000002', 'i-00000000000000003', 'i-00000000000000004', 'i-00000000000000005', 'i-00000000000000006'];
	const found = await discoverInstances(client, byIds(...ids), callOptions());
	t.deepEqual(found.problems, [
		{ path: 'spec.aws.instanceIds[0]', message: 'i-00000000000000001 (cp) is stopped; kubestrap installs on running instances only: start it: aws ec2 start-instances --region eu-west-1 --instance-ids i-00000000000000001' },
		{ path: 'spec.aws.instanceIds[1]', message: 'i-00000000000000002 is pending; kubestrap installs on running instances only: wait until it is running and run kubestrap again' },
		{ path: 'spec.aws.instanceIds[2]', message: 'i-00000000000000003 is terminated; kubestrap installs on running instances only: it cannot come back; use another instance' },
		{ path: 'spec.aws.instanceIds[3]', message: 'i-00000000000000004 has no kubestrap.dev/role tag; tag it control-plane or worker, e.g. aws ec2 create-tags --region eu-west-1 --resources i-00000000000000004 --tags Key=kubestrap.dev/role,Value=worker' },
		{ path: 'spec.aws.instanceIds[4]', message: 'i-00000000000000005 has kubestrap.dev/role="master"; tag it control-plane or worker, e.g. aws ec2 create-tags --region eu-west-1 --resources i-00000000000000005 --tags Key=kubestrap.dev/role,Value=worker' },
		{ path: 'spec.aws.addressType', message: '"public", but i-00000000000000006 has no public IP address; SSH to private addresses (addressType: private, --aws-address-type private) through a bastion or VPN, or associate an Elastic IP with it' },
	]);
	t.is(found.instances.length, 6, 'the table still shows every instance');
});

test('addressType private needs no public IP; hosts get the SSH address by addressType and the private IP as node-ip', async (t) => {
	const { client, mock } = mockedEc2();
	mock.on(DescribeInstancesCommand).resolves(reservations(
		instance({ id: 'i-00000000000000001', role: 'control-plane', privateIp: '10.0.1.10', publicIp: '' }),
		instance({ id: 'i-00000000000000002', privateIp: '10.0.2.20', publicIp: '203.0.113.20' }),
	));
	const found = await discoverInstances(client, byTags({ k: 'v' }, 'private'), callOptions());
	t.deepEqual(found.problems, []);
	t.deepEqual(hostsFromInstances(found.instances, 'private'), [
		{ address: '10.0.1.10', role: 'control-plane', privateAddress: '10.0.1.10', name: 'ip-10-0-1-10' },
		{ address: '10.0.2.20', role: 'worker', privateAddress: '10.0.2.20', name: 'ip-10-0-2-20' },
	]);
	t.deepEqual(hostsFromInstances(found.instances.slice(1), 'public'), [{ address: '203.0.113.20', role: 'worker', privateAddress: '10.0.2.20', name: 'ip-10-0-2-20' }]);
});

test('node name: the private DNS host label (as the instance hostname is), else a valid Name tag, else none', (t) => {
	const base = { id: 'i-1', type: '', az: '', subnet: '', vpc: '', privateIp: '', state: 'running', securityGroups: [] };
	t.is(nodeName({ ...base, name: 'Web 1', privateDnsName: 'ip-10-0-1-5.ec2.internal' }), 'ip-10-0-1-5');
	t.is(nodeName({ ...base, name: '', privateDnsName: 'i-0abc123def4567890.eu-west-1.compute.internal' }), 'i-0abc123def4567890');
	t.is(nodeName({ ...base, name: 'Worker-1', privateDnsName: '' }), 'worker-1');
	t.is(nodeName({ ...base, name: 'web_1', privateDnsName: '' }), undefined);
});
