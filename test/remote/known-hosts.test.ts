import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import test from 'ava';
import fc from 'fast-check';

import {
	appendKnownHost,
	fingerprint,
	hostEntryName,
	keyTypeOfBlob,
	lookup,
	parseKnownHosts,
} from '../../source/remote/known-hosts.js';

const run = promisify(execFile);

interface Key {
	type: string;
	base64: string;
	blob: Buffer;
	pubFile: string;
}

let dir = '';
const keys: Key[] = [];

async function newKey(name: string, type: string): Promise<Key> {
	const file = join(dir, name);
	await run('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', file]);
	const pubFile = `${file}.pub`;
	const [keyType = '', base64 = ''] = (await readFile(pubFile, 'utf8')).trim().split(/\s+/);
	return { type: keyType, base64, blob: Buffer.from(base64, 'base64'), pubFile };
}

function key(index: number): Key {
	const found = keys[index];
	if (found === undefined) {
		throw new Error(`no key ${index}`);
	}
	return found;
}

test.before(async () => {
	dir = await mkdtemp(join(tmpdir(), 'kubestrap-known-hosts-'));
	keys.push(await newKey('a', 'ed25519'), await newKey('b', 'ed25519'), await newKey('c', 'ecdsa'));
});

test.after.always(async () => {
	await rm(dir, { recursive: true, force: true });
});

const presented = (k: Key): { keyType: string; blob: Buffer } => ({ keyType: k.type, blob: k.blob });

test('fingerprint matches ssh-keygen -lf', async (t) => {
	for (const k of keys) {
		const { stdout } = await run('ssh-keygen', ['-lf', k.pubFile]);
		t.is(fingerprint(k.blob), stdout.split(/\s+/)[1] ?? "");
		t.is(keyTypeOfBlob(k.blob), k.type);
	}
});

test('known, unknown and changed keys for plain host entries', (t) => {
	const a = key(0);
	const b = key(1);
	const { entries } = parseKnownHosts(`10.0.0.1 ${a.type} ${a.base64}\n`);
	t.is(lookup(entries, '10.0.0.1', 22, presented(a)).status, 'known');
	t.is(lookup(entries, '10.0.0.2', 22, presented(a)).status, 'unknown');
	const changed = lookup(entries, '10.0.0.1', 22, presented(b));
	t.is(changed.status, 'changed');
	t.deepEqual(changed.expected, [{ type: a.type, fingerprint: fingerprint(a.blob) }]);
});

test('a key of another type for a known host counts as changed', (t) => {
	const a = key(0);
	const c = key(2);
	const { entries } = parseKnownHosts(`host.example ${a.type} ${a.base64}\n`);
	t.is(lookup(entries, 'host.example', 22, presented(c)).status, 'changed');
});

test('comma lists, wildcards, negation and case', (t) => {
	const a = key(0);
	const { entries } = parseKnownHosts(`web1,Web2.Example,10.0.0.5 ${a.type} ${a.base64}\n*.lab,!bad.lab ${a.type} ${a.base64}\n`);
	t.is(lookup(entries, 'web2.example', 22, presented(a)).status, 'known');
	t.is(lookup(entries, '10.0.0.5', 22, presented(a)).status, 'known');
	t.is(lookup(entries, 'node7.lab', 22, presented(a)).status, 'known');
	t.is(lookup(entries, 'bad.lab', 22, presented(a)).status, 'unknown');
});

test('[host]:port entries match only that port', (t) => {
	const a = key(0);
	const { entries } = parseKnownHosts(`[10.0.0.1]:2222 ${a.type} ${a.base64}\n`);
	t.is(hostEntryName('10.0.0.1', 2222), '[10.0.0.1]:2222');
	t.is(lookup(entries, '10.0.0.1', 2222, presented(a)).status, 'known');
	t.is(lookup(entries, '10.0.0.1', 22, presented(a)).status, 'unknown');
	t.is(lookup(entries, '10.0.0.1', 2200, presented(a)).status, 'unknown');
});

