// The command-line conventions a kubectl user expects: -o is a format and --output-file a file, JSON
// failures under -o json, ./cluster.yaml by default, version, completion, init, help and did-you-mean,
// and failure hints that print the real command (never a real install with --yes from a dry run).
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { $ } from 'zx';
import { CALICO_VERSION, CILIUM_VERSION, KUBERNETES_MINORS } from '../source/spec/versions.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function run(args: string[], cwd = root): Promise<{ code: number | null; stdout: string; stderr: string }> {
	const result = await $({ cwd, quiet: true, nothrow: true, env: { ...process.env, NO_COLOR: '1', SSH_AUTH_SOCK: '' } })`${process.execPath} ${join(root, 'bin/kubestrap.js')} ${args}`;
	return { code: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

function tempDir(): string {
	return mkdtempSync(join(tmpdir(), 'kubestrap-conv-'));
}

/** A loopback port nothing listens on: connecting to it is refused at once. */
async function refusedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	await new Promise((resolve) => server.close(resolve));
	if (address === null || typeof address === 'string') throw new Error('no port');
	return address.port;
}

test('render -o json prints one JSON List of the objects render -o yaml prints; -o yaml is the default', async (t) => {
	const json = await run(['render', '--config', 'examples/baremetal-calico-vxlan.yaml', '-o', 'json']);
	t.is(json.code, 0, json.stderr);
	const list = JSON.parse(json.stdout) as { kind: string; items: Array<{ kind: string }> };
	t.is(list.kind, 'List');
	const yaml = await run(['render', '--config', 'examples/baremetal-calico-vxlan.yaml', '-o', 'yaml']);
	t.is(yaml.stdout, (await run(['render', '--config', 'examples/baremetal-calico-vxlan.yaml'])).stdout);
	t.is((yaml.stdout.match(/^kind: /gm) ?? []).length, list.items.length);
	const bad = await run(['render', '--config', 'examples/baremetal-calico-vxlan.yaml', '-o', 'out.yaml']);
	t.is(bad.code, 2, '-o is a format, never a file name');
	t.regex(bad.stderr, /Allowed choices are yaml, json/);
});

test('aws iam-policy -o json prints the policy; --output-file writes it', async (t) => {
	const printed = await run(['aws', 'iam-policy', '-o', 'json']);
	t.is(printed.code, 0);
	t.is((JSON.parse(printed.stdout) as { Version: string }).Version, '2012-10-17');
	const dir = tempDir();
	const written = await run(['aws', 'iam-policy', '--output-file', 'policy.json'], dir);
	t.is(written.code, 0, written.stderr);
	t.is(written.stdout, '');
	t.is(readFileSync(join(dir, 'policy.json'), 'utf8'), printed.stdout);
});

test('under -o json invalid input is the JSON error object with the field paths', async (t) => {
	const result = await run(['render', '-o', 'json', '--cni', 'nope']);
	t.is(result.code, 2);
	const body = JSON.parse(result.stdout) as { error: { code: string; exitCode: number; problems: Array<{ path: string; message: string }> } };
	t.is(body.error.code, 'invalid-input');
	t.is(body.error.exitCode, 2);
	t.true(body.error.problems.some((p) => p.path === 'spec.network.cni' && /"nope" is not one of cilium, calico/.test(p.message)));
	t.true(body.error.problems.some((p) => p.path === 'metadata.name'));
	const usage = await run(['plan', '-o', 'json', '--no-such-flag']);
	t.is(usage.code, 2);
	t.is((JSON.parse(usage.stdout) as { error: { code: string } }).error.code, 'invalid-input', 'a usage mistake is JSON too');
});

test('plan -o json against an unreachable host prints the JSON error with the host and step; the hint reruns the plan', async (t) => {
	const dir = tempDir();
	await $({ quiet: true })`ssh-keygen -q -t ed25519 -N ${''} -f ${join(dir, 'id')}`;
	const port = await refusedPort();
	const args = ['plan', '-o', 'json', '--name', 'demo', '--control-plane', '127.0.0.1', '--ssh-user', 'ubuntu', '--ssh-port', String(port), '--ssh-identity-file', join(dir, 'id'), '--connect-timeout', '1'];
	const result = await run(args, dir);
	t.is(result.code, 1);
	const body = JSON.parse(result.stdout) as { error: { code: string; hosts: Array<{ host: string; step: string; message: string }>; messages: string[] } };
	t.is(body.error.code, 'failed');
	t.is(body.error.hosts[0]?.host, '127.0.0.1');
	t.is(body.error.hosts[0]?.step, 'connect');
	const hint = body.error.messages.join('\n');
	t.notRegex(hint, /--yes/, 'a dry run never suggests a real install');
	t.notRegex(hint, /</, 'no placeholder');
	t.regex(hint, new RegExp(`run it again: kubestrap plan -o json --name demo --control-plane 127\\.0\\.0\\.1 --ssh-user ubuntu --ssh-port ${port}`));
	const text = await run(args.filter((word) => word !== '-o' && word !== 'json'), dir);
	t.regex(text.stderr, /nothing was changed\. Fix the cause, then run it again: kubestrap plan --name demo/);
	t.notRegex(text.stderr, /--yes|<the same flags>/);
	const dry = await run(['install', '--dry-run', ...args.slice(3)], dir);
	t.regex(dry.stderr, /run it again: kubestrap install --dry-run --name demo/);
	t.notRegex(dry.stderr, /--yes|<the same flags>/);
});

