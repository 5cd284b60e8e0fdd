// The wizard's discovery function on the real EC2 client factory, with EC2Client's send mocked for the
// whole class (aws-sdk-client-mock): the rows, hosts, problems, warnings and notes it hands the screen
// for a healthy answer, two VPCs, a stopped instance, given fix flags and expired credentials; the
// region it asks in; the environment's credentials never in its text; an abort.
import {
	DescribeInstancesCommand,
	DescribeInstanceTypesCommand,
	DescribeSecurityGroupsCommand,
	DescribeVpcsCommand,
	EC2Client,
	GetConsoleOutputCommand,
	ModifyInstanceAttributeCommand,
} from '@aws-sdk/client-ec2';
import test from 'ava';
import { mockClient } from 'aws-sdk-client-mock';
import { awsDiscovery } from '../../source/session/aws-discovery.js';
import type { AwsPort } from '../../source/session/aws-hosts.js';
import { awsCluster, ec2Error, instance, reservations, selfAll } from '../cloud/_ec2.js';

const ec2 = mockClient(EC2Client);
test.after.always(() => ec2.restore());

const IDS = ['i-0d15c0000000000c1', 'i-0d15c0000000000a1', 'i-0d15c0000000000a2'];

function io(env: Record<string, string> = {}): Pick<AwsPort, 'profile' | 'secrets'> {
	// What cli.tsx decides from such an environment (the command hands it on).
	const secrets = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'].map((key) => env[key] ?? '').filter((value) => value !== '');
	return { secrets, ...(env['AWS_PROFILE'] ? { profile: env['AWS_PROFILE'] } : {}) };
}

function answer(instances = [
	instance({ id: IDS[0] as string, role: 'control-plane', name: 'cp-1', privateIp: '10.0.1.10', publicIp: '203.0.113.10' }),
	instance({ id: IDS[1] as string, name: 'worker-1', privateIp: '10.0.1.11', publicIp: '203.0.113.11', type: 'm5.large' }),
	instance({ id: IDS[2] as string, privateIp: '10.0.2.12', publicIp: '', subnet: 'subnet-2' }),
]): void {
	ec2.reset();
	ec2.on(DescribeInstancesCommand).resolves(reservations(...instances));
	ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16' }] });
	ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-nodes', IpPermissions: [selfAll('sg-nodes')] }] });
	ec2.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [
		{ InstanceType: 't3.medium', NetworkInfo: { MaximumNetworkInterfaces: 3, Ipv4AddressesPerInterface: 6 }, VCpuInfo: { DefaultVCpus: 2 } },
		{ InstanceType: 'm5.large', NetworkInfo: { MaximumNetworkInterfaces: 3, Ipv4AddressesPerInterface: 10 }, VCpuInfo: { DefaultVCpus: 2 } },
	] });
}

const eni = () => awsCluster({ cilium: { ipam: 'eni', tunnel: 'disabled', disableMasquerade: true }, kubernetes: { podSubnet: '100.64.0.0/16' }, aws: { region: 'eu-central-1', addressType: 'private' } });
const signal = () => new AbortController().signal;

test.serial('a healthy answer: the rows in order, the hosts SSH goes to, no problems, the ENI warning and maxPods notes; nothing changed, no console read', async (t) => {
	answer();
	const view = await awsDiscovery(io())(eni(), signal());
	t.is(view.failure, undefined);
	t.deepEqual(view.problems, []);
	t.deepEqual(view.instances.map((r) => [r.id, r.name, r.type, r.subnet, r.privateIp, r.publicIp, r.state, r.role]), [
		[IDS[0], 'cp-1', 't3.medium', 'subnet-1', '10.0.1.10', '203.0.113.10', 'running', 'control-plane'],
		[IDS[1], 'worker-1', 'm5.large', 'subnet-1', '10.0.1.11', '203.0.113.11', 'running', 'worker'],
		[IDS[2], '', 't3.medium', 'subnet-2', '10.0.2.12', undefined, 'running', 'worker'],
	]);
	t.deepEqual(view.hosts, [
		{ address: '10.0.1.10', role: 'control-plane', privateAddress: '10.0.1.10', name: 'ip-10-0-1-10' },
		{ address: '10.0.1.11', role: 'worker', privateAddress: '10.0.1.11', name: 'ip-10-0-1-11' },
		{ address: '10.0.2.12', role: 'worker', privateAddress: '10.0.2.12', name: 'ip-10-0-2-12' },
	], 'addressType private: SSH to the private addresses');
	t.deepEqual(view.warnings.map((w) => w.path), ['spec.network.cilium.ipam']);
	t.regex(view.warnings[0]?.message ?? '', new RegExp(`^control-plane instance ${IDS[0]} \\(cp-1\\) has no IAM instance profile;.* aws ec2 associate-iam-instance-profile --region eu-central-1 --instance-id ${IDS[0]} `));
	t.deepEqual(view.notes, [`maxPods 17 on t3.medium (3 ENIs × 6 IPv4 addresses): ${IDS[0]}, ${IDS[2]}`, `maxPods 29 on m5.large (3 ENIs × 10 IPv4 addresses): ${IDS[1]}`]);
	const calls = ec2.commandCalls(DescribeInstancesCommand);
	t.is(calls.length, 1);
	t.deepEqual(calls[0]?.args[0].input.Filters?.[0], { Name: 'tag:kubestrap.dev/cluster', Values: ['demo'] });
	const client = calls[0]?.thisValue as EC2Client | undefined;
	t.is(await client?.config.region(), 'eu-central-1', 'the client is made for the region answered');
	t.is(ec2.commandCalls(GetConsoleOutputCommand).length, 0, 'host keys are install\'s business');
	t.is(ec2.commandCalls(ModifyInstanceAttributeCommand).length, 0);
});

