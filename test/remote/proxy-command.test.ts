// ProxyCommand from ~/.ssh/config against real sshd test hosts: the SSH connection runs over the stdio of
// a local command (a small node script piping a TCP connection, as `nc %h %p` would), the child ends with
// the connection, and a command that exits at once is reported with what it printed on stderr.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import test from 'ava';

import { connect } from '../../source/remote/connection.js';
import { quote } from '../../source/remote/quote.js';
import { RemoteError } from '../../source/remote/errors.js';
import { startHosts, type TestHosts } from '../_helpers/sshd-hosts.js';
import { hostAt } from './helpers.js';

const run = promisify(execFile);

let hosts: TestHosts;
let dir: string;
let pipeScript: string;

// Pipes stdin/stdout to host:port and writes its pid to a file, so the test can see that it ends.
const PIPE = `
const net = require('node:net');
const fs = require('node:fs');
const [host, port, pidFile] = process.argv.slice(2);
fs.writeFileSync(pidFile, String(process.pid));
const socket = net.connect(Number(port), host);
process.stdin.pipe(socket);
socket.pipe(process.stdout);
socket.on('error', (error) => { process.stderr.write('pipe: ' + error.message + '\\n'); process.exit(3); });
`;

test.before(async () => {
	hosts = await startHosts(1, { names: ['proxied'] });
	dir = await mkdtemp(join(tmpdir(), 'kubestrap-proxy-'));
	pipeScript = join(dir, 'pipe.cjs');
	await writeFile(pipeScript, PIPE);
});

test.after.always(async () => {
	await hosts?.stop();
	await rm(dir, { recursive: true, force: true });
});

async function alive(pid: number): Promise<boolean> {
	try {
		process.kill(pid, 0);
		const { stdout } = await run('ps', ['-o', 'stat=', '-p', String(pid)]);
		return !stdout.trim().startsWith('Z');
	} catch {
		return false;
	}
}

async function until(check: () => Promise<boolean>): Promise<boolean> {
	for (let i = 0; i < 100; i++) {
		if (await check()) return true;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	return false;
}

test('ProxyCommand %h %p: the connection runs through the command; the command ends when the connection closes', async (t) => {
	const target = hostAt(hosts, 0);
	const pidFile = join(dir, 'pid-ok');
	const configFile = join(dir, 'config-ok');
	await writeFile(configFile, [
		'Host proxied',
		`  HostName ${target.address}`,
		`  Port ${target.port}`,
		`  User ${hosts.user}`,
		`  IdentityFile ${hosts.identityFile}`,
		`  ProxyCommand ${quote(process.execPath)} ${quote(pipeScript)} %h %p ${quote(pidFile)}`,
		'',
	].join('\n'));
	const remote = await connect({
		host: 'proxied', knownHostsFile: hosts.knownHostsFile, extraKnownHostsFiles: [], hostKeyPolicy: 'strict',
		sshConfigFile: configFile, home: dir, agent: false, deadlineMs: 5000,
	});
	let closed = false;
	t.teardown(async () => {
		if (!closed) await remote.close();
	});
	t.is((await remote.exec(['hostname'])).stdout.trim(), 'proxied');
	// The SSH peer is the proxy's TCP connection from loopback, not a direct one: sshd sees the script's socket.
	const pid = Number(await readFile(pidFile, 'utf8'));
	t.true(await alive(pid), 'the proxy runs while the connection is open');
	const { stdout } = await run('ps', ['-o', 'args=', '-p', String(pid)]);
	t.true(stdout.includes(pipeScript) && stdout.includes(`${target.address} ${target.port}`), `the tokens were substituted: ${stdout}`);
	await remote.close();
	closed = true;
	t.true(await until(async () => !(await alive(pid))), 'the proxy is ended with the connection');
});

test('a ProxyCommand that exits at once: a clear error with its stderr, not retried', async (t) => {
	const target = hostAt(hosts, 0);
	const configFile = join(dir, 'config-fail');
	await writeFile(configFile, [
		'Host broken',
		`  HostName ${target.address}`,
		`  User ${hosts.user}`,
		`  IdentityFile ${hosts.identityFile}`,
		'  ProxyCommand sh -c \'echo "no route to %h port %p" >&2; exit 7\'',
		'',
	].join('\n'));
	const attempts: number[] = [];
	const error = await t.throwsAsync(connect({
		host: 'broken', knownHostsFile: hosts.knownHostsFile, extraKnownHostsFiles: [], hostKeyPolicy: 'strict',
		sshConfigFile: configFile, home: dir, agent: false, deadlineMs: 5000, onRetry: ({ attempt }) => attempts.push(attempt),
	}));
	t.true(error instanceof RemoteError);
	t.is(error?.message, `host broken: the ProxyCommand from the ssh config exited with code 7: no route to ${target.address} port 22; fix the command or set ProxyCommand none for this host`);
	t.deepEqual(attempts, []);
});

test('a bastion given explicitly wins over the config ProxyCommand (as ssh -J does)', async (t) => {
	const target = hostAt(hosts, 0);
	const configFile = join(dir, 'config-bastion');
	await writeFile(configFile, [
		'Host behind',
		`  HostName ${target.address}`,
		`  IdentityFile ${hosts.identityFile}`,
		'  ProxyCommand sh -c \'echo proxy was used >&2; exit 9\'',
		'Host *',
		`  IdentityFile ${hosts.identityFile}`,
		'',
	].join('\n'));
	// The bastion is the test host itself, reached directly; the target is reached through it. (The
	// bastion's own config entry would apply to the bastion connection, as with ssh -J.)
	const remote = await connect({
		host: 'behind', port: target.port, user: hosts.user,
		bastion: { host: target.address, port: target.port, user: hosts.user },
		knownHostsFile: hosts.knownHostsFile, extraKnownHostsFiles: [], hostKeyPolicy: 'strict',
		sshConfigFile: configFile, home: dir, agent: false, deadlineMs: 5000,
	});
	t.teardown(() => remote.close());
	t.is((await remote.exec(['hostname'])).stdout.trim(), 'proxied');
	t.is(remote.stats.hopConnectionsOpened, 1);
});
