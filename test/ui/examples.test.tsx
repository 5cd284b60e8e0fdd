// Each example setup in examples/ answered from key presses as a new user would, the saved file read
// back and compared with the example file, and the same file valid for a run without questions. The
// AWS ENI one goes through the discovery screen (the command layer's discovery, EC2Client mocked for
// the class) and the connection test on the discovered addresses; the Calico one runs without them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DescribeInstancesCommand, DescribeInstanceTypesCommand, DescribeSecurityGroupsCommand, DescribeVpcsCommand, EC2Client, GetConsoleOutputCommand } from '@aws-sdk/client-ec2';
import test, { type ExecutionContext } from 'ava';
import { mockClient } from 'aws-sdk-client-mock';
import { awsDiscovery } from '../../source/session/aws-discovery.js';
import { missingAnswers } from '../../source/commands/wizard.js';
import { resolveSpec } from '../../source/spec/resolve.js';
import type { Cluster } from '../../source/spec/types.js';
import type { ConnectionTest } from '../../source/session/connection-test.js';
import { KEYS, press, screen, stroke, type, until } from '../_helpers/keys.js';
import { instance, reservations, selfAll } from '../cloud/_ec2.js';
import { confirm, hosts, runWizardApp, select, text, type WizardRun } from './_wizard.js';

const ec2 = mockClient(EC2Client);
test.after.always(() => ec2.restore());

const root = fileURLToPath(new URL('../../../', import.meta.url));

function example(name: string): Cluster {
	const result = resolveSpec({ file: { content: readFileSync(`${root}examples/${name}.yaml`, 'utf8'), name: `${name}.yaml` } });
	if (!result.ok) throw new Error(`${name}: ${JSON.stringify(result.problems)}`);
	return result.cluster;
}

/** Replaces a prefilled text answer: erases what is there, types the new value, Enter. */
async function replace(run: WizardRun, label: string, value: string): Promise<void> {
	const frame = await screen(run.app, new RegExp(`${label}:`));
	const current = new RegExp(`${label}: (\\S*)`).exec(frame)?.[1] ?? '';
	await stroke(run.app, KEYS.backspace, current.length);
	await type(run.app.stdin, value);
	await press(run.app.stdin, KEYS.enter);
}

/** Saves from the review and returns the saved file read back. */
async function save(run: WizardRun): Promise<{ text: string; cluster: Cluster }> {
	await screen(run.app, /Select what to do/);
	await select(run, /› Save and exit/);
	await text(run, /File: \.\/cluster\.yaml/);
	await until(() => run.saved.length === 1 && run.outcomes.length === 1);
	const saved = run.saved[0]?.text ?? '';
	const result = resolveSpec({ file: { content: saved, name: 'cluster.yaml' } });
	if (!result.ok) throw new Error(JSON.stringify(result.problems));
	return { text: saved, cluster: result.cluster };
}

async function ssh(run: WizardRun, answers: { user: string; identityFile?: string; bastion?: { address: string; user: string; port: string } }): Promise<void> {
	await text(run, /SSH user:/, answers.user);
	await text(run, /SSH port: 22/);
	await text(run, /SSH identity file:/, answers.identityFile ?? '');
	await select(run, /Select host key policy/);
	await text(run, /Bastion address:/, answers.bastion?.address ?? '');
	if (answers.bastion !== undefined) {
		await text(run, /Bastion user:/, answers.bastion.user);
		await text(run, /Bastion port:/, answers.bastion.port);
	}
}

function checkSaved(t: ExecutionContext, name: string, saved: { text: string; cluster: Cluster }): void {
	t.deepEqual(saved.cluster, example(name), `the saved file is examples/${name}.yaml`);
	const again = resolveSpec({ file: { content: saved.text, name: 'cluster.yaml' } });
	t.true(again.ok);
	if (again.ok) t.deepEqual(missingAnswers(again.cluster, again.provided), [], 'nothing is missing for install --config cluster.yaml --yes');
}

