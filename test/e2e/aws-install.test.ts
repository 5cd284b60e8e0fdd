// target aws end to end, in process: the CLI's main() with EC2 mocked (aws-sdk-client-mock replaces
// EC2Client's send) answering with the sshd test hosts' addresses, so discovery, the checks and the
// console-output host keys lead into the real SSH pipeline. Every AWS problem must stop the run with
// exit 2 before any SSH connection (the hosts' sshd logs show none).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	DescribeInstancesCommand,
	DescribeInstanceTypesCommand,
	DescribeSecurityGroupsCommand,
	DescribeVpcsCommand,
	EC2Client,
	GetConsoleOutputCommand,
	ModifyInstanceAttributeCommand,
	type Instance,
	type IpPermission,
} from '@aws-sdk/client-ec2';
import test from 'ava';
import { mockClient } from 'aws-sdk-client-mock';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { main } from '../../source/cli.js';
import { renderManifests } from '../../source/cluster/render.js';
import { awsHosts } from '../../source/commands/session-io.js';
import type { Io } from '../../source/commands/io.js';
import { resolveSpec } from '../../source/spec/resolve.js';
import type { Cluster } from '../../source/spec/types.js';
import { startHosts, type TestHosts } from '../_helpers/sshd-hosts.js';
import { instance, reservations, selfAll } from '../cloud/_ec2.js';
import { ROOT } from './_install.js';

const ec2 = mockClient(EC2Client);
// One pair of hosts for the file, used in order: the checks that must make no SSH connection first,
// then the refused host key, the plan, and the install last.
let hosts: TestHosts;
test.before(async () => {
	hosts = await startHosts(2);
});
test.after.always(async () => {
	ec2.restore();
	await hosts?.stop();
});

const PRIVATE = ['10.0.1.10', '10.0.1.11'];
const IDS = ['i-0e2e0000000000001', 'i-0e2e0000000000002'];

interface Scenario {
	instances?: Instance[];
	vpcCidr?: string;
	permissions?: IpPermission[];
	/** fingerprints per host index; default: the host's real key */
	console?: (index: number) => string | undefined;
}

function consoleText(fingerprint: string): string {
	return ['ec2: #############################################################', 'ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----', `ec2: 256 ${fingerprint} root@node (ED25519)`, 'ec2: -----END SSH HOST KEY FINGERPRINTS-----', ''].join('\n');
}

function instances(hosts: TestHosts): Instance[] {
	return hosts.hosts.map((host, index) => instance({
		id: IDS[index] as string,
		role: index === 0 ? 'control-plane' : 'worker',
		name: `e2e-${index}`,
		publicIp: host.address,
		privateIp: PRIVATE[index] as string,
		type: index === 0 ? 't3.medium' : 'm5.large',
		...(index === 0 ? { profile: 'arn:aws:iam::123456789012:instance-profile/e2e-cp' } : {}),
	}));
}

function answer(hosts: TestHosts, scenario: Scenario = {}): void {
	ec2.reset();
	ec2.on(DescribeInstancesCommand).resolves(reservations(...(scenario.instances ?? instances(hosts))));
	ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1', CidrBlock: scenario.vpcCidr ?? '10.0.0.0/16' }] });
	ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-nodes', IpPermissions: scenario.permissions ?? [selfAll('sg-nodes')] }] });
	ec2.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [
		{ InstanceType: 't3.medium', NetworkInfo: { MaximumNetworkInterfaces: 3, Ipv4AddressesPerInterface: 6 }, VCpuInfo: { DefaultVCpus: 2 } },
		{ InstanceType: 'm5.large', NetworkInfo: { MaximumNetworkInterfaces: 3, Ipv4AddressesPerInterface: 10 }, VCpuInfo: { DefaultVCpus: 2 } },
	] });
	hosts.hosts.forEach((host, index) => {
		const fingerprint = scenario.console ? scenario.console(index) : host.hostKeyFingerprint;
		ec2.on(GetConsoleOutputCommand, { InstanceId: IDS[index] }).resolves({ InstanceId: IDS[index], ...(fingerprint ? { Output: Buffer.from(consoleText(fingerprint)).toString('base64') } : {}) });
	});
}

