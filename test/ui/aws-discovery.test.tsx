// The AWS discovery screen in the whole wizard, with a scripted discovery function: the instance table
// within 80 columns, problems that keep "Use these" unavailable, warnings and notes, going back with the
// answers kept, searching again, a credential error, Esc and Ctrl-C while it runs, and the connection
// test on the discovered addresses. The table's fitting is tested on its own at several widths.
import test from 'ava';
import type { Cluster, Problem } from '../../source/spec/types.js';
import type { AwsDiscovery, AwsDiscoveryView, AwsInstanceView } from '../../source/session/aws-discovery.js';
import { fitInstanceTable } from '../../source/ui/aws-discovery.js';
import type { ConnectionTest } from '../../source/session/connection-test.js';
import { KEYS, press, screen, stroke, type, until } from '../_helpers/keys.js';
import { runWizardApp, select, text, type WizardRun } from './_wizard.js';

/** Everything but the AWS host answers: the wizard asks region, IDs, tags and address type, then discovers. */
const rest = {
	metadata: { name: 'demo' },
	spec: {
		target: 'aws',
		ssh: { user: 'ubuntu' },
		kubernetes: { version: '1.35', podSubnet: '100.64.0.0/16', serviceSubnet: '10.96.0.0/12' },
		network: { cni: 'cilium', cilium: { ipam: 'eni', enablePolicy: 'default', kubeProxyReplacement: false, hubble: true } },
	},
};

function row(id: string, changes: Partial<AwsInstanceView> = {}): AwsInstanceView {
	const n = Number.parseInt(id.slice(-1), 16);
	return {
		id,
		name: `demo-${n}`,
		type: 't3.medium',
		az: 'eu-west-1a',
		subnet: 'subnet-0a1b2c3d4e5f67890',
		privateIp: `10.0.1.${10 + n}`,
		publicIp: `198.51.100.${10 + n}`,
		state: 'running',
		role: n === 1 ? 'control-plane' : 'worker',
		roleTag: n === 1 ? 'control-plane' : 'worker',
		...changes,
	};
}

const ROWS = [row('i-0e2e0000000000001'), row('i-0e2e0000000000002'), row('i-0e2e0000000000003', { name: '' })];

function view(instances: readonly AwsInstanceView[], extra: Partial<AwsDiscoveryView> = {}): AwsDiscoveryView {
	return {
		instances,
		hosts: instances.map((r) => ({ address: r.privateIp, role: r.role ?? 'worker', privateAddress: r.privateIp })),
		problems: [],
		warnings: [],
		notes: [],
		...extra,
	};
}

const PROFILE_WARNING: Problem = {
	path: 'spec.network.cilium.ipam',
	message: 'control-plane instance i-0e2e0000000000001 (demo-1) has no IAM instance profile; cilium-operator runs there in ENI mode and needs the policy `kubestrap aws iam-policy` prints.',
};
const TWO_VPCS: Problem = {
	path: 'spec.aws.instanceTags',
	message: 'the instances are in 2 VPCs (vpc-1: i-0e2e0000000000001; vpc-2: i-0e2e0000000000002, i-0e2e0000000000003); a cluster\'s nodes must share one VPC, so choose instances from one of them',
};

/** Answers the views in order (the last one again after that), recording every call. */
function scripted(...views: Array<AwsDiscoveryView | Error>): AwsDiscovery & { calls: Array<{ cluster: Cluster; signal: AbortSignal }> } {
	const calls: Array<{ cluster: Cluster; signal: AbortSignal }> = [];
	const discover = async (cluster: Cluster, signal: AbortSignal): Promise<AwsDiscoveryView> => {
		calls.push({ cluster, signal });
		const next = views[Math.min(calls.length, views.length) - 1];
		if (next instanceof Error) throw next;
		if (next === undefined) throw new Error('no view scripted');
		return next;
	};
	return Object.assign(discover, { calls });
}

