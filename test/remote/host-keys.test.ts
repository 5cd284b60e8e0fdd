// Host-key policy over real OpenSSH sshd test hosts.

import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import test from 'ava';

import { connect } from '../../source/remote/connection.js';
import { HostKeyError, RemoteError } from '../../source/remote/errors.js';
import type { UnknownHostKeyInfo } from '../../source/remote/host-key-check.js';
import { startHosts, type TestHosts } from '../_helpers/sshd-hosts.js';
import { connectOptions, hostAt } from './helpers.js';

const run = promisify(execFile);

let hosts: TestHosts;
let dir: string;

test.before(async () => {
	hosts = await startHosts(3);
	dir = await mkdtemp(join(tmpdir(), 'kubestrap-host-keys-'));
});

test.after.always(async () => {
	await hosts?.stop();
	await rm(dir, { recursive: true, force: true });
});

async function sessionsAccepted(index: number): Promise<number> {
	const log = await readFile(join(hostAt(hosts, index).root, 'sshd.log'), 'utf8');
	return log.split('\n').filter((line) => line.includes('Accepted publickey')).length;
}

test('strict + unknown key: refused before authentication, nothing runs, not retried', async (t) => {
	const knownHostsFile = join(dir, 'empty_known_hosts');
	await writeFile(knownHostsFile, '', { mode: 0o600 });
	const before = await sessionsAccepted(0);
	const error = await t.throwsAsync(connect(connectOptions(hosts, 0, { knownHostsFile })));
	t.true(error instanceof HostKeyError);
	const hostKey = error as HostKeyError;
	t.is(hostKey.kind, 'host-key');
	t.is(hostKey.problem, 'unknown');
	t.false(hostKey.retryable);
	t.is(hostKey.presented.fingerprint, hostAt(hosts, 0).hostKeyFingerprint);
	t.true(hostKey.message.includes(hostAt(hosts, 0).hostKeyFingerprint));
	t.is(await sessionsAccepted(0), before);
	t.deepEqual(await hosts.readCalls(0), []);
	t.is(await readFile(knownHostsFile, 'utf8'), '');
});

test('accept-new records the key in a new 0600 known_hosts (0700 dir); strict then accepts it', async (t) => {
	const knownHostsFile = join(dir, 'fresh', '.ssh', 'known_hosts');
	const remote = await connect(connectOptions(hosts, 1, { knownHostsFile, hostKeyPolicy: 'accept-new' }));
	t.is((await remote.exec(['hostname'])).stdout.trim(), hostAt(hosts, 1).name);
	await remote.close();
	t.is(await readFile(knownHostsFile, 'utf8'), `${hostAt(hosts, 1).knownHostsLine}\n`);
	t.is((await stat(knownHostsFile)).mode & 0o777, 0o600);
	t.is((await stat(join(dir, 'fresh', '.ssh'))).mode & 0o777, 0o700);
	const again = await connect(connectOptions(hosts, 1, { knownHostsFile }));
	await again.close();
	// OpenSSH agrees with what was written.
	const { stdout } = await run('ssh-keygen', ['-F', hostAt(hosts, 1).address, '-f', knownHostsFile]);
	t.regex(stdout, /found/);
});

test('strict + unknown key + interactive callback: yes records it, no refuses', async (t) => {
	const knownHostsFile = join(dir, 'interactive_known_hosts');
	const asked: UnknownHostKeyInfo[] = [];
	await t.throwsAsync(connect(connectOptions(hosts, 2, {
		knownHostsFile,
		onUnknownHostKey: async (info) => {
			asked.push(info);
			return false;
		},
	})), { instanceOf: HostKeyError });
	const remote = await connect(connectOptions(hosts, 2, {
		knownHostsFile,
		onUnknownHostKey: async (info) => {
			asked.push(info);
			// A slow human answer must not run into the handshake timeout.
			await new Promise((resolve) => setTimeout(resolve, 300));
			return true;
		},
		readyTimeoutMs: 200,
	}));
	await remote.close();
	t.is(asked.length, 2);
	t.like(asked[0], { host: hostAt(hosts, 2).address, keyType: 'ssh-ed25519', fingerprint: hostAt(hosts, 2).hostKeyFingerprint });
	t.is(await readFile(knownHostsFile, 'utf8'), `${hostAt(hosts, 2).knownHostsLine}\n`);
});

test('hashed known_hosts (ssh-keygen -H) pins the key too', async (t) => {
	const knownHostsFile = join(dir, 'hashed_known_hosts');
	await copyFile(hosts.knownHostsFile, knownHostsFile);
	await run('ssh-keygen', ['-H', '-f', knownHostsFile]);
	t.notRegex(await readFile(knownHostsFile, 'utf8'), /127\.77\./);
	const remote = await connect(connectOptions(hosts, 0, { knownHostsFile }));
	t.is((await remote.exec(['hostname'])).stdout.trim(), hostAt(hosts, 0).name);
	await remote.close();
});