test('./cluster.yaml is read when --config is not given, and stderr says so', async (t) => {
	const dir = tempDir();
	copyFileSync(join(root, 'examples/aws-calico.yaml'), join(dir, 'cluster.yaml'));
	const result = await run(['validate'], dir);
	t.is(result.code, 0, result.stderr);
	t.regex(result.stderr, /^reading \.\/cluster\.yaml \(no --config given\)$/m);
	t.regex(result.stdout, /^valid: /);
	const explicit = await run(['validate', '--config', join(root, 'examples/baremetal-cilium.yaml')], dir);
	t.notRegex(explicit.stderr, /reading \.\/cluster\.yaml/);
});

test('version and --version: kubestrap, the Kubernetes minors, Cilium and Calico from the support table', async (t) => {
	const pkg = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
	t.is((await run(['--version'])).stdout.trim(), pkg);
	const text = await run(['version']);
	t.is(text.code, 0);
	t.regex(text.stdout, new RegExp(`^kubestrap ${pkg.replace(/\./g, '\\.')}$`, 'm'));
	t.regex(text.stdout, new RegExp(`^Cilium ${CILIUM_VERSION}$`, 'm'));
	t.regex(text.stdout, new RegExp(`^Calico ${CALICO_VERSION}$`, 'm'));
	const json = JSON.parse((await run(['version', '-o', 'json'])).stdout) as { kubestrap: string; cilium: string; calico: string; kubernetes: { minors: Array<{ minor: string }> } };
	t.deepEqual(json.kubernetes.minors.map((m) => m.minor), KUBERNETES_MINORS.map((m) => m.minor));
	t.is(json.kubestrap, pkg);
	t.is(json.cilium, CILIUM_VERSION);
	t.notThrows(() => statSync(join(root, 'manifests', 'cilium', `cilium-${CILIUM_VERSION}.yaml`)), 'the shipped manifest is the release the version command names');
});

test('completion bash|zsh|fish name the commands and flags; bash parses; an unknown shell exits 2', async (t) => {
	for (const shell of ['bash', 'zsh', 'fish']) {
		const result = await run(['completion', shell]);
		t.is(result.code, 0, shell);
		const words = shell === 'fish' ? ['install', 'render', 'version', 'init', '-l config', '-l cni'] : ['install', 'render', 'version', 'init', '--config', '--cni'];
		for (const word of words) t.true(result.stdout.includes(word), `${shell}: ${word}`);
	}
	const bash = (await run(['completion', 'bash'])).stdout;
	const dir = tempDir();
	writeFileSync(join(dir, 'c.bash'), bash);
	const checked = await $({ quiet: true, nothrow: true })`bash -n ${join(dir, 'c.bash')}`;
	t.is(checked.exitCode, 0, checked.stderr);
	t.is((await run(['completion', 'tcsh'])).code, 2);
});

test('init writes a commented starter that validates, or an example by name; never over a file without --force', async (t) => {
	const dir = tempDir();
	const first = await run(['init'], dir);
	t.is(first.code, 0, first.stderr);
	const starter = readFileSync(join(dir, 'cluster.yaml'), 'utf8');
	t.regex(starter, /^# yaml-language-server: \$schema=file:\/\//);
	t.regex(starter, /# baremetal \| aws/);
	t.is(statSync(join(dir, 'cluster.yaml')).mode & 0o777, 0o600);
	const schema = /\$schema=(\S+)/.exec(starter)?.[1] ?? '';
	t.notThrows(() => JSON.parse(readFileSync(new URL(schema), 'utf8')), 'the $schema line points at a schema that exists');
	t.is((await run(['validate'], dir)).code, 0, 'the starter validates as it is');
	const again = await run(['init'], dir);
	t.is(again.code, 2);
	t.regex(again.stderr, /exists; nothing was written \(add --force/);
	t.is(readFileSync(join(dir, 'cluster.yaml'), 'utf8'), starter);
	const example = await run(['init', 'aws-cilium-eni', '--force'], dir);
	t.is(example.code, 0, example.stderr);
	t.regex(readFileSync(join(dir, 'cluster.yaml'), 'utf8'), /ipam: eni/);
	const unknown = await run(['init', 'nope', '--output-file', 'x.yaml'], dir);
	t.is(unknown.code, 2);
	t.regex(unknown.stderr, /examples: aws-calico, aws-cilium-eni, baremetal-calico-vxlan, baremetal-cilium/);
});

test('help names the guided install; help of an unknown command exits 2; reset and uninstall never suggest install', async (t) => {
	const help = await run(['--help']);
	t.regex(help.stdout, /With no command on a terminal: the guided install/);
	t.regex(help.stdout, /kubestrap --config cluster\.yaml` or `kubestrap` with\s+spec flags/);
	const unknown = await run(['help', 'frobnicate']);
	t.is(unknown.code, 2);
	t.regex(unknown.stderr, /unknown command 'frobnicate'/);
	for (const word of ['uninstall', 'uninstal', 'reset', 'rest', 'remove']) {
		const result = await run([word]);
		t.is(result.code, 2, word);
		t.notRegex(result.stderr, /did you mean install/, word);
	}
	t.regex((await run(['instal'])).stderr, /did you mean install\?/);
});

test('kubestrap --config F and kubestrap with flags are the guided install (here without a terminal: asks for --yes)', async (t) => {
	for (const args of [['--config', 'examples/aws-calico.yaml'], ['--cni', 'calico', '--name', 'demo', '--control-plane', '127.0.0.1']]) {
		const result = await run(args);
		t.is(result.code, 2, args.join(' '));
		t.notRegex(result.stderr, /unknown option/);
		t.regex(result.stderr, /no terminal to confirm on; add --yes/);
	}
});
