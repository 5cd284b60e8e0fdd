// The npm package as a user gets it: `npm pack`, then `npm install -g` of that tarball into an empty
// prefix (no dev dependencies, no build on the user's side) and `npx` from the same tarball. The
// installed kubestrap prints its version, renders byte for byte what this checkout renders, validates,
// draws the wizard in a terminal and installs on sshd test hosts.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { CHECKOUT_CLI, EXAMPLES, ROOT, installAndStatus, kubestrap, run, wizardFirstScreens } from './_shipped.js';

interface Manifest {
	version: string;
	dependencies: Record<string, string>;
	devDependencies: Record<string, string>;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
const work = mkdtempSync(join(tmpdir(), 'kubestrap-package-'));
const prefix = join(work, 'prefix');
const installed = join(prefix, 'lib', 'node_modules', 'kubestrap');
const program = [join(prefix, 'bin', 'kubestrap')];
let tarball = '';

// A registry install compiles ssh2's optional native parts; on a busy machine that is the slow part.
test.before(async (t) => {
	t.timeout(600_000);
	// The suite runs on a fresh build already, so prepack's build is skipped.
	await run('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--silent'], { cwd: ROOT });
	const name = readdirSync(work).find((file) => /^kubestrap-.*\.tgz$/.test(file));
	if (name === undefined) throw new Error('npm pack wrote no tarball');
	tarball = join(work, name);
	await run('npm', ['install', '--global', '--prefix', prefix, tarball, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: work, maxBuffer: 16 * 1024 * 1024 });
});

test.after.always(() => rmSync(work, { recursive: true, force: true }));

test('the package holds the build, manifests, parse cache and schema, and no tests or sources', (t) => {
	for (const path of ['bin/kubestrap.js', 'dist/source/cli.js', 'dist/source/package-files.js', 'schema/cluster.schema.json', 'manifests/PROVENANCE.md', 'manifests/calico/calico.yaml', 'dist/manifests/calico/calico.yaml.json', 'README.md']) {
		t.true(existsSync(join(installed, path)), path);
	}
	const cilium = readdirSync(join(installed, 'manifests', 'cilium')).filter((file) => file.endsWith('.yaml'));
	t.true(cilium.length > 0);
	for (const file of cilium) t.true(existsSync(join(installed, 'dist', 'manifests', 'cilium', `${file}.json`)), `parse cache of ${file}`);
	for (const path of ['dist/test', 'dist/bench', 'dist/scripts', 'dist/exe', 'source', 'test']) t.false(existsSync(join(installed, path)), path);
	t.false(existsSync(join(installed, 'node_modules', 'typescript')) || existsSync(join(prefix, 'lib', 'node_modules', 'typescript')), 'no dev dependency installed');
});

// Every module the built code imports is a Node built-in or a runtime dependency: nothing it needs is a
// devDependency (those are absent after `npm install -g`, so a miss would only show on a user's machine).
test('every package the built code imports is in dependencies', (t) => {
	const files: string[] = [];
	const walk = (dir: string): void => {
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			if (entry.isDirectory()) walk(join(dir, entry.name));
			else if (entry.name.endsWith('.js')) files.push(join(dir, entry.name));
		}
	};
	walk(join(installed, 'dist', 'source'));
	const builtins = new Set(builtinModules);
	const used = new Set<string>();
	for (const file of files) {
		const text = readFileSync(file, 'utf8');
		for (const match of text.matchAll(/(?:from\s*|import\s*\(\s*)['"]([^'"./][^'"]*)['"]/g)) {
			const specifier = match[1] ?? '';
			if (specifier.startsWith('node:') || builtins.has(specifier)) continue;
			const parts = specifier.split('/');
			used.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0] ?? specifier);
		}
	}
	t.true(used.size > 5, [...used].join(', '));
	for (const name of used) {
		t.truthy(manifest.dependencies[name], `${name} is imported at run time but is not in dependencies`);
	}
});

test('installed globally: --version, render byte-identical to this checkout, validate', async (t) => {
	const version = await kubestrap(program, ['--version']);
	t.is(version.code, 0, version.stderr);
	t.is(version.stdout, `${manifest.version}\n`);
	for (const example of EXAMPLES) {
		const config = join(ROOT, 'examples', example);
		const [shipped, checkout] = await Promise.all([kubestrap(program, ['render', '--config', config]), kubestrap(CHECKOUT_CLI, ['render', '--config', config])]);
		t.is(shipped.code, 0, shipped.stderr);
		t.true(shipped.stdout.length > 10_000, example);
		t.true(shipped.stdout === checkout.stdout, `render of ${example} differs from this checkout's`);
	}
	const valid = await kubestrap(program, ['validate', '--config', join(ROOT, 'examples', 'baremetal-cilium.yaml')]);
	t.is(valid.code, 0, valid.stderr);
	t.regex(valid.stdout, /^valid: demo: baremetal/);
	const invalid = await kubestrap(program, ['validate', '--config', join(ROOT, 'examples', 'baremetal-cilium.yaml'), '--cilium-ipam', 'eni']);
	t.is(invalid.code, 2);
	t.regex(invalid.stdout + invalid.stderr, /spec\.network\.cilium\.ipam: "eni" is only supported with target "aws"/);
});

test('installed globally: the wizard in a terminal', async (t) => {
	await wizardFirstScreens(t, program);
});

test('installed globally: install and status on sshd test hosts', async (t) => {
	t.timeout(120_000);
	await installAndStatus(t, program);
});

// npx installs the tarball into its own cache; ssh2's native build was exercised by the global install
// above, so it is skipped here (ssh2 falls back to JavaScript, as it does wherever the build fails).
test('npx from the tarball: --version and render', async (t) => {
	t.timeout(300_000);
	const env = { ...process.env, npm_config_ignore_scripts: 'true', npm_config_yes: 'true', npm_config_prefer_offline: 'true', npm_config_loglevel: 'error' };
	const npx = async (args: string[]) => run('npx', ['--package', tarball, '--', 'kubestrap', ...args], { cwd: work, env, maxBuffer: 16 * 1024 * 1024 });
	t.is((await npx(['--version'])).stdout, `${manifest.version}\n`);
	const config = join(ROOT, 'examples', 'baremetal-calico-vxlan.yaml');
	const [shipped, checkout] = await Promise.all([npx(['render', '--config', config]), kubestrap(CHECKOUT_CLI, ['render', '--config', config])]);
	t.true(shipped.stdout.length > 10_000);
	t.true(shipped.stdout === checkout.stdout, 'render through npx differs from this checkout\'s');
});
