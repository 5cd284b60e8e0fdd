// sudo modes: a host whose sudo wants a password, and a host where the user has no sudo at all.

import test from 'ava';

import { connect } from '../../source/remote/connection.js';
import { RemoteError } from '../../source/remote/errors.js';
import { createRedactor } from '../../source/remote/redact.js';
import { startHosts, type TestHosts } from '../_helpers/sshd-hosts.js';
import { connectOptions } from './helpers.js';

const PASSWORD = 'sudo-canary-7f3a9c2e';
let withPassword: TestHosts;
let withoutSudo: TestHosts;

test.before(async () => {
	[withPassword, withoutSudo] = await Promise.all([
		startHosts(1, { sudo: 'password', sudoPassword: PASSWORD }),
		startHosts(1, { sudo: 'none' }),
	]);
});

test.after.always(async () => {
	await Promise.all([withPassword?.stop(), withoutSudo?.stop()]);
});

test('sudo -n on a host that wants a password: a clear, non-retryable error', async (t) => {
	const remote = await connect(connectOptions(withPassword, 0));
	t.teardown(() => remote.close());
	const error = await t.throwsAsync(remote.exec(['id', '-u'], { sudo: true }));
	t.true(error instanceof RemoteError);
	t.is((error as RemoteError).kind, 'auth');
	t.false((error as RemoteError).retryable);
	t.regex(error?.message ?? '', /sudo needs a password for user kubestrap-test/);
});

test('a configured sudo password goes on stdin only: never in argv, output or errors', async (t) => {
	const redactor = createRedactor();
	const watch = withPassword.watchCmdlines(() => [PASSWORD], 20);
	const remote = await connect(connectOptions(withPassword, 0, { sudoPassword: PASSWORD, redactor }));
	t.teardown(() => remote.close());
	const lines: string[] = [];
	t.is((await remote.exec(['id', '-u'], { sudo: true, onLine: (_s, line) => lines.push(line) })).stdout.trim(), '0');
	// The command's own stdin follows the password line.
	t.is((await remote.exec(['cat'], { sudo: true, stdin: 'payload\n' })).stdout, 'payload\n');
	await remote.upload('root only', '/etc/kubernetes/secret.conf', { sudo: true });
	t.is((await remote.download('/etc/kubernetes/secret.conf', { sudo: true })).toString(), 'root only');
	const timeout = await t.throwsAsync(remote.exec(['sleep', '20'], { sudo: true, timeoutMs: 300 }));
	t.is((timeout as RemoteError).kind, 'timeout');
	t.deepEqual((await withPassword.processes(0)).filter((info) => /sleep 20/.test(info.cmdline)), []);
	const { hits, samples } = await watch.stop();
	t.deepEqual(hits, []);
	t.true(samples > 0);
	t.false(lines.some((line) => line.includes(PASSWORD)));
	// Even if the password reaches output, the redactor (which got it from connect) hides it.
	t.notRegex((await remote.exec(['sh', '-c', 'cat'], { stdin: PASSWORD })).stdout, new RegExp(PASSWORD));
});

test('a wrong sudo password is reported as such', async (t) => {
	const remote = await connect(connectOptions(withPassword, 0, { sudoPassword: 'wrong-password' }));
	t.teardown(() => remote.close());
	const error = await t.throwsAsync(remote.exec(['true'], { sudo: true }));
	t.is((error as RemoteError).kind, 'auth');
	t.regex(error?.message ?? '', /sudo password for user kubestrap-test was not accepted/);
});

test('a user without sudo rights gets a clear error', async (t) => {
	const remote = await connect(connectOptions(withoutSudo, 0));
	t.teardown(() => remote.close());
	const error = await t.throwsAsync(remote.exec(['true'], { sudo: true }));
	t.is((error as RemoteError).kind, 'auth');
	t.regex(error?.message ?? '', /sudo/);
});