/** A discovery that answers only when the test says so (or never), to look at the running screen. */
function held(): AwsDiscovery & { calls: AbortSignal[]; answer: (view: AwsDiscoveryView) => void } {
	const calls: AbortSignal[] = [];
	let resolve: ((view: AwsDiscoveryView) => void) | undefined;
	const discover = (_cluster: Cluster, signal: AbortSignal): Promise<AwsDiscoveryView> => {
		calls.push(signal);
		return new Promise((done) => {
			resolve = done;
		});
	};
	return Object.assign(discover, { calls, answer: (v: AwsDiscoveryView) => resolve?.(v) });
}

async function awsAnswers(run: WizardRun, addressDowns = 1): Promise<void> {
	await text(run, /AWS region:/, 'eu-west-1');
	await text(run, /Instance IDs:/);
	await text(run, /Instance tags:/, 'kubestrap.dev/cluster=demo');
	await select(run, /Select SSH address type/, addressDowns);
}

const widest = (frame: string): number => Math.max(...frame.split('\n').map((line) => [...line].length));

test.serial('the discovery runs after the last answer and shows the instances, warnings and notes in 80 columns; "Use these" leads to the review', async (t) => {
	const discover = scripted(view(ROWS, { warnings: [PROFILE_WARNING], notes: ['maxPods 17 on t3.medium (3 ENIs × 6 IPv4 addresses): i-0e2e0000000000001, i-0e2e0000000000002, i-0e2e0000000000003'] }));
	const run = runWizardApp({ trees: [rest], awsDiscovery: discover });
	await awsAnswers(run);
	const frame = await screen(run.app, /Select what to do/);
	t.log(`\n${frame}`);
	t.regex(frame, /kubestrap {2}Hosts › Instances › Review/, 'its own section, last before the review');
	t.regex(frame, /Found 3 instances in eu-west-1 by tags kubestrap\.dev\/cluster=demo \(1 control\s+plane, 2 workers\); SSH goes to their private addresses\./);
	t.regex(frame, /^ID {19}NAME {4}TYPE {7}PRIVATE IP {2}STATE {4}ROLE$/m);
	t.regex(frame, /^i-0e2e0000000000001 {2}demo-1 {2}t3\.medium {2}10\.0\.1\.11 {3}running {2}control-plane$/m);
	t.regex(frame, /^i-0e2e0000000000003 {2}- {7}t3\.medium {2}10\.0\.1\.13 {3}running {2}worker$/m);
	t.regex(frame, /\(SUBNET, AZ and PUBLIC IP left out to fit 80 columns\)/);
	t.regex(frame, /! spec\.network\.cilium\.ipam: control-plane instance i-0e2e0000000000001 \(demo-1\)\s+has no IAM instance profile/);
	t.regex(frame, /maxPods 17 on t3\.medium \(3 ENIs × 6 IPv4 addresses\)/);
	t.regex(frame, /No problems found\./);
	t.regex(frame, /› Use these 3 instances\n {2}Change the selection\n {2}Search again\n {2}Exit without saving/);
	t.true(widest(frame) <= 80, `every line within 80 columns:\n${frame}`);
	t.is(discover.calls.length, 1);
	const asked = discover.calls[0]?.cluster;
	t.deepEqual(asked?.spec.aws, { region: 'eu-west-1', instanceIds: [], instanceTags: { 'kubestrap.dev/cluster': 'demo' }, addressType: 'private' }, 'discovered with the answers');
	t.is(asked?.spec.network.cilium.ipam, 'eni', 'and with the CNI answers the checks depend on');
	await press(run.app.stdin, KEYS.enter);
	const review = await screen(run.app, /Review/);
	t.regex(review, /IAM \(ENI\) +the control-plane instance role needs this policy/, 'the review keeps the IAM action list');
	await select(run, /› Save and exit/);
	await text(run, /File:/);
	await until(() => run.saved.length === 1);
	const saved = run.saved[0]?.text ?? '';
	t.regex(saved, /aws:\n {4}region: eu-west-1\n {4}instanceTags:\n {6}kubestrap\.dev\/cluster: demo\n {4}addressType: private\n/);
	t.notRegex(saved, /hosts:|10\.0\.1\.1/, 'the discovered instances are not saved: install finds them again');
});

