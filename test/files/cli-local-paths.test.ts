// Local paths that cannot be used end in one line naming the path and the fix, with exit 2, never a
// stack trace; a signal ends a run that is waiting on a host within the grace period, with exit 130.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin/kubestrap.js');

function run(args: string[], cwd: string, uid?: number): { code: number | null; stdout: string; stderr: string } {
	const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', HOME: cwd }, ...(uid === undefined ? {} : { uid, gid: uid }) });
	return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function config(dir: string, extra: { identityFile?: string; port?: number } = {}): string {
	const path = join(dir, 'cluster.yaml');
	writeFileSync(path, [
		'apiVersion: kubestrap.dev/v1alpha1',
		'kind: Cluster',
		'metadata: {name: demo}',
		'spec:',
		'  target: baremetal',
		'  hosts: [{address: 127.0.0.1, role: control-plane}]',
		`  ssh: {user: root, port: ${extra.port ?? 22}, knownHostsFile: ${join(dir, 'known_hosts')}${extra.identityFile ? `, identityFile: ${extra.identityFile}` : ''}}`,
		'  network: {cni: cilium}',
		'',
	].join('\n'));
	return path;
}

const noStack = /\n\s+at .+\(.*:\d+:\d+\)/;

test('a FIFO or a device as --config: exit 2, one line naming it', (t) => {
	const dir = mkdtempSync(join(tmpdir(), 'kubestrap-paths-'));
	execFileSync('mkfifo', [join(dir, 'fifo')]);
	const fifo = run(['validate', '--config', 'fifo'], dir);
	t.is(fifo.code, 2);
	t.regex(fifo.stderr, /^fifo: is a FIFO \(named pipe\), not a regular file; give the path of the config file itself$/m);
	const zero = run(['validate', '--config', '/dev/zero'], dir);
	t.is(zero.code, 2);
	t.regex(zero.stderr, /\/dev\/zero: is a character device, not a regular file/);
});

test('.kubestrap being a file: exit 2, names the file, no stack trace', (t) => {
	const dir = mkdtempSync(join(tmpdir(), 'kubestrap-paths-'));
	config(dir);
	writeFileSync(join(dir, '.kubestrap'), '');
	const result = run(['install', '--config', 'cluster.yaml', '--yes'], dir);
	t.is(result.code, 2, result.stderr);
	t.is(result.stderr.trim(), `kubestrap: ${join(dir, '.kubestrap')}: is a file where kubestrap needs a directory (for ${join(dir, '.kubestrap', 'demo', 'logs')}); move it away or run from another directory`);
	t.notRegex(result.stderr, noStack);
});

test('an unwritable working directory: exit 2, names it, no stack trace', (t) => {
	const dir = mkdtempSync(join(tmpdir(), 'kubestrap-paths-'));
	chmodSync(dir, 0o755);
	const work = join(dir, 'ro');
	mkdirSync(work);
	config(work);
	chmodSync(work, 0o555);
	// As an unprivileged user: root may write anywhere.
	const result = run(['install', '--config', 'cluster.yaml', '--yes'], work, 65534);
	t.is(result.code, 2, result.stderr);
	t.regex(result.stderr, new RegExp(`^kubestrap: ${work}/\\.kubestrap: permission denied; run kubestrap from a directory you may write to, or fix the owner and mode of ${work}$`, 'm'));
	t.notRegex(result.stderr, noStack);
});

for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
	test(`${signal} while the run waits on a host that refuses connections: exit 130 and the lock is released`, async (t) => {
		const dir = mkdtempSync(join(tmpdir(), 'kubestrap-paths-'));
		const server = createServer();
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const port = (server.address() as AddressInfo).port;
		await new Promise<void>((resolve) => server.close(() => resolve()));
		execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')]);
		config(dir, { port, identityFile: join(dir, 'id') });
		const child = spawn(process.execPath, [bin, 'install', '--config', 'cluster.yaml', '--yes'], { cwd: dir, env: { ...process.env, NO_COLOR: '1', HOME: dir } });
		let stderr = '';
		child.stderr.setEncoding('utf8');
		const retrying = new Promise<void>((resolve) => {
			child.stderr.on('data', (chunk: string) => {
				stderr += chunk;
				if (/ECONNREFUSED.*; attempt 2 in/.test(stderr)) resolve();
			});
		});
		await retrying;
		child.kill(signal);
		const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
		t.is(code, 130, stderr);
		t.regex(stderr, new RegExp(`${signal} received: stopping remote commands`));
		t.false(spawnSync('test', ['-e', join(dir, '.kubestrap', 'demo', 'lock')]).status === 0, 'the lock is released');
	});
}