test('@revoked key is refused', async (t) => {
	const knownHostsFile = join(dir, 'revoked_known_hosts');
	const host = hostAt(hosts, 0);
	await writeFile(knownHostsFile, `@revoked * ${host.hostKeyType} ${host.hostKeyBase64}\n${host.knownHostsLine}\n`);
	const error = await t.throwsAsync(connect(connectOptions(hosts, 0, { knownHostsFile })));
	t.is((error as HostKeyError).problem, 'revoked');
});

// Serial (ava runs serial tests before the others): it restarts host 2 with a new key.
test.serial('changed key (MITM): HostKeyError with expected and presented fingerprints, not retried, nothing runs', async (t) => {
	const knownHostsFile = join(dir, 'pinned_known_hosts');
	await copyFile(hosts.knownHostsFile, knownHostsFile);
	const expected = hostAt(hosts, 2).hostKeyFingerprint;
	const replaced = await hosts.replaceHostKey(2);
	t.not(replaced.hostKeyFingerprint, expected);
	const callsBefore = (await hosts.readCalls(2)).length;
	const sessionsBefore = await sessionsAccepted(2);
	const retries: unknown[] = [];
	const started = Date.now();
	const error = await t.throwsAsync(connect(connectOptions(hosts, 2, {
		knownHostsFile,
		hostKeyPolicy: 'accept-new',
		deadlineMs: 60_000,
		onRetry: (info) => retries.push(info),
	})));
	t.true(error instanceof HostKeyError);
	const hostKey = error as HostKeyError;
	t.is(hostKey.problem, 'changed');
	t.false(hostKey.retryable);
	t.deepEqual(hostKey.expected, [{ type: 'ssh-ed25519', fingerprint: expected }]);
	t.is(hostKey.presented.fingerprint, replaced.hostKeyFingerprint);
	t.true(hostKey.message.includes(expected) && hostKey.message.includes(replaced.hostKeyFingerprint));
	t.regex(hostKey.message, /HOST KEY CHANGED/);
	t.deepEqual(retries, []);
	t.true(Date.now() - started < 5000);
	t.is((await hosts.readCalls(2)).length, callsBefore);
	t.is(await sessionsAccepted(2), sessionsBefore);
	// accept-new never overwrites a changed key.
	t.is(await readFile(knownHostsFile, 'utf8'), await readFile(hosts.knownHostsFile, 'utf8'));
	t.true(error instanceof RemoteError);
});

test.serial('trusted fingerprints (EC2 console): a matching unknown key is recorded; another one is refused with both fingerprints, under either policy', async (t) => {
	const knownHostsFile = join(dir, 'trusted_known_hosts');
	await writeFile(knownHostsFile, '', { mode: 0o600 });
	const host = hostAt(hosts, 0);
	const initial = await sessionsAccepted(0);
	const remote = await connect(connectOptions(hosts, 0, {
		knownHostsFile,
		trustedHostKeys: { fingerprints: [{ type: 'ECDSA', fingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, { type: 'ED25519', fingerprint: host.hostKeyFingerprint }], source: 'the console output of i-0abc' },
	}));
	await remote.close();
	t.is(await readFile(knownHostsFile, 'utf8'), `${host.knownHostsLine}\n`, 'recorded like accept-new would');
	// sshd may write this session's "Accepted" line after the client already closed: wait for it, so the
	// counts below compare only the refused attempts.
	for (let i = 0; i < 100 && (await sessionsAccepted(0)) === initial; i++) await new Promise((resolve) => setTimeout(resolve, 50));

	const otherFile = join(dir, 'untrusted_known_hosts');
	const wrong = 'SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
	for (const hostKeyPolicy of ['strict', 'accept-new'] as const) {
		const before = await sessionsAccepted(0);
		const error = await t.throwsAsync(connect(connectOptions(hosts, 0, {
			knownHostsFile: otherFile,
			hostKeyPolicy,
			trustedHostKeys: { fingerprints: [{ type: 'ED25519', fingerprint: wrong }], source: 'the console output of i-0abc' },
		})), { instanceOf: HostKeyError });
		t.is((error as HostKeyError).problem, 'unexpected');
		t.false((error as HostKeyError).retryable);
		t.true(error?.message.includes(host.hostKeyFingerprint), 'presented fingerprint shown');
		t.true(error?.message.includes(wrong), 'expected fingerprint shown');
		t.regex(error?.message ?? '', /the console output of i-0abc/);
		t.is(await sessionsAccepted(0), before, `${hostKeyPolicy}: no session`);
	}
	await t.throwsAsync(readFile(otherFile, 'utf8'), undefined, 'nothing recorded for a refused key');

	// known_hosts still wins: a pinned key is accepted whatever the console says.
	const pinned = await connect(connectOptions(hosts, 0, { trustedHostKeys: { fingerprints: [{ type: 'ED25519', fingerprint: wrong }], source: 'x' } }));
	await pinned.close();
	t.pass();
});
