// Connecting: failures and their classification, bastion hops, ~/.ssh/config, reconnects.

import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import test from 'ava';

import { connect } from '../../source/remote/connection.js';
import { HostKeyError, RemoteError } from '../../source/remote/errors.js';
import { leaseAddress } from '../_helpers/sim/leases.js';
import { startHosts, type TestHosts } from '../_helpers/sshd-hosts.js';
import { connectOptions, hostAt } from './helpers.js';

const run = promisify(execFile);

let hosts: TestHosts;
let dir: string;
const BASTION = 0;
const TARGET = 1;
const RESTARTED = 2;

test.before(async () => {
	hosts = await startHosts(3, { names: ['bastion', 'target', 'flaky'] });
	dir = await mkdtemp(join(tmpdir(), 'kubestrap-connect-'));
});

test.after.always(async () => {
	await hosts?.stop();
	await rm(dir, { recursive: true, force: true });
});

function bastion(): { host: string; port: number; user: string } {
	const host = hostAt(hosts, BASTION);
	return { host: host.address, port: host.port, user: hosts.user };
}

test('unreachable host: kind unreachable, names the host, retried with backoff until the short deadline', async (t) => {
	const lease = await leaseAddress(22);
	t.teardown(() => lease.release());
	const retries: number[] = [];
	const started = Date.now();
	const error = await t.throwsAsync(connect({
		...connectOptions(hosts, 0),
		host: lease.address,
		port: 22,
		deadlineMs: 1500,
		backoff: { baseMs: 100 },
		onRetry: ({ attempt }) => retries.push(attempt),
	}));
	const elapsed = Date.now() - started;
	t.true(error instanceof RemoteError);
	t.is((error as RemoteError).kind, 'unreachable');
	t.is((error as RemoteError).host, lease.address);
	t.true((error as RemoteError).retryable);
	t.regex(error?.message ?? '', new RegExp(`host ${lease.address.replaceAll('.', '\\.')}:22: cannot connect \\(connect ECONNREFUSED`));
	t.regex(error?.message ?? '', /gave up after \d+ attempts/);
	t.true(retries.length >= 2);
	t.true(elapsed < 3000, `took ${elapsed} ms`);
});

test('missing identity file: auth error at once, no connection attempt', async (t) => {
	const error = await t.throwsAsync(connect(connectOptions(hosts, TARGET, { identityFile: join(dir, 'nope') })));
	t.is((error as RemoteError).kind, 'auth');
	t.false((error as RemoteError).retryable);
	t.regex(error?.message ?? '', /identity file .*nope: does not exist/);
});

test('a key the host does not accept: auth error naming host and user, not retried', async (t) => {
	const keyFile = join(dir, 'stranger');
	await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
	const retries: unknown[] = [];
	const error = await t.throwsAsync(connect(connectOptions(hosts, TARGET, { identityFile: keyFile, onRetry: (info) => retries.push(info) })));
	t.is((error as RemoteError).kind, 'auth');
	t.regex(error?.message ?? '', /authentication as kubestrap-test failed/);
	t.deepEqual(retries, []);
});

// Serial: it counts the bastion's logins, which the other bastion tests would add to.
test.serial('bastion hop: the target is reached through a direct-tcpip channel of the bastion', async (t) => {
	const bastionLog = join(hostAt(hosts, BASTION).root, 'sshd.log');
	const before = (await readFile(bastionLog, 'utf8')).split('Accepted publickey').length;
	const remote = await connect(connectOptions(hosts, TARGET, { bastion: bastion() }));
	t.teardown(() => remote.close());
	t.is((await remote.exec(['hostname'])).stdout.trim(), 'target');
	t.is((await remote.exec(['hostname'])).stdout.trim(), 'target');
	t.like(remote.stats, { connectionsOpened: 1, hopConnectionsOpened: 1 });
	t.is((await readFile(bastionLog, 'utf8')).split('Accepted publickey').length, before + 1);
});

test('bastion hop: the bastion host key is verified like any other', async (t) => {
	const knownHostsFile = join(dir, 'target_only_known_hosts');
	await writeFile(knownHostsFile, `${hostAt(hosts, TARGET).knownHostsLine}\n`);
	const error = await t.throwsAsync(connect(connectOptions(hosts, TARGET, { bastion: bastion(), knownHostsFile })));
	t.true(error instanceof HostKeyError);
	t.is((error as HostKeyError).host, hostAt(hosts, BASTION).address);
});

