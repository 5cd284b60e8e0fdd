// Pure parts of the remote layer: redaction, backoff, ssh config, credentials.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import test from 'ava';
import fc from 'fast-check';

import { authMethods, isEncryptedPrivateKey } from '../../source/remote/auth.js';
import { backoffDelay, retryWithBackoff } from '../../source/remote/backoff.js';
import { RemoteError, commandName } from '../../source/remote/errors.js';
import { commandFailed } from '../../source/remote/exec.js';
import { createRedactor, REDACTED } from '../../source/remote/redact.js';
import { parseJumpList, sshConfigFor } from '../../source/remote/ssh-config-file.js';

const run = promisify(execFile);

test('redactor replaces every registered secret, longest first, line by line for multi-line secrets', (t) => {
	const redactor = createRedactor(['abcdef.0123456789abcdef']);
	redactor.add('s3cr3t');
	redactor.add('s3cr3t-longer');
	redactor.add('line one\nline two');
	redactor.add('');
	t.is(redactor.redact('kubeadm join --token abcdef.0123456789abcdef x'), `kubeadm join --token ${REDACTED} x`);
	t.is(redactor.redact('pw s3cr3t-longer and s3cr3t'), `pw ${REDACTED} and ${REDACTED}`);
	t.is(redactor.redact('got: line two'), `got: ${REDACTED}`);
	t.is(redactor.redact('nothing here'), 'nothing here');
});

test('redactor: no registered secret survives in any text (property)', (t) => {
	fc.assert(fc.property(
		fc.array(fc.string({ minLength: 6, maxLength: 20 }).filter((s) => s.trim() !== '' && !s.includes('\n')), { minLength: 1, maxLength: 5 }),
		fc.array(fc.string({ maxLength: 20 }), { maxLength: 10 }),
		(secrets, noise) => {
			const redactor = createRedactor(secrets);
			const text = noise.flatMap((part, index) => [part, secrets[index % secrets.length] ?? '']).join('');
			const out = redactor.redact(text);
			// A secret may only remain if it is part of the marker itself.
			return secrets.every((secret) => !out.includes(secret) || REDACTED.includes(secret));
		},
	), { numRuns: 2000 });
	t.pass();
});

test('redactor: a short secret (under 6 characters) never survives as a word of its own (property)', (t) => {
	fc.assert(fc.property(
		fc.array(fc.string({ minLength: 1, maxLength: 5 }).filter((s) => !/\s/.test(s)), { minLength: 1, maxLength: 5 }),
		fc.array(fc.string({ maxLength: 20 }), { maxLength: 10 }),
		(secrets, noise) => {
			const redactor = createRedactor(secrets);
			const text = noise.flatMap((part, index) => [part, secrets[index % secrets.length] ?? '']).join(' ');
			const words = redactor.redact(text).split(' ');
			return secrets.every((secret) => !words.includes(secret) || REDACTED.includes(secret));
		},
	), { numRuns: 2000 });
	t.pass();
});

test('backoff: full jitter under an exponential ceiling capped at 30 s', (t) => {
	t.is(backoffDelay(0, { random: () => 0.999 }), 999);
	t.is(backoffDelay(3, { random: () => 0.5 }), 4000);
	t.is(backoffDelay(10, { random: () => 0.999 }), 29_970);
	t.is(backoffDelay(5, { random: () => 0 }), 0);
});

test('retryWithBackoff stops at the deadline and on non-retryable errors', async (t) => {
	let calls = 0;
	const started = Date.now();
	await t.throwsAsync(retryWithBackoff(async () => {
		calls++;
		throw new Error('down');
	}, { deadline: Date.now() + 300, isRetryable: () => true, baseMs: 20 }), { message: 'down' });
	t.true(calls > 1);
	t.true(Date.now() - started < 3000);

	calls = 0;
	await t.throwsAsync(retryWithBackoff(async () => {
		calls++;
		throw new Error('fatal');
	}, { deadline: Date.now() + 10_000, isRetryable: () => false }), { message: 'fatal' });
	t.is(calls, 1);

	let attempt = 0;
	const value = await retryWithBackoff(async () => {
		attempt++;
		if (attempt < 3) {
			throw new Error('not yet');
		}
		return 'ok';
	}, { deadline: Date.now() + 5000, isRetryable: () => true, baseMs: 5 });
	t.is(value, 'ok');
});