function writeAwsConfig(hosts: TestHosts, network: Record<string, unknown>, extra: { podSubnet?: string } = {}): { dir: string; config: string } {
	const dir = mkdtempSync(join(tmpdir(), 'kubestrap-aws-e2e-'));
	// An empty known_hosts under strict: only the console output can vouch for the hosts' keys.
	writeFileSync(join(dir, 'known_hosts'), '', { mode: 0o600 });
	const cluster = {
		apiVersion: 'kubestrap.dev/v1alpha1',
		kind: 'Cluster',
		metadata: { name: 'e2e-aws' },
		spec: {
			target: 'aws',
			aws: { region: 'eu-west-1', instanceTags: { 'kubestrap.dev/cluster': 'e2e-aws' }, addressType: 'public' },
			ssh: { user: hosts.user, port: hosts.hosts[0]?.port ?? 22, identityFile: hosts.identityFile, knownHostsFile: join(dir, 'known_hosts'), hostKeyPolicy: 'strict' },
			kubernetes: { version: '1.35', podSubnet: extra.podSubnet ?? '100.64.0.0/16', serviceSubnet: '10.96.0.0/12' },
			network,
		},
	};
	const config = join(dir, 'cluster.yaml');
	writeFileSync(config, stringify(cluster));
	return { dir, config };
}

function capture(cwd: string, env: Record<string, string> = {}): { io: Io; out: () => string; err: () => string } {
	let out = '';
	let err = '';
	const io: Io = {
		stdout: (text) => void (out += text),
		stderr: (text) => void (err += text),
		cwd,
		home: cwd,
		...(env['AWS_PROFILE'] ? { awsProfile: env['AWS_PROFILE'] } : {}),
		isTTY: false,
	};
	return { io, out: () => out, err: () => err };
}

/** TCP connections each host's sshd has seen (LogLevel VERBOSE logs every one). */
async function sshConnections(hosts: TestHosts): Promise<number[]> {
	return Promise.all(hosts.hosts.map(async (host) => (await readFile(join(host.root, 'sshd.log'), 'utf8')).split('\n').filter((line) => line.includes('Connection from')).length));
}

const ENI = { cni: 'cilium', cilium: { ipam: 'eni', tunnel: 'disabled', disableMasquerade: true } };

function parseCluster(config: string): Cluster {
	const result = resolveSpec({ file: { content: readFileSync(config), name: 'cluster.yaml' } });
	if (!result.ok) throw new Error(JSON.stringify(result.problems));
	return result.cluster;
}

test.serial('a host key that differs from the console output is refused, showing both fingerprints; nothing runs', async (t) => {
	const forged = `SHA256:${'A'.repeat(43)}`;
	answer(hosts, { console: (index) => (index === 1 ? forged : undefined) });
	const { dir, config } = writeAwsConfig(hosts, ENI);
	const run = capture(dir);
	t.is(await main(['install', '--config', config, '--yes', '--connect-timeout', '5'], run.io), 1);
	const worker = hosts.hosts[1]!;
	// The host named once, in front (the remote layer's "host [H]:port:" is not repeated after it).
	t.regex(run.err(), new RegExp(`^error: ${worker.address.replace(/\./g, '\\.')}: host key ssh-ed25519 ${worker.hostKeyFingerprint.replace(/[+/]/g, '\\$&')} does not match the host keys the console output of ${IDS[1]} shows \\(ED25519 ${forged}\\)`, 'm'));
	t.regex(run.err(), new RegExp(`note: ${IDS[0]}: its console output is empty`));
	t.deepEqual(await hosts.readCalls(1), []);
	t.deepEqual(await hosts.readCalls(0), [], 'connect is a gate: the other host is untouched too');
});

