// prepareAws, through the commands' awsHosts (a stop becomes its exit code): the opt-in fixes happen only
// with their flag and a yes (--yes or the confirmation), a declined confirmation changes nothing, a dry
// run only says what it would change, and the day-two commands find the hosts whatever the checks say.
import {
	AuthorizeSecurityGroupIngressCommand,
	DescribeInstancesCommand,
	DescribeSecurityGroupsCommand,
	DescribeVpcsCommand,
	GetConsoleOutputCommand,
	ModifyInstanceAttributeCommand,
} from '@aws-sdk/client-ec2';
import test from 'ava';
import { awsHosts } from '../../source/commands/session-io.js';
import { instanceTable, type AwsDeps } from '../../source/session/aws-hosts.js';
import type { Io } from '../../source/commands/io.js';
import { instanceRow } from '../../source/cloud/discover.js';
import { awsCluster, ec2Error, instance, mockedEc2, reservations, selfAll } from '../cloud/_ec2.js';

function capture(): { io: Io; err: () => string } {
	let err = '';
	return { io: { stdout: () => undefined, stderr: (text) => void (err += text), cwd: '/tmp', isTTY: false }, err: () => err };
}

function setup(permissions = [selfAll('sg-nodes')]) {
	const { client, mock } = mockedEc2();
	mock.on(DescribeInstancesCommand).resolves(reservations(
		instance({ id: 'i-000000000000000c1', role: 'control-plane', privateIp: '10.0.1.10' }),
		instance({ id: 'i-000000000000000a1', privateIp: '10.0.1.11', sourceDestCheck: false }),
	));
	mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16' }] });
	mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-nodes', IpPermissions: permissions }] });
	mock.on(GetConsoleOutputCommand).resolves({});
	const deps = (confirm?: boolean): AwsDeps => ({ ec2: () => client, retry: { sleep: async () => undefined }, ...(confirm === undefined ? {} : { confirm: async () => confirm }) });
	return { mock, deps };
}

const calicoNone = () => awsCluster({ cni: 'calico', calico: { encapsulation: 'none' } });

test('source/dest check: without the flag exit 2 naming it; flag + declined confirmation: exit 2, nothing changed', async (t) => {
	const { mock, deps } = setup();
	const without = capture();
	t.is(await awsHosts(calicoNone(), { yes: true }, without.io, 'install', deps()), 2);
	t.regex(without.err(), /\(1 of them kubestrap can fix when asked: --aws-fix-source-dest-check, --aws-fix-security-groups\)/);
	const declined = capture();
	t.is(await awsHosts(calicoNone(), { awsFixSourceDestCheck: true }, declined.io, 'install', deps(false)), 2);
	t.regex(declined.err(), /aws: to fix: turn off source\/destination check on i-000000000000000c1\n/);
	t.regex(declined.err(), /aws: nothing was changed/);
	t.is(mock.commandCalls(ModifyInstanceAttributeCommand).length, 0);
});

test('source/dest check: flag + yes turns it off where it is on and the install goes on with the instances as hosts', async (t) => {
	for (const [options, confirm] of [[{ awsFixSourceDestCheck: true, yes: true }, undefined], [{ awsFixSourceDestCheck: true }, true]] as const) {
		const { mock, deps } = setup();
		const run = capture();
		const prepared = await awsHosts(calicoNone(), options, run.io, 'install', deps(confirm));
		if (typeof prepared === 'number') return t.fail(run.err());
		t.deepEqual(mock.commandCalls(ModifyInstanceAttributeCommand).map((c) => c.args[0].input), [{ InstanceId: 'i-000000000000000c1', SourceDestCheck: { Value: false } }]);
		t.regex(run.err(), /aws: done: turn off source\/destination check on i-000000000000000c1/);
		t.deepEqual(prepared.cluster.spec.hosts.map((h) => [h.address, h.privateAddress, h.role]), [['198.51.100.195', '10.0.1.10', 'control-plane'], ['198.51.100.163', '10.0.1.11', 'worker']]);
		t.is(prepared.cluster.spec.hosts[0]?.maxPods, undefined, 'maxPods only in ENI mode');
	}
	return undefined;
});

test('day two (reset, upgrade, kubeconfig, status, check): a failed check is a warning, the hosts are found, AWS is not changed even with a fix flag', async (t) => {
	const { mock, deps } = setup();
	const run = capture();
	const prepared = await awsHosts(calicoNone(), { awsFixSourceDestCheck: true, yes: true }, run.io, 'day2', deps());
	if (typeof prepared === 'number') return t.fail(run.err());
	t.regex(run.err(), /aws: finding instances in eu-west-1/);
	t.regex(run.err(), /warning: .*source\/destination check/);
	t.notRegex(run.err(), /AWS problem/);
	t.deepEqual(prepared.cluster.spec.hosts.map((h) => h.role), ['control-plane', 'worker']);
	t.is(mock.commandCalls(ModifyInstanceAttributeCommand).length, 0);
	return undefined;
});

test('a dry run says what the fix would change and makes no AWS change', async (t) => {
	const { mock, deps } = setup();
	const run = capture();
	const prepared = await awsHosts(calicoNone(), { awsFixSourceDestCheck: true }, run.io, 'plan', deps());
	t.not(typeof prepared, 'number');
	t.regex(run.err(), /aws: would turn off source\/destination check on i-000000000000000c1/);
	t.is(mock.commandCalls(ModifyInstanceAttributeCommand).length, 0);
});