test('ssh config: HostName, User, Port, IdentityFile and ProxyJump for an alias; Match exec is never run', (t) => {
	const text = [
		'Match exec "touch /tmp/kubestrap-should-not-exist"',
		'  User nobody',
		'Host web',
		'  HostName 10.0.0.5',
		'  User ubuntu',
		'  Port 2200',
		'  IdentityFile ~/.ssh/web_key',
		'  IdentityFile %d/.ssh/other_%h',
		'  ProxyJump jump@bastion.example:2222,[fd00::1]:22',
		'Host *',
		'  IdentityFile ~/.ssh/id_default',
	].join('\n');
	const values = sshConfigFor(text, 'web', '/home/me');
	t.is(values.hostName, '10.0.0.5');
	t.is(values.user, 'ubuntu');
	t.is(values.port, 2200);
	t.deepEqual(values.identityFiles, ['/home/me/.ssh/web_key', '/home/me/.ssh/other_10.0.0.5', '/home/me/.ssh/id_default']);
	t.deepEqual(values.proxyJump, [{ host: 'bastion.example', port: 2222, user: 'jump' }, { host: 'fd00::1', port: 22 }]);
	t.deepEqual(sshConfigFor(text, 'other', '/home/me').identityFiles, ['/home/me/.ssh/id_default']);
	t.deepEqual(parseJumpList('ssh://admin@10.0.0.1'), [{ host: '10.0.0.1', user: 'admin' }]);
});

test('credentials: explicit missing identity file is a non-retryable auth error; encrypted keys need a passphrase', async (t) => {
	const dir = await mkdtemp(join(tmpdir(), 'kubestrap-auth-'));
	t.teardown(() => rm(dir, { recursive: true, force: true }));
	const error = await t.throwsAsync(authMethods({ host: 'h1', user: 'u', home: dir, identityFile: join(dir, 'missing'), agent: false }));
	t.true(error instanceof RemoteError);
	t.is((error as RemoteError).kind, 'auth');
	t.false((error as RemoteError).retryable);
	t.regex(error?.message ?? '', /does not exist/);

	const plain = join(dir, 'plain');
	const encrypted = join(dir, 'encrypted');
	await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', plain]);
	await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'correct horse', '-f', encrypted]);
	t.false(isEncryptedPrivateKey(await readFile(plain)));
	t.true(isEncryptedPrivateKey(await readFile(encrypted)));

	const asked: number[] = [];
	const methods = await authMethods({
		host: 'h1', user: 'u', home: dir, identityFile: encrypted, agent: false,
		passphrase: async (_file, attempt) => {
			asked.push(attempt);
			return attempt === 1 ? 'wrong' : 'correct horse';
		},
	});
	t.deepEqual(asked, [1, 2]);
	t.is(methods[0]?.type, 'publickey');

	await t.throwsAsync(authMethods({ host: 'h1', user: 'u', home: dir, identityFile: encrypted, agent: false }), {
		message: /encrypted/,
	});
	// No agent, no default keys in this home: a clear error instead of a failed login later.
	await t.throwsAsync(authMethods({ host: 'h1', user: 'u', home: dir, agent: false }), { message: /no SSH credentials/ });
	const withAgent = await authMethods({ host: 'h1', user: 'u', home: dir, agent: '/run/agent.sock', identityFile: plain });
	t.deepEqual(withAgent.map((method) => method.type), ['publickey', 'agent']);
	await writeFile(join(dir, 'not-a-key'), 'hello');
	await t.throwsAsync(authMethods({ host: 'h1', user: 'u', home: dir, agent: false, identityFile: join(dir, 'not-a-key') }), {
		message: /not a private key/,
	});
});

test('command errors name the host, the command (no arguments) and the stderr tail, redacted', (t) => {
	const redactor = createRedactor(['tok.en']);
	const error = commandFailed('10.0.0.1', ['kubeadm', 'join', '--token', 'tok.en'], {
		code: 1, signal: null, stdout: '', stderr: 'bad token tok.en\n',
	}, redactor);
	t.is(error.kind, 'command');
	t.is(error.exitCode, 1);
	t.is(error.message, `host 10.0.0.1: 'kubeadm join' exited with 1:\nbad token ${REDACTED}`);
	t.is(commandName(['/usr/bin/apt-get', '-y', 'install', 'kubelet']), 'apt-get install');
	t.is(commandName(['sh', '-c', 'echo secret']), 'sh');
});
