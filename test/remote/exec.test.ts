// exec over a real OpenSSH sshd test host.

import test from 'ava';

import { connect } from '../../source/remote/connection.js';
import { RemoteError } from '../../source/remote/errors.js';
import { createRedactor, REDACTED } from '../../source/remote/redact.js';
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

async function remoteProcesses(pattern: RegExp): Promise<string[]> {
	return (await hosts.processes(0)).map((info) => info.cmdline).filter((cmdline) => pattern.test(cmdline));
}

test('exit codes and signals are reported as they are', async (t) => {
	t.like(await remote.exec(['true']), { code: 0, signal: null });
	t.like(await remote.exec(['false']), { code: 1, signal: null });
	t.like(await remote.exec(['sh', '-c', 'exit 42']), { code: 42 });
	const missing = await remote.exec(['kubestrap-no-such-program']);
	t.is(missing.code, 127);
	t.regex(missing.stderr, /not found/);
	t.like(await remote.exec(['sh', '-c', 'kill -TERM $$']), { code: null, signal: 'SIGTERM' });
});

test('arguments arrive byte for byte, whatever they contain', async (t) => {
	const argv = ["it's", '$(id)', '`id`', 'a b\tc', 'new\nline', '*', '~', '-n', '', 'ünï😀', '"', '\\', ';|&><'];
	const result = await remote.exec(['printf', '%s\\0', ...argv]);
	t.deepEqual(result.stdout.split('\0').slice(0, -1), argv);
});

test('stdout and stderr stream line by line while the command runs', async (t) => {
	const seen: { stream: string; line: string; at: number }[] = [];
	const started = Date.now();
	const result = await remote.exec(['sh', '-c', 'echo one; echo err1 >&2; sleep 0.4; printf "two\\nthree"; echo err2 >&2; exit 3'], {
		onLine: (stream, line) => seen.push({ stream, line, at: Date.now() - started }),
	});
	t.is(result.code, 3);
	t.is(result.stdout, 'one\ntwo\nthree');
	t.is(result.stderr, 'err1\nerr2\n');
	t.deepEqual(seen.filter((entry) => entry.stream === 'stdout').map((entry) => entry.line), ['one', 'two', 'three']);
	t.deepEqual(seen.filter((entry) => entry.stream === 'stderr').map((entry) => entry.line), ['err1', 'err2']);
	const first = seen.find((entry) => entry.line === 'one');
	const last = seen.find((entry) => entry.line === 'three');
	t.true(first !== undefined && last !== undefined && last.at - first.at >= 300, 'the first line arrived before the sleep ended');
});

test('stdin: string, Buffer, and closed when not given', async (t) => {
	t.is((await remote.exec(['cat'], { stdin: 'hello\nworld' })).stdout, 'hello\nworld');
	const bytes = Buffer.from([0, 1, 2, 254, 255]);
	t.is((await remote.exec(['sh', '-c', 'od -An -tu1 | tr -s " "'], { stdin: bytes })).stdout.trim(), '0 1 2 254 255');
	// Without stdin, a reader sees EOF at once instead of hanging.
	t.is((await remote.exec(['cat'], { timeoutMs: 5000 })).stdout, '');
});

test('sudo -n runs the command as root', async (t) => {
	t.is((await remote.exec(['id', '-u'], { sudo: true })).stdout.trim(), '0');
	t.is((await remote.exec(['id', '-u'])).stdout.trim() !== '0', true);
	// The simulated node programs come first on sudo's PATH too.
	t.is((await remote.exec(['sh', '-c', 'command -v swapoff'], { sudo: true })).stdout.trim(), '/opt/kubestrap-sim/bin/swapoff');
});

test('a timeout kills the remote process group and says so', async (t) => {
	const started = Date.now();
	const error = await t.throwsAsync(remote.exec(['sh', '-c', 'sleep 31 & sleep 32; echo never'], { timeoutMs: 400 }));
	t.true(error instanceof RemoteError);
	t.is((error as RemoteError).kind, 'timeout');
	t.regex(error?.message ?? '', /host 127\.77\.[\d.]+: 'sh' timed out after 400 ms/);
	t.true(Date.now() - started < 4000);
	t.deepEqual(await remoteProcesses(/sleep 3[12]/), []);
});

test('a timeout also stops commands run with sudo (root processes)', async (t) => {
	const error = await t.throwsAsync(remote.exec(['sh', '-c', 'sleep 33 & sleep 34'], { timeoutMs: 300, sudo: true }));
	t.is((error as RemoteError).kind, 'timeout');
	t.deepEqual(await remoteProcesses(/sleep 3[34]/), []);
});

test('aborting stops the remote command', async (t) => {
	const controller = new AbortController();
	const pending = remote.exec(['sleep', '35'], { signal: controller.signal });
	setTimeout(() => controller.abort(), 200);
	const error = await t.throwsAsync(pending);
	t.is((error as RemoteError).kind, 'aborted');
	t.deepEqual(await remoteProcesses(/sleep 35/), []);
	const already = new AbortController();
	already.abort();
	await t.throwsAsync(remote.exec(['true'], { signal: already.signal }));
});

test('registered secrets are redacted in lines, outputs and errors; secretOutput keeps stdout', async (t) => {
	const redactor = createRedactor(['abcdef.0123456789abcdef']);
	const lines: string[] = [];
	const result = await remote.exec(['sh', '-c', 'echo token abcdef.0123456789abcdef; echo abcdef.0123456789abcdef >&2'], {
		redactor,
		onLine: (_stream, line) => lines.push(line),
	});
	t.deepEqual(lines.sort(), [REDACTED, `token ${REDACTED}`].sort());
	t.is(result.stdout, `token ${REDACTED}\n`);
	t.is(result.stderr, `${REDACTED}\n`);
	const secret = await remote.exec(['echo', 'abcdef.0123456789abcdef'], { redactor, secretOutput: true, onLine: (_s, line) => lines.push(line) });
	t.is(secret.stdout, 'abcdef.0123456789abcdef\n');
	t.false(lines.some((line) => line.includes('abcdef.0123456789abcdef')));
	const error = await t.throwsAsync(remote.exec(['sleep', '5'], { redactor, timeoutMs: 100 }));
	t.notRegex(error?.message ?? '', /0123456789abcdef/);
});

test('one connection carries many commands, also more at once than sshd allows sessions', async (t) => {
	const own = await connect(connectOptions(hosts, 0));
	t.teardown(() => own.close());
	for (let index = 0; index < 30; index++) {
		await own.exec(['true']);
	}
	// sshd's default MaxSessions is 10; the per-connection channel limit keeps 25 parallel commands working.
	const parallel = await Promise.all(Array.from({ length: 25 }, (_, index) => own.exec(['sh', '-c', `sleep 0.2; echo ${index}`])));
	t.deepEqual(parallel.map((result) => result.stdout.trim()), Array.from({ length: 25 }, (_, index) => String(index)));
	t.is(own.stats.connectionsOpened, 1);
	t.is(own.stats.connectAttempts, 1);
	t.is(own.stats.commandsRun, 55);
});

test('exec refuses an empty argv', async (t) => {
	await t.throwsAsync(remote.exec([]), { message: /program name/ });
});