test.serial('each AWS problem exits 2 with its message and the fix, before any SSH connection', async (t) => {
	const base = instances(hosts);
	const calicoNone = { cni: 'calico', calico: { encapsulation: 'none' } };
	const vxlan = { cni: 'cilium', cilium: { tunnel: 'vxlan' } };
	const cases: Array<{ name: string; scenario: Scenario; network?: Record<string, unknown>; podSubnet?: string; args?: string[]; env?: Record<string, string>; expect: RegExp; ec2Error?: Error }> = [
		{ name: 'two VPCs', scenario: { instances: [base[0]!, { ...base[1]!, VpcId: 'vpc-2' }] }, expect: /^spec\.aws\.instanceTags: the instances are in 2 VPCs \(vpc-1: i-0e2e0000000000001; vpc-2: i-0e2e0000000000002\)/m },
		{ name: 'stopped instance', scenario: { instances: [base[0]!, { ...base[1]!, State: { Name: 'stopped', Code: 80 } }] }, expect: /^spec\.aws\.instanceTags: i-0e2e0000000000002 \(e2e-1\) is stopped; kubestrap installs on running instances only: start it: aws ec2 start-instances --region eu-west-1 --instance-ids i-0e2e0000000000002$/m },
		{ name: 'none found', scenario: { instances: [] }, expect: /^spec\.aws\.instanceTags: no instances in region eu-west-1 have the tags kubestrap\.dev\/cluster=e2e-aws/m },
		{ name: 'pod subnet in the VPC', scenario: {}, podSubnet: '10.0.0.0/16', expect: /^spec\.kubernetes\.podSubnet: 10\.0\.0\.0\/16 overlaps 10\.0\.0\.0\/16 of vpc-1, the instances' VPC; pod addresses must be outside the VPC, e\.g\. 10\.244\.0\.0\/16$/m },
		{ name: 'source/dest check on with Calico none', scenario: {}, network: calicoNone, expect: /^spec\.network\.calico\.encapsulation: "none" sends pod traffic between nodes unencapsulated, .* as it is on i-0e2e0000000000001, i-0e2e0000000000002\. Run with --aws-fix-source-dest-check to turn it off/m },
		{ name: 'missing security-group rule', scenario: { permissions: [{ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, UserIdGroupPairs: [{ GroupId: 'sg-nodes' }] }] }, network: vxlan, expect: /^spec\.network\.cilium\.tunnel: Cilium VXLAN needs 8472\/udp from every node to every node, and security group sg-nodes of i-0e2e0000000000001, i-0e2e0000000000002 does not let it in\. Run with --aws-fix-security-groups to add the rule, or: aws ec2 authorize-security-group-ingress --region eu-west-1 --group-id sg-nodes --ip-permissions 'IpProtocol=udp,FromPort=8472,ToPort=8472,UserIdGroupPairs=\[\{GroupId=sg-nodes\}\]'$/m },
		{ name: 'expired SSO session', scenario: {}, env: { AWS_PROFILE: 'team-sso' }, ec2Error: Object.assign(new Error('The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.'), { name: 'CredentialsProviderError' }), expect: /^aws: the AWS SSO session of profile team-sso has expired or is not signed in: run `aws sso login --profile team-sso` and try again$/m },
	];
	const before = await sshConnections(hosts);
	for (const item of cases) {
		answer(hosts, item.scenario);
		if (item.ec2Error) ec2.on(DescribeInstancesCommand).rejects(item.ec2Error);
		const { dir, config } = writeAwsConfig(hosts, item.network ?? ENI, item.podSubnet ? { podSubnet: item.podSubnet } : {});
		const run = capture(dir, item.env);
		t.is(await main(['install', '--config', config, '--yes', ...(item.args ?? [])], run.io), 2, `${item.name}: ${run.err()}`);
		t.regex(run.err(), item.expect, item.name);
		t.regex(run.err(), /no SSH connection was made and nothing was changed\.$/m, item.name);
		t.false(run.err().includes('    at '), `${item.name}: no stack trace`);
		t.false(existsSync(join(dir, '.kubestrap')), `${item.name}: no state written`);
		t.is(ec2.commandCalls(ModifyInstanceAttributeCommand).length, 0);
	}
	t.deepEqual(await sshConnections(hosts), before, 'no SSH connection to any host');
	for (const index of [0, 1]) t.deepEqual(await hosts.readCalls(index), []);
});

test.serial('plan with --aws-fix-source-dest-check says what it would change and changes nothing in AWS', async (t) => {
	answer(hosts);
	const { dir, config } = writeAwsConfig(hosts, { cni: 'calico', calico: { encapsulation: 'none' } });
	const run = capture(dir);
	t.is(await main(['plan', '--config', config, '--aws-fix-source-dest-check'], run.io), 0, run.err());
	t.regex(run.err(), /aws: would turn off source\/destination check on i-0e2e0000000000001, i-0e2e0000000000002/);
	t.is(ec2.commandCalls(ModifyInstanceAttributeCommand).length, 0);
});

test.serial('Cilium ENI: discovery → checks → plan → install on the test hosts, node-ip the private IP, maxPods per type, host keys from the console', async (t) => {
	answer(hosts);
	const { dir, config } = writeAwsConfig(hosts, ENI);

	const plan = capture(dir);
	t.is(await main(['plan', '--config', config], plan.io), 0, plan.err());
	t.regex(plan.err(), /aws: finding instances in eu-west-1 by tags kubestrap\.dev\/cluster=e2e-aws/);
	t.regex(plan.err(), new RegExp(`${IDS[0]}\\s+e2e-0\\s+t3\\.medium\\s+eu-west-1a\\s+subnet-1\\s+10\\.0\\.1\\.10\\s+${hosts.hosts[0]!.address.replace(/\./g, '\\.')}\\s+running\\s+control-plane`));
	t.regex(plan.err(), /aws: maxPods 17 on t3\.medium \(3 ENIs × 6 IPv4 addresses\)/);
	t.true(plan.out().startsWith('IAM policy for the control-plane instance role (Cilium ENI'), 'the plan shows the IAM policy');
	t.true(plan.out().includes('"ec2:AssignPrivateIpAddresses"'));
	t.regex(plan.out(), /write \/etc\/systemd\/network\/99-kubestrap-eni-unmanaged\.network/);
	t.regex(plan.out(), /write \/etc\/kubestrap\/patches\/kubeletconfiguration\+merge\.yaml/);
	t.deepEqual(await hosts.readCalls(0).then((calls) => calls.filter((c) => c.prog === 'kubeadm' && c.argv[0] === 'init')), [], 'plan changes nothing');
	t.false(existsSync(join(dir, '.kubestrap/e2e-aws/journal.json')));

	const install = capture(dir);
	t.is(await main(['install', '--config', config, '--yes'], install.io), 0, install.err());
	t.regex(install.err(), /kubestrap install for cluster e2e-aws \(2 hosts\)/);
	const known = readFileSync(join(dir, 'known_hosts'), 'utf8');
	for (const host of hosts.hosts) t.true(known.includes(host.hostKeyBase64), 'key vouched for by the console output was recorded');

	const init = parseAllDocuments(await hosts.readHostFile(0, '/opt/kubestrap-sim/state/kubeadm-init.yaml') ?? '').map((d) => d.toJS() as Record<string, any>);
	t.deepEqual(init[0]?.nodeRegistration?.kubeletExtraArgs, [{ name: 'node-ip', value: '10.0.1.10' }]);
	t.is(init[0]?.nodeRegistration?.name, 'ip-10-0-1-10');
	t.deepEqual(init[0]?.localAPIEndpoint, { advertiseAddress: '10.0.1.10', bindPort: 6443 });
	t.is(init[2]?.maxPods, 17);
	const join0 = parse(await hosts.readHostFile(1, '/opt/kubestrap-sim/state/kubeadm-join.yaml') ?? '') as Record<string, any>;
	t.deepEqual(join0.nodeRegistration.kubeletExtraArgs, [{ name: 'node-ip', value: '10.0.1.11' }]);
	t.is(join0.discovery.bootstrapToken.apiServerEndpoint, '10.0.1.10:6443');
	t.deepEqual(join0.patches, { directory: '/etc/kubestrap/patches' });
	t.is(await hosts.readHostFile(1, '/etc/kubestrap/patches/kubeletconfiguration+merge.yaml'), 'maxPods: 29\n');
	for (const index of [0, 1]) t.regex(await hosts.readHostFile(index, '/etc/systemd/network/99-kubestrap-eni-unmanaged.network') ?? '', /Name=eth\[1-9\]\*/);
	for (const name of ['ip-10-0-1-10', 'ip-10-0-1-11']) t.true(existsSync(join(hosts.runDir, 'cluster', 'nodes', name)), `${name} joined`);
	t.regex(readFileSync(join(dir, 'e2e-aws.kubeconfig'), 'utf8'), new RegExp(`server: https://${hosts.hosts[0]!.address.replace(/\./g, '\\.')}:6443`));

	// A pair whose pods cannot reach each other: install's check reads EC2 for that pair (instances matched by
	// their private IPs) and says what EC2 shows; ENI pod traffic carries pod addresses, so no rule is claimed.
	await hosts.setClusterScenario({ network: { blocked: [{ nodes: ['ip-10-0-1-10', 'ip-10-0-1-11'], protocol: 'all' }] } });
	const blocked = capture(dir);
	try {
		t.is(await main(['install', '--config', config, '--yes'], blocked.io), 1, blocked.err());
	} finally {
		await hosts.setClusterScenario({});
	}
	t.regex(blocked.err(), /check: reading the instances of 1 failed node pair from EC2/);
	t.regex(blocked.err(), /ip-10-0-1-10 ↔ ip-10-0-1-11: pods on ip-10-0-1-10 \(10\.0\.1\.10\) and ip-10-0-1-11 \(10\.0\.1\.11\) cannot reach each other .*; in EC2: pod traffic between them carries pod addresses, which the security groups \(sg-nodes\) and network ACLs must admit/);

	// The day-two commands find the same instances through EC2; with known_hosts emptied again, only the
	// console output can vouch for the host keys, as for install.
	const day2: Array<{ args: string[]; check: (out: string, err: string) => void }> = [
		{ args: ['status', '--config', config], check: (out) => t.regex(out, /ip-10-0-1-10/) },
		{ args: ['kubeconfig', '--config', config, '--output-file', 'day2.kubeconfig'], check: () => t.true(existsSync(join(dir, 'day2.kubeconfig'))) },
		{ args: ['reset', '--config', config, '--dry-run'], check: (out) => t.regex(out, /kubeadm reset/) },
	];
	for (const { args, check } of day2) {
		writeFileSync(join(dir, 'known_hosts'), '', { mode: 0o600 });
		const run = capture(dir);
		t.is(await main(args, run.io), 0, `${args[0]}: ${run.err()}`);
		t.regex(run.err(), /aws: finding instances in eu-west-1 by tags kubestrap\.dev\/cluster=e2e-aws/, args[0]);
		check(run.out(), run.err());
		t.true(readFileSync(join(dir, 'known_hosts'), 'utf8').includes(hosts.hosts[0]!.hostKeyBase64), `${args[0]}: the console output vouched for the key`);
	}

	// The manifests the apply step gets are rendered from the discovered cluster: operator-aws on the one control plane.
	const prepared = await awsHosts(parseCluster(config), {}, capture(dir).io, 'plan');
	if (typeof prepared === 'number') return t.fail('discovery failed');
	const rendered = renderManifests(prepared.cluster);
	const operator = rendered.documents.find((d) => d['kind'] === 'Deployment' && (d['metadata'] as { name?: string }).name === 'cilium-operator') as Record<string, any> | undefined;
	t.is(operator?.spec.replicas, 1);
	t.regex(operator?.spec.template.spec.containers[0].image, /operator-aws/);
	t.is(operator?.spec.template.spec.nodeSelector['node-role.kubernetes.io/control-plane'], '');
	t.regex(rendered.text, /ipam: eni/);
	return undefined;
});

test('the README documents every AWS flag the CLI has', (t) => {
	const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
	for (const flag of ['--aws-fix-source-dest-check', '--aws-fix-security-groups', 'kubestrap aws iam-policy']) t.true(readme.includes(flag), flag);
});
