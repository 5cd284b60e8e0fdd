// The single executables from `npm run build:exe` (built here when missing or stale), run for real: the
// x64 one prints its version, renders byte for byte what the npm CLI renders, validates, draws the wizard
// in a terminal (Ink and its WebAssembly layout engine inside the executable) and installs plus reports
// status on sshd test hosts (ssh2 in pure JavaScript). The arm64 one is checked for its architecture and,
// where qemu-user and the arm64 C library are installed (.ci/run installs them), run under emulation.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { stringify } from 'yaml';
import { CHECKOUT_CLI, EXAMPLES, ROOT, installAndStatus, kubestrap, run, wizardFirstScreens } from './_shipped.js';

const OUT = join(ROOT, 'dist', 'exe');
const X64 = join(OUT, 'kubestrap-linux-x64');
const ARM64 = join(OUT, 'kubestrap-linux-arm64');
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
// Where Debian's libc6-arm64-cross puts the arm64 loader and libraries (qemu-aarch64 -L).
const ARM64_SYSROOT = '/usr/aarch64-linux-gnu';
const QEMU = '/usr/bin/qemu-aarch64';
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

test.before(async (t) => {
	t.timeout(900_000);
	// Reuses the executables when their inputs are unchanged (dist/exe/inputs.sha256).
	await run(process.execPath, [join(ROOT, 'dist', 'scripts', 'build-exe.js')], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
});

/** ELF e_machine (offset 18, little-endian): 62 x86-64, 183 AArch64. */
function elfMachine(data: Buffer): number {
	if (data.subarray(0, 4).toString('latin1') !== '\x7fELF') throw new Error('not an ELF file');
	if (data[4] !== 2 || data[5] !== 1) throw new Error('not a 64-bit little-endian ELF file');
	return data.readUInt16LE(18);
}

test('both executables: the right architecture, the SEA blob injected (fuse set), checksums as printed', (t) => {
	const sums = readFileSync(join(OUT, 'SHA256SUMS'), 'utf8');
	for (const [file, machine] of [[X64, 62], [ARM64, 183]] as const) {
		const data = readFileSync(file);
		t.is(elfMachine(data), machine, file);
		t.true(data.includes(`${FUSE}:1`), `${file}: the SEA fuse is flipped`);
		t.false(data.includes(`${FUSE}:0`), `${file}: no unflipped fuse left`);
		const name = file.slice(OUT.length + 1);
		t.true(sums.includes(`${createHash('sha256').update(data).digest('hex')}  ${name}\n`), `${name} in SHA256SUMS`);
	}
});

test('the bundle leaves out ssh2\'s native parts and carries no .node file', (t) => {
	const bundle = readFileSync(join(OUT, 'kubestrap.cjs'), 'utf8');
	t.regex(bundle, /sshcrypto\.node is left out of the kubestrap executable/);
	t.regex(bundle, /cpu-features is left out of the kubestrap executable/);
	t.notRegex(bundle, /process\.dlopen\(/);
});

test('x64: --version, render byte-identical to the npm CLI, validate', async (t) => {
	// Run from / : nothing next to the executable or in the checkout is read.
	const exe = [X64];
	const printed = await kubestrap(exe, ['--version'], '/');
	t.is(printed.code, 0, printed.stderr);
	t.is(printed.stdout, `${version}\n`);
	t.is(printed.stderr, '', 'no experimental-feature warning');
	for (const example of EXAMPLES) {
		const config = join(ROOT, 'examples', example);
		const [shipped, checkout] = await Promise.all([kubestrap(exe, ['render', '--config', config], '/'), kubestrap(CHECKOUT_CLI, ['render', '--config', config])]);
		t.is(shipped.code, 0, shipped.stderr);
		t.true(shipped.stdout.length > 10_000, example);
		t.true(shipped.stdout === checkout.stdout, `render of ${example} differs from the npm CLI's`);
	}
	const invalid = await kubestrap(exe, ['validate', '--config', join(ROOT, 'examples', 'baremetal-cilium.yaml'), '--cilium-ipam', 'eni'], '/');
	t.is(invalid.code, 2);
	t.regex(invalid.stdout + invalid.stderr, /spec\.network\.cilium\.ipam: "eni" is only supported with target "aws"/);
});

// The AWS SDK bundled into the executable: EC2 pointed at a refused loopback port, with made-up static
// credentials (no credential lookup, no instance metadata), fails the same way as the npm CLI.
test('x64: the bundled AWS SDK reports a refused EC2 endpoint as the npm CLI does', async (t) => {
	const env = { AWS_ACCESS_KEY_ID: 'AKIAKUBESTRAPTEST', AWS_SECRET_ACCESS_KEY: 'not-a-secret', AWS_SESSION_TOKEN: '', AWS_PROFILE: '', AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:1', AWS_EC2_METADATA_DISABLED: 'true', AWS_MAX_ATTEMPTS: '1' };
	const args = ['plan', '--config', join(ROOT, 'examples', 'aws-calico.yaml')];
	const [shipped, checkout] = await Promise.all([kubestrap([X64], args, '/', env), kubestrap(CHECKOUT_CLI, args, '/', env)]);
	t.regex(shipped.stderr + shipped.stdout, /ec2:DescribeInstances failed \(ECONNREFUSED/);
	t.regex(shipped.stderr + shipped.stdout, /no SSH connection was made and nothing was changed/);
	t.is(shipped.code, checkout.code);
	t.is(shipped.stdout + shipped.stderr, checkout.stdout + checkout.stderr);
});

// The Kubernetes client bundled into the executable (status --watch's API route): an API on a refused
// loopback port and no kubectl on PATH end as the npm CLI ends, with no runtime warning from the bundle.
test('x64: the bundled Kubernetes client reports a refused API as the npm CLI does, without a warning', async (t) => {
	const dir = mkdtempSync(join(tmpdir(), 'kubestrap-ship-api-'));
	t.teardown(() => rmSync(dir, { recursive: true, force: true }));
	const kubeconfig = join(dir, 'refused.kubeconfig');
	writeFileSync(kubeconfig, stringify({
		apiVersion: 'v1', kind: 'Config', 'current-context': 'x',
		clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1', 'certificate-authority-data': Buffer.from('not a certificate').toString('base64') } }],
		users: [{ name: 'u', user: { token: 'kubestrap-ship-test-token' } }],
		contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
	}), { mode: 0o600 });
	const args = ['status', '--kubeconfig', kubeconfig, '--watch'];
	const env = { PATH: '/nonexistent' };
	const [shipped, checkout] = await Promise.all([kubestrap([X64], args, '/', env), kubestrap(CHECKOUT_CLI, args, '/', env)]);
	t.is(shipped.code, 1, shipped.stderr);
	t.regex(shipped.stderr, /status: https:\/\/127\.0\.0\.1:1 did not answer GET \/version from here .*; and no kubectl on PATH to try instead/);
	t.notRegex(shipped.stderr, /Warning|DEP0/);
	t.is(shipped.code, checkout.code);
	t.is(shipped.stderr, checkout.stderr);
});

test('x64: the wizard in a terminal', async (t) => {
	await wizardFirstScreens(t, [X64]);
});

test('x64: install and status on sshd test hosts', async (t) => {
	t.timeout(120_000);
	await installAndStatus(t, [X64]);
});

const emulated = existsSync(QEMU) && existsSync(join(ARM64_SYSROOT, 'lib', 'ld-linux-aarch64.so.1'));
const arm64Test = emulated || process.env.KUBESTRAP_REQUIRE_QEMU === '1' ? test : test.skip;
arm64Test('arm64 under qemu-user: --version and render byte-identical to the npm CLI', async (t) => {
	t.timeout(300_000);
	const exe = [QEMU, '-L', ARM64_SYSROOT, ARM64];
	const printed = await kubestrap(exe, ['--version'], '/');
	t.is(printed.code, 0, printed.stderr);
	t.is(printed.stdout, `${version}\n`);
	const config = join(ROOT, 'examples', 'baremetal-cilium.yaml');
	const [shipped, checkout] = await Promise.all([kubestrap(exe, ['render', '--config', config], '/'), kubestrap(CHECKOUT_CLI, ['render', '--config', config])]);
	t.is(shipped.code, 0, shipped.stderr);
	t.true(shipped.stdout === checkout.stdout, 'render under qemu differs from the npm CLI\'s');
});