test('security groups: the fix adds the exact rule (with a description); a rule that already exists counts as added', async (t) => {
	const kubeOnly = [{ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, UserIdGroupPairs: [{ GroupId: 'sg-nodes' }] }];
	const { mock, deps } = setup(kubeOnly);
	mock.on(AuthorizeSecurityGroupIngressCommand).rejects(ec2Error('InvalidPermission.Duplicate', 'the specified rule already exists'));
	const run = capture();
	const prepared = await awsHosts(awsCluster(), { awsFixSecurityGroups: true, yes: true }, run.io, 'install', deps());
	t.not(typeof prepared, 'number', run.err());
	t.deepEqual(mock.commandCalls(AuthorizeSecurityGroupIngressCommand).map((c) => c.args[0].input), [{
		GroupId: 'sg-nodes',
		IpPermissions: [{ IpProtocol: 'udp', FromPort: 8472, ToPort: 8472, UserIdGroupPairs: [{ GroupId: 'sg-nodes', Description: 'kubestrap: Cilium VXLAN' }] }],
	}]);
	t.regex(run.err(), /aws: done: allow 8472\/udp into security group sg-nodes from sg-nodes \(kubestrap: Cilium VXLAN\)/);
});

test('denied EC2 calls exit 2 naming the permission; EC2 failing after the retries exits 1', async (t) => {
	const denied = setup();
	denied.mock.on(DescribeSecurityGroupsCommand).rejects(ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403));
	const run = capture();
	t.is(await awsHosts(awsCluster(), {}, run.io, 'install', denied.deps()), 2);
	t.regex(run.err(), /^aws: not allowed to call ec2:DescribeSecurityGroups \(UnauthorizedOperation\): the identity kubestrap runs as needs ec2:DescribeSecurityGroups in eu-west-1$/m);
	const throttled = setup();
	throttled.mock.on(DescribeInstancesCommand).rejects(ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503));
	const again = capture();
	t.is(await awsHosts(awsCluster(), {}, again.io, 'install', throttled.deps()), 1);
	t.regex(again.err(), /aws: DescribeInstances RequestLimitExceeded, retrying in \d+\.\d s \(attempt 2\)/);
	t.regex(again.err(), /EC2 kept throttling ec2:DescribeInstances \(RequestLimitExceeded\) after 6 attempts/);
});

test('instance table: one aligned row per instance, role tag problems visible', (t) => {
	const rows = [instanceRow(instance({ id: 'i-000000000000000c1', role: 'control-plane', name: 'cp', privateIp: '10.0.1.10', publicIp: '' })), instanceRow(instance({ id: 'i-000000000000000a1', role: 'boss', privateIp: '10.0.1.11', publicIp: '203.0.113.9' }))];
	t.is(instanceTable(rows), [
		'ID                   NAME  TYPE       AZ          SUBNET    PRIVATE IP  PUBLIC IP    STATE    ROLE',
		'i-000000000000000c1  cp    t3.medium  eu-west-1a  subnet-1  10.0.1.10   -            running  control-plane',
		'i-000000000000000a1  -     t3.medium  eu-west-1a  subnet-1  10.0.1.11   203.0.113.9  running  (boss)',
	].join('\n'));
});

test('credentials from the environment never reach what kubestrap prints, whatever EC2 or the SDK put in the error', async (t) => {
	const env = { AWS_ACCESS_KEY_ID: 'ASIAZXCVBNMASDFGHJKL', AWS_SECRET_ACCESS_KEY: 'abcdEFGHijklMNOPqrstUVWXyz0123456789+/ab', AWS_SESSION_TOKEN: `FwoGZXIvYXdzE${'x9Y8'.repeat(60)}` };
	const { mock, deps } = setup();
	mock.on(DescribeInstancesCommand).rejects(ec2Error('WeirdFailure', `request by ${env.AWS_ACCESS_KEY_ID} signed with ${env.AWS_SECRET_ACCESS_KEY} token=${env.AWS_SESSION_TOKEN}`));
	let err = '';
	const io: Io = { stdout: (text) => void (err += text), stderr: (text) => void (err += text), cwd: '/tmp', awsSecrets: Object.values(env), isTTY: false };
	t.is(await awsHosts(awsCluster(), {}, io, 'install', deps()), 1);
	t.regex(err, /aws: ec2:DescribeInstances failed \(WeirdFailure: request by \*\*\* signed with \*\*\* token=\*\*\*\)/);
	for (const value of Object.values(env)) t.false(err.includes(value.slice(0, 16)), 'no credential or part of one');
});

test('Ctrl-C during discovery exits 130 with nothing changed', async (t) => {
	const { mock, deps } = setup();
	const controller = new AbortController();
	mock.on(DescribeInstancesCommand).callsFake(async () => {
		controller.abort();
		throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
	});
	let err = '';
	const io: Io = { stdout: () => undefined, stderr: (text) => void (err += text), cwd: '/tmp', isTTY: false, signal: controller.signal };
	t.is(await awsHosts(awsCluster(), {}, io, 'install', deps()), 130);
	t.regex(err, /aws: interrupted; no SSH connection was made and nothing was changed\./);
});
