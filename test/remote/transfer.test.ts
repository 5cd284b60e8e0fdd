// upload and download over a real OpenSSH sshd test host.

import { randomBytes } from 'node:crypto';

import test from 'ava';

import { connect } from '../../source/remote/connection.js';
import { RemoteError } from '../../source/remote/errors.js';
import type { Remote } from '../../source/remote/remote.js';
import { startHosts, type TestHosts } from '../_helpers/sshd-hosts.js';
import { connectOptions } from './helpers.js';

let hosts: TestHosts;
let remote: Remote;

test.before(async () => {
	hosts = await startHosts(1);
	remote = await connect(connectOptions(hosts, 0));
});

test.after.always(async () => {
	await remote?.close();
	await hosts?.stop();
});

async function statOf(path: string, sudo = false): Promise<string> {
	return (await remote.exec(['stat', '-c', '%a %U %s', path], { sudo })).stdout.trim();
}

test('upload as the login user: default mode 0600, parent dirs created, no temp file left', async (t) => {
	await remote.upload('token: abc\n', '/tmp/kubestrap/a/b/join.yaml');
	t.is(await statOf('/tmp/kubestrap/a/b/join.yaml'), '600 kubestrap-test 11');
	t.is((await remote.exec(['ls', '-A', '/tmp/kubestrap/a/b'])).stdout, 'join.yaml\n');
	t.is((await remote.download('/tmp/kubestrap/a/b/join.yaml')).toString(), 'token: abc\n');
});

test('upload with sudo: root-owned, requested mode, staging dir removed', async (t) => {
	await remote.upload('secret', '/etc/kubernetes/pki/sa.key', { sudo: true, mode: 0o600 });
	await remote.upload('[plugins]\n', '/etc/containerd/config.toml', { sudo: true, mode: 0o644 });
	t.is(await statOf('/etc/kubernetes/pki/sa.key', true), '600 root 6');
	t.is(await statOf('/etc/containerd/config.toml'), '644 root 10');
	const readAsUser = await remote.exec(['cat', '/etc/kubernetes/pki/sa.key']);
	t.not(readAsUser.code, 0);
	t.is((await remote.download('/etc/kubernetes/pki/sa.key', { sudo: true })).toString(), 'secret');
	t.is((await remote.exec(['ls', '-A', '/etc/kubernetes/pki'], { sudo: true })).stdout, 'sa.key\n');
	t.is((await remote.exec(['sh', '-c', 'ls -A /tmp | grep tmp. || true'])).stdout, '');
	// It landed inside this host only: the machine's own /etc is untouched.
	t.is(await hosts.readHostFile(0, '/etc/kubernetes/pki/sa.key'), 'secret');
});

test('upload replaces an existing file atomically and keeps binary content intact', async (t) => {
	const big = randomBytes(1024 * 1024 + 3);
	await remote.upload('old', '/tmp/kubestrap/blob.bin', { mode: 0o644 });
	await remote.upload(big, '/tmp/kubestrap/blob.bin', { mode: 0o640 });
	t.is(await statOf('/tmp/kubestrap/blob.bin'), `640 kubestrap-test ${big.length}`);
	t.true((await remote.download('/tmp/kubestrap/blob.bin')).equals(big));
	await remote.upload('', '/tmp/kubestrap/empty');
	t.is((await remote.download('/tmp/kubestrap/empty')).length, 0);
});

test('a path where the user may not write fails with the host, the path and the reason', async (t) => {
	const error = await t.throwsAsync(remote.upload('x', '/etc/kubestrap-denied.conf'));
	t.true(error instanceof RemoteError);
	t.is((error as RemoteError).kind, 'command');
	t.regex(error?.message ?? '', /host 127\.77\.[\d.]+: upload to \/etc\/kubestrap-denied\.conf failed.*Permission denied/s);
});

test('download of a missing file and bad remote paths are clear errors', async (t) => {
	const missing = await t.throwsAsync(remote.download('/tmp/kubestrap/missing'));
	t.regex(missing?.message ?? '', /download of \/tmp\/kubestrap\/missing failed.*No such file/s);
	await t.throwsAsync(remote.upload('x', 'relative/path'), { message: /absolute/ });
	await t.throwsAsync(remote.upload('x', '/tmp/bad\nname'), { message: /absolute/ });
	await t.throwsAsync(remote.upload('x', '/tmp/x', { mode: 0o10000 }), { message: /mode/ });
});
