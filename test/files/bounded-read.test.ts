// The one reader for local files: regular files only, a cap per kind, a message naming the path.
// The special files are real: a FIFO made with mkfifo (no writer ever opens it), /dev/zero, a directory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { readBounded, readBoundedIfPresent, LocalFileError, SIZE_CAPS } from '../../source/files/bounded-read.js';

const dir = mkdtempSync(join(tmpdir(), 'kubestrap-bounded-'));

test('a FIFO is refused at once, naming the path and what it is', async (t) => {
	const fifo = join(dir, 'fifo');
	execFileSync('mkfifo', [fifo]);
	const error = await t.throwsAsync(readBounded(fifo, 'identity file'), { instanceOf: LocalFileError });
	t.is(error?.message, `identity file ${fifo}: is a FIFO (named pipe), not a regular file; give the path of the identity file itself`);
	t.is(error?.problem, 'not-regular');
});

test('a device is refused without reading a byte (/dev/zero would never end)', async (t) => {
	const error = await t.throwsAsync(readBounded('/dev/zero', 'known_hosts file'), { instanceOf: LocalFileError });
	t.regex(error?.message ?? '', /^known_hosts file \/dev\/zero: is a character device, not a regular file/);
});

test('a directory is refused', async (t) => {
	const sub = join(dir, 'a-dir');
	mkdirSync(sub);
	const error = await t.throwsAsync(readBoundedIfPresent(sub, 'ssh config file'), { instanceOf: LocalFileError });
	t.regex(error?.message ?? '', /ssh config file .*a-dir: is a directory, not a regular file/);
});

test('a file over the cap for its kind is refused with the limit named', async (t) => {
	const big = join(dir, 'big-key');
	writeFileSync(big, Buffer.alloc(SIZE_CAPS['identity file'] + 1, 0x41));
	const error = await t.throwsAsync(readBounded(big, 'identity file'), { instanceOf: LocalFileError });
	t.regex(error?.message ?? '', /is larger than 64 KiB, the limit for a identity file/);
	// Exactly the cap is fine.
	writeFileSync(big, Buffer.alloc(SIZE_CAPS['identity file'], 0x41));
	t.is((await readBounded(big, 'identity file')).length, SIZE_CAPS['identity file']);
});

test('a regular file, also through a symlink, is read whole; a missing optional file is undefined', async (t) => {
	const file = join(dir, 'known_hosts');
	writeFileSync(file, 'host ssh-ed25519 AAAA\n');
	symlinkSync(file, join(dir, 'link'));
	t.is((await readBounded(join(dir, 'link'), 'known_hosts file')).toString(), 'host ssh-ed25519 AAAA\n');
	t.is(await readBoundedIfPresent(join(dir, 'absent'), 'known_hosts file'), undefined);
	const missing = await t.throwsAsync(readBounded(join(dir, 'absent'), 'kubeconfig'), { instanceOf: LocalFileError });
	t.is(missing?.problem, 'missing');
});