test.serial('baremetal + Cilium defaults, three hosts with private addresses and names', async (t) => {
	const run = runWizardApp();
	await text(run, /Cluster name:/, 'demo');
	await select(run, /Select target/);
	await hosts(run, [
		{ address: '192.0.2.10', privateAddress: '10.0.0.10', name: 'cp-1' },
		{ address: '192.0.2.11', privateAddress: '10.0.0.11', name: 'worker-1' },
		{ address: '192.0.2.12', privateAddress: '10.0.0.12', name: 'worker-2' },
	]);
	await ssh(run, { user: 'ubuntu' });
	for (const prompt of [/Kubernetes version:/, /Pod subnet:/, /Service subnet:/]) await text(run, prompt);
	await select(run, /Select CNI/);
	await select(run, /Select Cilium IPAM/);
	await select(run, /Select Cilium tunnel/);
	await confirm(run, /Disable masquerade\?/);
	await select(run, /Select policy enforcement/);
	await confirm(run, /kube-proxy replacement\?/);
	await confirm(run, /Hubble\?/);
	checkSaved(t, 'baremetal-cilium', await save(run));
});

test.serial('baremetal + Calico VXLAN, three control planes behind an endpoint, named hosts', async (t) => {
	const run = runWizardApp();
	await text(run, /Cluster name:/, 'lab');
	await select(run, /Select target/);
	await hosts(run, [
		{ address: '192.0.2.20', role: 'control-plane', name: 'cp-1' },
		{ address: '192.0.2.21', role: 'control-plane', name: 'cp-2' },
		{ address: '192.0.2.22', role: 'control-plane', name: 'cp-3' },
		{ address: '192.0.2.30', role: 'worker', name: 'worker-1' },
		{ address: '192.0.2.31', role: 'worker', name: 'worker-2' },
	]);
	await ssh(run, { user: 'admin', identityFile: '~/.ssh/id_ed25519' });
	for (const prompt of [/Kubernetes version:/, /Pod subnet:/, /Service subnet:/]) await text(run, prompt);
	await screen(run.app, /Control-plane endpoint:/);
	await press(run.app.stdin, KEYS.enter);
	t.regex(run.frame(), /✗ required with 3 control-plane hosts/, 'refused where it is typed');
	await text(run, /Control-plane endpoint:/, 'k8s-api.lab.example:6443');
	await select(run, /Select CNI/, 1);
	await select(run, /Select Calico encapsulation/, 1);
	await confirm(run, /Cross-subnet/i);
	await text(run, /Calico MTU: 0/);
	checkSaved(t, 'baremetal-calico-vxlan', await save(run));
});