test('hashed |1| entries written by ssh-keygen -H are matched (port 22 and [host]:port)', async (t) => {
	const a = key(0);
	const file = join(dir, 'hashed_known_hosts');
	await writeFile(file, `10.1.2.3 ${a.type} ${a.base64}\n[10.1.2.4]:2222 ${a.type} ${a.base64}\n`);
	await run('ssh-keygen', ['-H', '-f', file]);
	const text = await readFile(file, 'utf8');
	t.regex(text, /^\|1\|/m);
	t.notRegex(text, /10\.1\.2/);
	const { entries, invalidLines } = parseKnownHosts(text);
	t.deepEqual(invalidLines, []);
	t.is(lookup(entries, '10.1.2.3', 22, presented(a)).status, 'known');
	t.is(lookup(entries, '10.1.2.4', 2222, presented(a)).status, 'known');
	t.is(lookup(entries, '10.1.2.4', 22, presented(a)).status, 'unknown');
	t.is(lookup(entries, '10.1.2.3', 22, presented(key(1))).status, 'changed');
});

test('@revoked keys are refused, @cert-authority is recognised but cannot vouch', (t) => {
	const a = key(0);
	const b = key(1);
	const text = [
		`@revoked * ${a.type} ${a.base64}`,
		`10.0.0.9 ${a.type} ${a.base64}`,
		`@cert-authority *.example ${b.type} ${b.base64}`,
	].join('\n');
	const { entries } = parseKnownHosts(text);
	t.is(lookup(entries, '10.0.0.9', 22, presented(a)).status, 'revoked');
	const ca = lookup(entries, 'node.example', 22, presented(b));
	t.is(ca.status, 'unknown');
	t.true(ca.certAuthority);
});

test('comments, blank lines and bad lines are skipped', (t) => {
	const a = key(0);
	const text = [
		'# a comment',
		'',
		'   ',
		'justonefield',
		`10.0.0.1 ${a.type}`,
		`10.0.0.1 ${a.type} not-base64!!`,
		`10.0.0.1 ssh-rsa ${a.base64}`,
		`@bogus 10.0.0.1 ${a.type} ${a.base64}`,
		'|1|short|bad ssh-ed25519 AAAA',
		`10.0.0.1 ${a.type} ${a.base64} trailing comment`,
	].join('\r\n');
	const { entries, invalidLines } = parseKnownHosts(text);
	t.is(entries.length, 1);
	t.deepEqual(invalidLines, [4, 5, 6, 7, 8, 9]);
	t.is(lookup(entries, '10.0.0.1', 22, presented(a)).status, 'known');
});

test('the parser never throws on arbitrary input', (t) => {
	fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
		const { entries } = parseKnownHosts(text);
		return entries.every((entry) => entry.blob.length > 0);
	}), { numRuns: 10_000 });
	t.pass();
});

test('appendKnownHost creates a 0600 file in a 0700 dir, and ssh finds the entry', async (t) => {
	const a = key(0);
	const file = join(dir, 'new', 'ssh', 'known_hosts');
	await appendKnownHost(file, '10.9.8.7', 22, a.type, a.blob);
	await appendKnownHost(file, '10.9.8.7', 2222, a.type, a.blob);
	t.is((await stat(file)).mode & 0o777, 0o600);
	t.is((await stat(join(dir, 'new', 'ssh'))).mode & 0o777, 0o700);
	const text = await readFile(file, 'utf8');
	t.is(text, `10.9.8.7 ${a.type} ${a.base64}\n[10.9.8.7]:2222 ${a.type} ${a.base64}\n`);
	const { stdout } = await run('ssh-keygen', ['-F', '[10.9.8.7]:2222', '-f', file]);
	t.regex(stdout, /Host \[10\.9\.8\.7\]:2222 found/);
});

test('appendKnownHost adds the missing newline of an existing file and keeps its mode', async (t) => {
	const a = key(0);
	const file = join(dir, 'existing_known_hosts');
	await writeFile(file, `10.0.0.1 ${a.type} ${a.base64}`, { mode: 0o644 });
	await appendKnownHost(file, '10.0.0.2', 22, a.type, a.blob);
	const { entries, invalidLines } = parseKnownHosts(await readFile(file, 'utf8'));
	t.is(entries.length, 2);
	t.deepEqual(invalidLines, []);
	t.is((await stat(file)).mode & 0o777, 0o644);
});
