// `kubestrap upgrade` on target aws: the instances are found through EC2 with the same discovery install
// runs (a mocked EC2 client), their console host keys reach the SSH layer, and the upgrade runs on them
// as on baremetal hosts (a scripted fake cluster behind the connections). --dry-run changes nothing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand, DescribeInstanceTypesCommand, DescribeSecurityGroupsCommand, DescribeVpcsCommand, GetConsoleOutputCommand } from '@aws-sdk/client-ec2';
import test from 'ava';
import { stringify } from 'yaml';
import type { Io } from '../../source/commands/io.js';
import { upgradeCommand } from '../../source/commands/upgrade.js';
import type { ConnectOptions } from '../../source/remote/connection.js';
import type { Remote } from '../../source/remote/remote.js';
import { instance, mockedEc2, reservations, selfAll } from '../cloud/_ec2.js';
import { fakeCluster } from '../steps/_fake-cluster.js';

const PUBLIC = ['203.0.113.10', '203.0.113.11'];
const NODES = ['ip-10-0-1-10', 'ip-10-0-1-11'];
const KEY = (index: number): string => `SHA256:${String(index).repeat(43)}`;

function setup(version: string) {
	const { client, mock } = mockedEc2();
	mock.on(DescribeInstancesCommand).resolves(reservations(
		instance({ id: 'i-0a0000000000000c1', role: 'control-plane', privateIp: '10.0.1.10', publicIp: PUBLIC[0] as string }),
		instance({ id: 'i-0a0000000000000a1', role: 'worker', privateIp: '10.0.1.11', publicIp: PUBLIC[1] as string }),
	));
	mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16' }] });
	mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-nodes', IpPermissions: [selfAll('sg-nodes')] }] });
	mock.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [] });
	for (const [index, id] of ['i-0a0000000000000c1', 'i-0a0000000000000a1'].entries()) {
		const text = ['-----BEGIN SSH HOST KEY FINGERPRINTS-----', `256 ${KEY(index + 1)} root@node (ED25519)`, '-----END SSH HOST KEY FINGERPRINTS-----', ''].join('\n');
		mock.on(GetConsoleOutputCommand, { InstanceId: id }).resolves({ InstanceId: id, Output: Buffer.from(text).toString('base64') });
	}
	const dir = mkdtempSync(join(tmpdir(), 'kubestrap-upgrade-aws-'));
	writeFileSync(join(dir, 'cluster.yaml'), stringify({
		apiVersion: 'kubestrap.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'demo' },
		spec: {
			target: 'aws',
			aws: { region: 'eu-west-1', instanceTags: { 'kubestrap.dev/cluster': 'demo' }, addressType: 'public' },
			kubernetes: { version, podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12' },
			network: { cni: 'cilium' },
		},
	}));
	const fake = fakeCluster('1.35.8', [{ name: NODES[0] as string, controlPlane: true }, { name: NODES[1] as string, controlPlane: false }]);
	const connected: ConnectOptions[] = [];
	const connectWith = async (options: ConnectOptions): Promise<Remote> => {
		connected.push(options);
		// The scripted host behind what the session needs of a connection (its name, counters, close).
		const remote = fake.remote(NODES[PUBLIC.indexOf(options.host)] as string);
		return Object.assign(remote, { host: options.host, stats: { connectionsOpened: 1, commandsRun: remote.calls.length }, close: async () => undefined }) as unknown as Remote;
	};
	let err = '';
	const io: Io = { stdout: (text) => void (err += text), stderr: (text) => void (err += text), cwd: dir, isTTY: false };
	const deps = { aws: { ec2: () => client, retry: { sleep: async () => undefined } }, connectWith };
	return { mock, fake, connected, io, deps, err: () => err };
}

test('upgrade on target aws: the instances found through EC2 are upgraded (apply on the control plane, then the worker), each host key vouched for by its console output', async (t) => {
	const run = setup('1.36');
	const code = await upgradeCommand({ config: 'cluster.yaml', yes: true }, run.io, run.deps);
	t.is(code, 0, run.err());
	t.is(run.mock.commandCalls(DescribeInstancesCommand).length, 1);
	t.regex(run.err(), /aws: finding instances in eu-west-1 by tags kubestrap\.dev\/cluster=demo/);
	t.deepEqual(run.connected.map((o) => [o.host, o.trustedHostKeys?.fingerprints.map((f) => f.fingerprint)]), [[PUBLIC[0], [KEY(1)]], [PUBLIC[1], [KEY(2)]]]);
	t.is(run.fake.cluster.apiServer, '1.36.4');
	t.deepEqual([...run.fake.cluster.nodes.values()].map((n) => `${n.kubelet} ${n.unschedulable}`), ['1.36.4 false', '1.36.4 false']);
	t.true(run.fake.cluster.log.indexOf(`${NODES[0]}: kubeadm upgrade apply v1.36.4`) < run.fake.cluster.log.indexOf(`${NODES[1]}: drain`));
	t.regex(run.err(), /upgraded: control plane v1\.36\.4; ip-10-0-1-10 v1\.36\.4, ip-10-0-1-11 v1\.36\.4/);
});

test('upgrade --dry-run on target aws prints the plan for the discovered instances and changes nothing', async (t) => {
	const run = setup('1.36');
	const code = await upgradeCommand({ config: 'cluster.yaml', dryRun: true }, run.io, run.deps);
	t.is(code, 0, run.err());
	t.regex(run.err(), /ip-10-0-1-11  worker         v1\.35\.8 → the newest 1\.36 patch/);
	t.regex(run.err(), /dry run: nothing was changed/);
	t.is(run.fake.cluster.apiServer, '1.35.8');
	t.deepEqual(run.fake.cluster.log, []);
});

test('upgrade on target aws: an EC2 answer without the instances stops before any SSH connection (exit 2)', async (t) => {
	const run = setup('1.36');
	run.mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
	const code = await upgradeCommand({ config: 'cluster.yaml', yes: true }, run.io, run.deps);
	t.is(code, 2, run.err());
	t.regex(run.err(), /no SSH connection was made and nothing was changed/);
	t.deepEqual(run.connected, []);
});