test.serial('problems keep "Use these" unavailable; "Search again" runs it again; Esc and "Change the selection" go back with the answers kept', async (t) => {
	const discover = scripted(view(ROWS, { problems: [TWO_VPCS] }), view(ROWS));
	const run = runWizardApp({ trees: [rest], awsDiscovery: discover });
	await awsAnswers(run);
	let frame = await screen(run.app, /Select what to do/);
	t.regex(frame, /✗ spec\.aws\.instanceTags: the instances are in 2 VPCs \(vpc-1:\s+i-0e2e0000000000001; vpc-2:/);
	t.regex(frame, /Use these 3 instances — unavailable: fix the problem above first/);
	t.regex(frame, /› Change the selection/, 'the cursor starts on what can fix it');
	t.notRegex(frame, /No problems found/);
	await stroke(run.app, KEYS.up);
	await press(run.app.stdin, KEYS.enter);
	t.regex(run.frame(), /Use these 3 instances is unavailable: fix the problem above first/, 'Enter on it is refused');
	t.is(discover.calls.length, 1);

	await stroke(run.app, KEYS.down, 2);
	await press(run.app.stdin, KEYS.enter);
	frame = await screen(run.app, /› Use these 3 instances/);
	t.is(discover.calls.length, 2, 'searched again');
	t.not(discover.calls[1]?.signal, discover.calls[0]?.signal);
	t.notRegex(frame, /VPCs/);

	await press(run.app.stdin, KEYS.escape);
	t.regex(await screen(run.app, /Select SSH address type/), /› private/, 'Esc: the question before, answer kept');
	await press(run.app.stdin, KEYS.enter);
	await screen(run.app, /Select what to do/);
	t.is(discover.calls.length, 3, 'coming back runs it again');

	await select(run, /› Use these/, 1);
	t.regex(await screen(run.app, /AWS region: eu-west-1/), /AWS region: eu-west-1/, 'back at the first AWS answer, kept');
	await press(run.app.stdin, KEYS.enter);
	await screen(run.app, /Instance IDs:/);
	await press(run.app.stdin, KEYS.enter);
	t.regex(await screen(run.app, /Instance tags:/), /Instance tags: kubestrap\.dev\/cluster=demo/);
	await stroke(run.app, KEYS.backspace, 4);
	await type(run.app.stdin, 'prod');
	await press(run.app.stdin, KEYS.enter);
	t.regex(await screen(run.app, /Select SSH address type/), /› private/);
	await press(run.app.stdin, KEYS.enter);
	await screen(run.app, /Select what to do/);
	t.deepEqual(discover.calls[3]?.cluster.spec.aws?.instanceTags, { 'kubestrap.dev/cluster': 'prod' }, 'discovered with the changed selection');
	run.app.unmount();
});

test.serial('a credential error is one line with its fix and the same choices; a failed discovery is shown the same way', async (t) => {
	const sso = 'the AWS SSO session of profile team-sso has expired or is not signed in: run `aws sso login --profile team-sso` and try again';
	const discover = scripted(view([], { failure: sso }), new Error('socket hang up'));
	const run = runWizardApp({ trees: [rest], awsDiscovery: discover });
	await awsAnswers(run);
	let frame = await screen(run.app, /Select what to do/);
	t.regex(frame, /Could not look for instances in eu-west-1 by tags kubestrap\.dev\/cluster=demo\./);
	t.regex(frame, /✗ the AWS SSO session of profile team-sso has expired or is not signed in: run\s+`aws sso login --profile team-sso` and try again/);
	t.regex(frame, /Use these instances — unavailable: the discovery failed \(see above\)\n {2}Change the selection\n {2}Search again\n› Save without discovery \(install finds the instances then\)\n {2}Exit without saving/);
	t.notRegex(frame, /^ID /m, 'no table without instances');
	await screen(run.app, /› Save without discovery/);
	await stroke(run.app, KEYS.up);
	await select(run, /› Search again/);
	frame = await screen(run.app, /✗ the discovery stopped: socket hang up/);
	t.regex(frame, /Use these instances — unavailable/);
	await select(run, /› Save without discovery/, 1);
	await until(() => run.outcomes.length === 1);
	t.true(typeof run.outcomes[0] === 'object' && run.outcomes[0].savedPath === undefined);
	t.deepEqual(run.saved, []);
	t.regex(await screen(run.app, /Exited/), /Exited without saving; nothing was written\./);
});

test.serial('while it runs: a spinner and the selection; Esc aborts it and goes back; Ctrl-C aborts it and ends with nothing saved', async (t) => {
	const discover = held();
	const run = runWizardApp({ trees: [rest], awsDiscovery: discover });
	await awsAnswers(run, 0);
	const frame = await screen(run.app, /Finding instances/);
	t.regex(frame, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Finding instances in eu-west-1 by tags kubestrap\.dev\/cluster=demo…/);
	t.regex(frame, /esc back · ctrl-c quit/);
	await press(run.app.stdin, KEYS.escape);
	await screen(run.app, /Select SSH address type/);
	t.true(discover.calls[0]?.aborted, 'Esc aborted the discovery');
	discover.answer(view(ROWS));
	await press(run.app.stdin, KEYS.enter);
	await screen(run.app, /Finding instances/);
	t.is(discover.calls.length, 2);
	t.false(discover.calls[1]?.aborted);
	await press(run.app.stdin, KEYS.ctrlC);
	await until(() => run.outcomes.length === 1);
	t.deepEqual(run.outcomes, ['aborted']);
	t.deepEqual(run.saved, []);
	t.true(discover.calls[1]?.aborted, 'Ctrl-C aborted the discovery');
	t.regex(await screen(run.app, /Interrupted/), /Interrupted; nothing was saved\./);
});

test.serial('after "Use these" the connection test connects to the discovered addresses; its choices lead to the SSH answers and the selection', async (t) => {
	const tested: Cluster[] = [];
	const connectionTest: ConnectionTest = async (cluster, ui) => {
		tested.push(cluster);
		for (const host of cluster.spec.hosts) ui.report({ host: host.address, state: host.address.endsWith('.13') ? 'failed' : 'ok', detail: host.address.endsWith('.13') ? 'unreachable: cannot connect' : 'Ubuntu 24.04 · kernel 6.8.0 · sudo ok' });
	};
	const { ssh: _ssh, ...withoutSsh } = rest.spec;
	const trees = [{ ...rest, spec: withoutSsh }];
	const run = runWizardApp({ trees, awsDiscovery: scripted(view(ROWS)), connectionTest });
	await text(run, /AWS region:/, 'eu-west-1');
	await text(run, /Instance IDs:/, 'i-0e2e0000000000001 i-0e2e0000000000002 i-0e2e0000000000003');
	await select(run, /Select SSH address type/, 1);
	await text(run, /SSH user:/, 'ubuntu');
	for (const prompt of [/SSH port:/, /SSH identity file:/]) await text(run, prompt);
	await select(run, /Select host key policy/);
	await text(run, /Bastion address:/);
	t.regex(await screen(run.app, /Select what to do/), /by IDs i-0e2e0000000000001, i-0e2e0000000000002,\s+i-0e2e0000000000003 \(/);
	t.is(tested.length, 0, 'nothing is connected to before the instances are confirmed');
	await press(run.app.stdin, KEYS.enter);
	let frame = await screen(run.app, /1 of 3 hosts failed\./);
	t.regex(frame, /kubestrap {2}Hosts › SSH › Instances › Review/);
	t.deepEqual(tested[0]?.spec.hosts.map((h) => h.address), ['10.0.1.11', '10.0.1.12', '10.0.1.13']);
	t.is(tested[0]?.spec.ssh.user, 'ubuntu');
	t.regex(frame, /✓ 10\.0\.1\.11 +Ubuntu 24\.04/);
	t.regex(frame, /› Test again\n {2}Change the instance selection\n {2}Change the SSH settings\n {2}Continue anyway/);
	await select(run, /› Test again/, 2);
	t.regex(await screen(run.app, /Bastion address:/), /Bastion address:/, 'the last SSH answer');
	await text(run, /Bastion address:/);
	await select(run, /› Use these 3 instances/);
	await screen(run.app, /1 of 3 hosts failed\./);
	t.is(tested.length, 2);
	await select(run, /› Test again/, 1);
	frame = await screen(run.app, /AWS region: eu-west-1/);
	t.regex(frame, /kubestrap {2}Hosts › SSH › Instances › Review/, 'back at the instance selection, kept');
	t.notRegex(frame, /SSH connection test/);
	run.app.unmount();
});

test('the table fits the width: every column when there is room, then SUBNET, AZ, the unused address and TYPE go, and the name is cut', (t) => {
	const rows = [row('i-0123456789abcdef1', { name: 'production-control-plane-1' }), row('i-0123456789abcdef2', { role: undefined, roleTag: 'boss', state: 'stopped', publicIp: undefined })];
	const wide = fitInstanceTable(rows, 160, 'private');
	t.deepEqual(wide.left, []);
	t.deepEqual(wide.lines, [
		'ID                   NAME                        TYPE       AZ          SUBNET                    PRIVATE IP  PUBLIC IP      STATE    ROLE',
		'i-0123456789abcdef1  production-control-plane-1  t3.medium  eu-west-1a  subnet-0a1b2c3d4e5f67890  10.0.1.11   198.51.100.11  running  control-plane',
		'i-0123456789abcdef2  demo-2                      t3.medium  eu-west-1a  subnet-0a1b2c3d4e5f67890  10.0.1.12   -              stopped  (boss)',
	]);
	for (const width of [120, 100, 80, 72, 60, 40]) {
		for (const addressType of ['private', 'public'] as const) {
			const fitted = fitInstanceTable(rows, width, addressType);
			const header = fitted.lines[0] ?? '';
			for (const title of ['ID', 'PRIVATE IP', 'STATE', 'ROLE']) if (addressType === 'private' || title !== 'PRIVATE IP') t.true(header.includes(title), `${title} stays at ${width}`);
			if (addressType === 'public') t.true(header.includes('PUBLIC IP'), `the SSH address stays at ${width}`);
			if (width >= 60) t.true(fitted.lines.every((line) => line.length <= width), `${width} ${addressType}:\n${fitted.lines.join('\n')}`);
			for (const title of fitted.left) t.false(new RegExp(`\\b${title}\\b`).test(header), `${title} is left out`);
		}
	}
	const at80 = fitInstanceTable(rows, 80, 'private');
	t.deepEqual(at80.left, ['SUBNET', 'AZ', 'PUBLIC IP']);
	t.deepEqual(at80.lines, [
		'ID                   NAME          TYPE       PRIVATE IP  STATE    ROLE',
		'i-0123456789abcdef1  production-…  t3.medium  10.0.1.11   running  control-plane',
		'i-0123456789abcdef2  demo-2        t3.medium  10.0.1.12   stopped  (boss)',
	], 'the name is cut to what is left of the 80 columns');
	t.deepEqual(fitInstanceTable(rows, 80, 'public').left, ['SUBNET', 'AZ', 'PRIVATE IP'], 'the address SSH uses stays');
	t.deepEqual(fitInstanceTable(rows, 60, 'public').left, ['SUBNET', 'AZ', 'PRIVATE IP', 'TYPE', 'NAME'], 'too narrow for a useful name: it goes too');
});