test.serial('AWS + Cilium ENI through a bastion, instances by tag, private addresses: the discovery table, then the connection test on the instances', async (t) => {
	ec2.reset();
	ec2.on(DescribeInstancesCommand).resolves(reservations(
		instance({ id: 'i-0e0100000000000c1', role: 'control-plane', name: 'prod-eni-cp', privateIp: '10.0.1.10', publicIp: '' }),
		instance({ id: 'i-0e0100000000000a1', name: 'prod-eni-worker', privateIp: '10.0.1.11', publicIp: '', type: 'm5.large' }),
	));
	ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16' }] });
	ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-nodes', IpPermissions: [selfAll('sg-nodes')] }] });
	ec2.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [
		{ InstanceType: 't3.medium', NetworkInfo: { MaximumNetworkInterfaces: 3, Ipv4AddressesPerInterface: 6 }, VCpuInfo: { DefaultVCpus: 2 } },
		{ InstanceType: 'm5.large', NetworkInfo: { MaximumNetworkInterfaces: 3, Ipv4AddressesPerInterface: 10 }, VCpuInfo: { DefaultVCpus: 2 } },
	] });
	const tested: Cluster[] = [];
	const connectionTest: ConnectionTest = async (cluster, ui) => {
		tested.push(cluster);
		for (const host of cluster.spec.hosts) ui.report({ host: host.address, state: 'ok', detail: 'Ubuntu 24.04 · kernel 6.8.0 · sudo ok' });
	};
	const run = runWizardApp({ awsDiscovery: awsDiscovery({ secrets: [] }), connectionTest });
	await text(run, /Cluster name:/, 'prod-eni');
	await select(run, /Select target/, 1);
	await text(run, /AWS region:/, 'eu-west-1');
	await text(run, /Instance IDs:/);
	await text(run, /Instance tags:/, 'kubestrap.dev/cluster=prod-eni');
	await select(run, /Select SSH address type/, 1);
	await ssh(run, { user: 'ubuntu', bastion: { address: '198.51.100.5', user: 'ubuntu', port: '22' } });
	await text(run, /Kubernetes version:/);
	await replace(run, 'Pod subnet', '100.64.0.0/16');
	await text(run, /Service subnet:/);
	await text(run, /Control-plane endpoint:/);
	await select(run, /Select CNI/);
	await select(run, /Select Cilium IPAM/, 3);
	const frame = await select(run, /Select policy enforcement/);
	t.regex(frame, /IPAM eni: tunnel set to "disabled" and masquerade turned off/);
	await confirm(run, /kube-proxy replacement\?/);
	await confirm(run, /Hubble\?/);
	const found = await screen(run.app, /› Use these 2 instances/);
	t.regex(found, /Found 2 instances in eu-west-1 by tags kubestrap\.dev\/cluster=prod-eni \(1 control\s+plane, 1 worker\); SSH goes to their private addresses\./);
	t.regex(found, /^i-0e0100000000000c1 {2}prod-eni-cp {3}t3\.medium {2}10\.0\.1\.10 {3}running {2}control-plane$/m);
	t.regex(found, /^i-0e0100000000000a1 {2}prod-eni-wo… {2}m5\.large {3}10\.0\.1\.11 {3}running {2}worker$/m, 'a name cut to fit 80 columns');
	t.regex(found, /! spec\.network\.cilium\.ipam: control-plane instance i-0e0100000000000c1\s+\(prod-eni-cp\) has no IAM instance profile/, 'ENI mode: the instance profile warning');
	t.regex(found, /maxPods 17 on t3\.medium \(3 ENIs × 6 IPv4 addresses\): i-0e0100000000000c1/);
	t.deepEqual(ec2.commandCalls(DescribeInstancesCommand)[0]?.args[0].input.Filters?.[0], { Name: 'tag:kubestrap.dev/cluster', Values: ['prod-eni'] });
	t.is(ec2.commandCalls(GetConsoleOutputCommand).length, 0);
	t.is(tested.length, 0, 'no connection before the instances are confirmed');
	await press(run.app.stdin, KEYS.enter);
	await screen(run.app, /All 2 hosts passed\./);
	t.deepEqual(tested[0]?.spec.hosts.map((host) => [host.address, host.role]), [['10.0.1.10', 'control-plane'], ['10.0.1.11', 'worker']], 'the discovered private addresses');
	t.deepEqual(tested[0]?.spec.ssh.bastion, { address: '198.51.100.5', user: 'ubuntu', port: 22 }, 'through the bastion answered');
	await press(run.app.stdin, KEYS.enter);
	checkSaved(t, 'aws-cilium-eni', await save(run));
});

test.serial('AWS + Calico IPIP, three instances by ID', async (t) => {
	const run = runWizardApp();
	await text(run, /Cluster name:/, 'staging');
	await select(run, /Select target/, 1);
	await text(run, /AWS region:/, 'us-east-1');
	await text(run, /Instance IDs:/, 'i-0abc123def4567890, i-0abc123def4567891 i-0abc123def4567892');
	await select(run, /Select SSH address type/);
	await ssh(run, { user: 'ubuntu' });
	await text(run, /Kubernetes version:/);
	await replace(run, 'Pod subnet', '192.168.0.0/16');
	await text(run, /Service subnet:/);
	await text(run, /Control-plane endpoint:/);
	await select(run, /Select CNI/, 1);
	await select(run, /Select Calico encapsulation/);
	await confirm(run, /Cross-subnet/i);
	await text(run, /Calico MTU:/);
	checkSaved(t, 'aws-calico', await save(run));
});
