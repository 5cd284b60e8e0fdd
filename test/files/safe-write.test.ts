// Output targets: a regular file or nothing is written; a symlink is followed on purpose (the link
// stays); a FIFO, a device or a directory is refused untouched; a write that runs out of space (a
// real 16 KiB tmpfs) leaves neither a temp file nor a changed target.
import { execFileSync, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { writeFileSafely, OutputTargetError } from '../../source/files/safe-write.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kubestrap-write-'));

test('absent: created with the mode given; regular: replaced', async (t) => {
	const path = join(dir, 'new.kubeconfig');
	await writeFileSafely(path, 'one', 0o600);
	t.is(readFileSync(path, 'utf8'), 'one');
	t.is(statSync(path).mode & 0o777, 0o600);
	await writeFileSafely(path, 'two', 0o600);
	t.is(readFileSync(path, 'utf8'), 'two');
});

test('a symlink is written through: the file it points to changes, the link stays a link', async (t) => {
	const real = join(dir, 'real.yaml');
	writeFileSync(real, 'old');
	const link = join(dir, 'link.yaml');
	symlinkSync(real, link);
	await writeFileSafely(link, 'new');
	t.true(lstatSync(link).isSymbolicLink());
	t.is(readlinkSync(link), real);
	t.is(readFileSync(real, 'utf8'), 'new');
});

test('a dangling symlink, a FIFO, a directory and /dev/full are refused and stay what they were', async (t) => {
	const dir = mkdtempSync(join(tmpdir(), 'kubestrap-write-'));
	const dangling = join(dir, 'dangling');
	symlinkSync(join(dir, 'nowhere', 'x'), dangling);
	await t.throwsAsync(writeFileSafely(dangling, 'x'), { instanceOf: OutputTargetError, message: /is a symbolic link to a path that does not exist/ });
	const fifo = join(dir, 'fifo');
	execFileSync('mkfifo', [fifo]);
	await t.throwsAsync(writeFileSafely(fifo, 'x'), { instanceOf: OutputTargetError, message: `${fifo}: is a FIFO (named pipe), not a regular file; kubestrap writes only regular files (give a file path)` });
	t.true(statSync(fifo).isFIFO());
	const sub = join(dir, 'sub');
	mkdirSync(sub);
	await t.throwsAsync(writeFileSafely(sub, 'x'), { instanceOf: OutputTargetError, message: /is a directory, not a regular file/ });
	await t.throwsAsync(writeFileSafely('/dev/full', 'x'), { instanceOf: OutputTargetError, message: /\/dev\/full: is a character device, not a regular file; kubestrap writes only regular files \(give a file path, or leave the option out to print to standard output\)/ });
	t.true(statSync('/dev/full').isCharacterDevice());
	t.deepEqual(readdirSync(dir).filter((name) => name.endsWith('.tmp')), []);
});

test('render --output-file /dev/full and into a FIFO: exit 2, one line, nothing replaced', (t) => {
	const fifo = join(dir, 'render-fifo');
	execFileSync('mkfifo', [fifo]);
	for (const target of ['/dev/full', fifo]) {
		const result = spawnSync(process.execPath, [join(root, 'bin/kubestrap.js'), 'render', '--config', join(root, 'examples/baremetal-cilium.yaml'), '--output-file', target], { encoding: 'utf8' });
		t.is(result.status, 2, result.stderr);
		t.regex(result.stderr, new RegExp(`^${target}: is a (character device|FIFO \\(named pipe\\)), not a regular file`));
	}
	t.true(statSync('/dev/full').isCharacterDevice());
	t.true(statSync(fifo).isFIFO());
});

const root0 = process.getuid?.() === 0;
(root0 ? test : test.skip)('ENOSPC on a full tmpfs: the write fails, the old file is intact and no temp file is left', async (t) => {
	const mount = mkdtempSync(join(tmpdir(), 'kubestrap-tmpfs-'));
	execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', mount]);
	t.teardown(() => {
		execFileSync('umount', [mount]);
	});
	const target = join(mount, 'demo.kubeconfig');
	writeFileSync(target, 'previous kubeconfig');
	const error = await t.throwsAsync(writeFileSafely(target, 'x'.repeat(256 * 1024), 0o600));
	t.is((error as NodeJS.ErrnoException).code, 'ENOSPC');
	t.is(readFileSync(target, 'utf8'), 'previous kubeconfig');
	t.deepEqual(readdirSync(mount), ['demo.kubeconfig']);
});