test.serial('two VPCs: the one problem at the selector path, naming the VPCs and their instances', async (t) => {
	answer([
		instance({ id: IDS[0] as string, role: 'control-plane' }),
		instance({ id: IDS[1] as string, vpc: 'vpc-2' }),
		instance({ id: IDS[2] as string, vpc: 'vpc-2' }),
	]);
	const view = await awsDiscovery(io())(eni(), signal());
	t.is(view.instances.length, 3, 'the table still shows them');
	t.deepEqual(view.problems, [{
		path: 'spec.aws.instanceTags',
		message: `the instances are in 2 VPCs (vpc-1: ${IDS[0]}; vpc-2: ${IDS[1]}, ${IDS[2]}); a cluster's nodes must share one VPC, so choose instances from one of them`,
	}]);
	t.is(ec2.commandCalls(DescribeSecurityGroupsCommand).length, 0, 'no checks against the wrong network');
});

test.serial('a stopped instance and a missing role tag: problems with the fix, and the other checks wait', async (t) => {
	answer([
		instance({ id: IDS[0] as string, role: 'control-plane', state: 'stopped' }),
		instance({ id: IDS[1] as string, role: '' }),
	]);
	const view = await awsDiscovery(io())(eni(), signal());
	t.deepEqual(view.problems.map((p) => p.path), ['spec.aws.instanceTags', 'spec.aws.instanceTags']);
	t.regex(view.problems[0]?.message ?? '', new RegExp(`${IDS[0]} is stopped; .*aws ec2 start-instances --region eu-central-1 --instance-ids ${IDS[0]}$`));
	t.regex(view.problems[1]?.message ?? '', new RegExp(`${IDS[1]} has no kubestrap\\.dev/role tag; tag it control-plane or worker`));
	t.is(view.instances[1]?.role, undefined);
	t.is(ec2.commandCalls(DescribeVpcsCommand).length, 0);
});

test.serial('problems whose fix flag install was given become the change install will make; others stay problems', async (t) => {
	answer();
	ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-nodes', IpPermissions: [6443, 10250].map((port) => ({ IpProtocol: 'tcp', FromPort: port, ToPort: port, UserIdGroupPairs: [{ GroupId: 'sg-nodes' }] })) }] });
	const calico = awsCluster({ cni: 'calico', calico: { encapsulation: 'none' }, aws: { addressType: 'private' } });
	const without = await awsDiscovery(io())(calico, signal());
	t.deepEqual(without.problems.map((p) => p.path), ['spec.network.calico.encapsulation', 'spec.network.calico.encapsulation']);
	t.regex(without.problems[0]?.message ?? '', /source\/destination check .*Run with --aws-fix-source-dest-check/);
	t.regex(without.problems[1]?.message ?? '', /^Calico BGP \(BIRD\) needs 179\/tcp .*aws ec2 authorize-security-group-ingress --region eu-west-1 --group-id sg-nodes/);
	const fixing = await awsDiscovery(io(), { awsFixSourceDestCheck: true })(calico, signal());
	t.deepEqual(fixing.problems.map((p) => p.message), [without.problems[1]?.message], 'the rule is still a problem');
	t.deepEqual(fixing.warnings, [{
		path: 'spec.network.calico.encapsulation',
		message: `install will turn off source/destination check on ${IDS.join(', ')} (--aws-fix-source-dest-check was given; it asks first unless --yes)`,
	}]);
	t.is(ec2.commandCalls(ModifyInstanceAttributeCommand).length, 0, 'the wizard changes nothing in AWS');
});

test.serial('an expired SSO session is a failure line naming the profile and the login command; credentials never reach the text', async (t) => {
	answer();
	ec2.on(DescribeInstancesCommand).rejects(Object.assign(new Error('The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.'), { name: 'CredentialsProviderError' }));
	const sso = await awsDiscovery(io({ AWS_PROFILE: 'team-sso' }))(eni(), signal());
	t.deepEqual(sso, { instances: [], hosts: [], problems: [], warnings: [], notes: [], failure: 'the AWS SSO session of profile team-sso has expired or is not signed in: run `aws sso login --profile team-sso` and try again' });

	const env = { AWS_ACCESS_KEY_ID: 'ASIAZXCVBNMASDFGHJKL', AWS_SECRET_ACCESS_KEY: 'abcdEFGHijklMNOPqrstUVWXyz0123456789+/ab' };
	ec2.on(DescribeInstancesCommand).rejects(ec2Error('WeirdFailure', `request by ${env.AWS_ACCESS_KEY_ID} signed with ${env.AWS_SECRET_ACCESS_KEY}`));
	const weird = await awsDiscovery(io(env))(eni(), signal());
	t.regex(weird.failure ?? '', /^ec2:DescribeInstances failed \(WeirdFailure: request by \*\*\* signed with \*\*\*\)$/);
	for (const value of Object.values(env)) t.false(JSON.stringify(weird).includes(value.slice(0, 12)));
});

test.serial('an abort stops it: the promise rejects rather than answering a screen that is gone', async (t) => {
	answer();
	const controller = new AbortController();
	ec2.on(DescribeInstancesCommand).callsFake(async () => {
		controller.abort();
		throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
	});
	await t.throwsAsync(awsDiscovery(io())(eni(), controller.signal));
	t.is(ec2.commandCalls(DescribeVpcsCommand).length, 0);
});
