import { execFileSync } from 'node:child_process';

import test from 'ava';
import fc from 'fast-check';

import { commandLine, quote } from '../../source/remote/quote.js';

// The remote /bin/sh on Debian and Ubuntu is dash; bash is the usual login shell. Both must give the bytes back.
const SHELLS = ['dash', 'bash'];
const BATCH = 100;
const RUNS = 100; // 100 batches of 100 strings = 10,000 strings per shell and per alphabet

/** One shell process prints every quoted argument followed by a NUL (safe: the strings contain none). */
function roundTripUnicode(shell: string, values: readonly string[]): string[] {
	const script = `printf '%s\\0' ${commandLine(values)}`;
	const out = execFileSync(shell, ['-c', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
	return out.split('\0').slice(0, -1);
}

/** Byte strings are not valid UTF-8, so the script travels on stdin as raw bytes (latin1 maps char ↔ byte). */
function roundTripBytes(shell: string, values: readonly Buffer[]): Buffer[] {
	const script = Buffer.from(`printf '%s\\0' ${commandLine(values.map((value) => value.toString('latin1')))}\n`, 'latin1');
	const out = execFileSync(shell, ['-s'], { input: script, maxBuffer: 64 * 1024 * 1024 });
	const parts: Buffer[] = [];
	let start = 0;
	for (let index = out.indexOf(0); index >= 0; index = out.indexOf(0, start)) {
		parts.push(out.subarray(start, index));
		start = index + 1;
	}
	return parts;
}

const unicodeWithoutNul = fc.string({ unit: 'binary', maxLength: 64 }).map((text) => text.replaceAll('\0', ''));
const bytesWithoutNul = fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes.filter((byte) => byte !== 0)));

for (const shell of SHELLS) {
	test(`quote: 10,000 random unicode strings come back identical through ${shell} -c printf`, (t) => {
		fc.assert(fc.property(fc.array(unicodeWithoutNul, { minLength: BATCH, maxLength: BATCH }), (values) => {
			const back = roundTripUnicode(shell, values);
			return back.length === values.length && back.every((value, index) => value === values[index]);
		}), { numRuns: RUNS });
		t.pass();
	});

	test(`quote: 10,000 random byte strings come back identical through ${shell}`, (t) => {
		fc.assert(fc.property(fc.array(bytesWithoutNul, { minLength: BATCH, maxLength: BATCH }), (values) => {
			const back = roundTripBytes(shell, values);
			return back.length === values.length && back.every((value, index) => value.equals(values[index] ?? Buffer.alloc(0)));
		}), { numRuns: RUNS });
		t.pass();
	});
}

test('quote: hostile values stay single words', (t) => {
	const hostile = [
		'', "'", "''", "p'$x", '$(id)', '`id`', 'a b', 'a\nb', '\\', '!', '*', '~', '~root', '-n', '#', ';', '&&',
		'|', '>', '<', '{a,b}', '[a]', 'FOO=bar', '"', '\t', '\r', 'ünïcödé', '😀', '$HOME', '${IFS}', '%s\\0',
	];
	t.deepEqual(roundTripUnicode('dash', hostile), hostile);
});

test('quote: safe words stay readable, everything else is single-quoted', (t) => {
	t.is(quote('/usr/bin/kubeadm'), '/usr/bin/kubeadm');
	t.is(quote('--pod-network-cidr=10.244.0.0/16'), '--pod-network-cidr=10.244.0.0/16');
	t.is(quote('kubelet=1.35.0-1.1'), "'kubelet=1.35.0-1.1'");
	t.is(quote(''), "''");
	t.is(quote("it's"), "'it'\\''s'");
	t.is(quote('a b'), "'a b'");
	t.is(commandLine(['sudo', '-n', '--', 'kubeadm', 'init', '--config', '/etc/kubernetes/kubeadm.yaml']),
		'sudo -n -- kubeadm init --config /etc/kubernetes/kubeadm.yaml');
});

test('quote: an assignment-looking first word is still run as a command', (t) => {
	const out = execFileSync('dash', ['-c', `${commandLine(['FOO=bar'])} 2>&1 || true`], { encoding: 'utf8' });
	t.regex(out, /FOO=bar: not found/);
});

test('quote: NUL is refused', (t) => {
	t.throws(() => quote('a\0b'), { message: /NUL/ });
	t.throws(() => commandLine(['ok', 'bad\0']), { message: /NUL/ });
});