test('~/.ssh/config: an alias with HostName, User, Port, IdentityFile and ProxyJump', async (t) => {
	const target = hostAt(hosts, TARGET);
	const hop = hostAt(hosts, BASTION);
	const configFile = join(dir, 'ssh_config');
	await writeFile(configFile, [
		'Host kst-target',
		`  HostName ${target.address}`,
		`  User ${hosts.user}`,
		`  Port ${target.port}`,
		`  ProxyJump ${hosts.user}@${hop.address}:${hop.port}`,
		'Host *',
		`  IdentityFile ${hosts.identityFile}`,
		'  User somebody-else',
		'',
	].join('\n'));
	const remote = await connect({
		host: 'kst-target',
		knownHostsFile: hosts.knownHostsFile,
		extraKnownHostsFiles: [],
		hostKeyPolicy: 'strict',
		sshConfigFile: configFile,
		home: dir,
		agent: false,
		deadlineMs: 5000,
	});
	t.teardown(() => remote.close());
	t.is(remote.host, 'kst-target');
	t.is((await remote.exec(['hostname'])).stdout.trim(), 'target');
	t.is((await remote.exec(['id', '-un'])).stdout.trim(), hosts.user);
	t.is(remote.stats.hopConnectionsOpened, 1);
	// Explicit values win over the config: a wrong explicit port fails even though the config has the right one.
	await t.throwsAsync(connect({
		host: 'kst-target', port: 1, knownHostsFile: hosts.knownHostsFile, hostKeyPolicy: 'strict',
		sshConfigFile: configFile, home: dir, agent: false, deadlineMs: 300,
	}), { instanceOf: RemoteError });
});

test('two jump hosts from ProxyJump: each hop verified and counted', async (t) => {
	const configFile = join(dir, 'two_hops_config');
	const hop1 = hostAt(hosts, BASTION);
	const hop2 = hostAt(hosts, RESTARTED);
	await writeFile(configFile, `Host *\n  IdentityFile ${hosts.identityFile}\n  ProxyJump ${hosts.user}@${hop1.address}:${hop1.port},${hosts.user}@${hop2.address}:${hop2.port}\n`);
	const remote = await connect({ ...connectOptions(hosts, TARGET), identityFile: undefined, sshConfigFile: configFile, home: dir });
	t.teardown(() => remote.close());
	t.is((await remote.exec(['hostname'])).stdout.trim(), 'target');
	t.like(remote.stats, { connectionsOpened: 1, hopConnectionsOpened: 2 });
});

test('ssh-agent: the key offered by the agent logs in, no identity file needed', async (t) => {
	const socket = join(dir, 'agent.sock');
	const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
	t.teardown(() => {
		agent.kill();
	});
	for (let waited = 0; !existsSync(socket) && waited < 3000; waited += 20) {
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	await run('ssh-add', [hosts.identityFile], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
	const remote = await connect({ ...connectOptions(hosts, TARGET), identityFile: undefined, home: dir, agent: socket });
	t.teardown(() => remote.close());
	t.is((await remote.exec(['hostname'])).stdout.trim(), 'target');
});

test.serial('a dropped connection fails the running command (retryable) and the next command reconnects', async (t) => {
	const remote = await connect(connectOptions(hosts, RESTARTED));
	t.teardown(() => remote.close());
	t.is((await remote.exec(['hostname'])).stdout.trim(), 'flaky');
	const running = remote.exec(['sleep', '30']);
	await new Promise((resolve) => setTimeout(resolve, 200));
	await hosts.stopHost(RESTARTED);
	const error = await t.throwsAsync(running);
	t.is((error as RemoteError).kind, 'unreachable');
	t.true((error as RemoteError).retryable);
	t.regex(error?.message ?? '', /connection lost while running 'sleep'/);
	await hosts.startHost(RESTARTED);
	t.is((await remote.exec(['hostname'])).stdout.trim(), 'flaky');
	t.is(remote.stats.connectionsOpened, 2);
});

test.serial('sshd down at first, up a moment later: connect retries and gets in within the deadline', async (t) => {
	await hosts.stopHost(RESTARTED);
	setTimeout(() => {
		void hosts.startHost(RESTARTED);
	}, 800);
	const remote = await connect(connectOptions(hosts, RESTARTED, { deadlineMs: 15_000, backoff: { baseMs: 200, capMs: 1000 } }));
	t.teardown(() => remote.close());
	t.true(remote.stats.connectAttempts > 1);
	t.is(remote.stats.connectionsOpened, 1);
	t.is((await remote.exec(['hostname'])).stdout.trim(), 'flaky');
});

test('close() ends the connection; later calls fail clearly', async (t) => {
	const remote = await connect(connectOptions(hosts, TARGET));
	await remote.close();
	const error = await t.throwsAsync(remote.exec(['true']));
	t.regex(error?.message ?? '', /closed by kubestrap/);
});
