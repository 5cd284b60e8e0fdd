// Spawns the built binary as a user would and checks exit codes and output formats.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { parseAllDocuments } from 'yaml';

const root = fileURLToPath(new URL('../../', import.meta.url));

function run(args: string[], cwd = root): { code: number | null; stdout: string; stderr: string } {
	const result = spawnSync(process.execPath, [join(root, 'bin/kubestrap.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
	return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tempDir(): string {
	return mkdtempSync(join(tmpdir(), 'kubestrap-cli-'));
}

test('--version and --help exit 0', (t) => {
	const version = run(['--version']);
	t.is(version.code, 0);
	t.is(version.stdout.trim(), (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
	const help = run(['--help']);
	t.is(help.code, 0);
	for (const command of ['validate', 'render', 'schema']) t.regex(help.stdout, new RegExp(`\\b${command}\\b`));
	for (const command of ['validate', 'render']) {
		const sub = run([command, '--help']);
		t.is(sub.code, 0);
		t.regex(sub.stdout, /--cilium-ipam <value>/);
		t.regex(sub.stdout, /Exit codes: 0 success/);
	}
});

test('every example validates', (t) => {
	for (const name of ['baremetal-cilium', 'baremetal-calico-vxlan', 'aws-cilium-eni', 'aws-calico']) {
		const result = run(['validate', '--config', `examples/${name}.yaml`]);
		t.is(result.code, 0, result.stderr);
		t.regex(result.stdout, /^valid: /);
	}
});

test('ENI on baremetal exits 2 naming spec.network.cilium.ipam', (t) => {
	const dir = tempDir();
	const text = readFileSync(join(root, 'examples/baremetal-cilium.yaml'), 'utf8').replace('ipam: cluster-pool', 'ipam: eni').replace('tunnel: vxlan', 'tunnel: disabled').replace('disableMasquerade: false', 'disableMasquerade: true');
	writeFileSync(join(dir, 'cluster.yaml'), text);
	const result = run(['validate', '--config', 'cluster.yaml'], dir);
	t.is(result.code, 2);
	t.is(result.stdout, '');
	t.deepEqual(result.stderr.trim().split('\n'), [
		'spec.network.cilium.ipam: "eni" is only supported with target "aws"',
		'1 problem; nothing was contacted or changed.',
	]);
	const render = run(['render', '--config', 'cluster.yaml'], dir);
	t.is(render.code, 2);
	t.is(render.stdout, '', 'render prints nothing when the spec is invalid');
});

test('validate -o json has a stable shape', (t) => {
	const good = run(['validate', '--config', 'examples/aws-calico.yaml', '-o', 'json']);
	t.is(good.code, 0);
	const body = JSON.parse(good.stdout) as { valid: boolean; problems: unknown[]; summary: string };
	t.true(body.valid);
	t.deepEqual(body.problems, []);
	const bad = run(['validate', '--config', 'examples/aws-calico.yaml', '--pod-cidr', '10.96.0.0/16', '-o', 'json']);
	t.is(bad.code, 2);
	t.deepEqual(JSON.parse(bad.stdout), {
		valid: false,
		problems: [{ path: 'spec.kubernetes.serviceSubnet', message: '10.96.0.0/12 overlaps the pod subnet 10.96.0.0/16; pick ranges that do not intersect', text: 'spec.kubernetes.serviceSubnet: 10.96.0.0/12 overlaps the pod subnet 10.96.0.0/16; pick ranges that do not intersect' }],
	});
});

test('usage mistakes and unreadable files exit 2', (t) => {
	const unknownFlag = run(['validate', '--cilium-ipm', 'eni']);
	t.is(unknownFlag.code, 2);
	t.regex(unknownFlag.stderr, /unknown option '--cilium-ipm'/);
	const missing = run(['validate', '--config', 'does-not-exist.yaml']);
	t.is(missing.code, 2);
	t.regex(missing.stderr, /^does-not-exist\.yaml: file not found$/m);
	const badValue = run(['validate', '--config', 'examples/baremetal-cilium.yaml', '--cilium-ipam', 'enii']);
	t.is(badValue.code, 2);
	t.regex(badValue.stderr, /^spec\.network\.cilium\.ipam: --cilium-ipam "enii" is not one of cluster-pool, kubernetes, crd, eni; did you mean "eni"\?$/m);
	const missingAnswers = run(['validate', '--cni', 'calico']);
	t.is(missingAnswers.code, 2);
	t.regex(missingAnswers.stderr, /^metadata\.name: required; set it in the config file or with --name$/m);
	t.regex(missingAnswers.stderr, /^spec\.hosts: required with target "baremetal".*--control-plane ADDR/m);
});

test('render prints the ENI manifests for the AWS ENI example', (t) => {
	const result = run(['render', '--config', 'examples/aws-cilium-eni.yaml']);
	t.is(result.code, 0, result.stderr);
	const docs = parseAllDocuments(result.stdout);
	t.true(Array.isArray(docs) && docs.every((d) => d.errors.length === 0));
	t.regex(result.stdout, /^\s+ipam: "?eni"?$/m);
	t.regex(result.stdout, /enable-endpoint-routes: "true"/);
	t.regex(result.stdout, /quay\.io\/cilium\/operator-aws:v1\.20\.1/);
	t.notRegex(result.stdout, /BEGIN (EC )?PRIVATE KEY/, 'render never prints key material');
});

test('render --output-file FILE writes the same bytes render prints', (t) => {
	const dir = tempDir();
	const target = join(dir, 'out.yaml');
	const result = run(['render', '--config', join(root, 'examples/baremetal-cilium.yaml'), '--output-file', target], dir);
	t.is(result.code, 0, result.stderr);
	t.is(result.stdout, '');
	t.regex(result.stderr, /^wrote \d+ objects \(Cilium 1\.20\.1\) to /);
	t.true(existsSync(target));
	t.is(statSync(target).mode & 0o777, 0o644);
	t.is(readFileSync(target, 'utf8'), run(['render', '--config', 'examples/baremetal-cilium.yaml']).stdout);
});

test('schema prints the shipped JSON Schema', (t) => {
	const result = run(['schema']);
	t.is(result.code, 0);
	t.is(result.stdout, readFileSync(join(root, 'schema/cluster.schema.json'), 'utf8'));
});

test('without a terminal, install asks nothing: missing answers or a missing --yes exit 2', (t) => {
	const missing = run(['install', '--cni', 'calico']);
	t.is(missing.code, 2);
	t.regex(missing.stderr, /^metadata\.name: required; set it in the config file or with --name$/m);
	const noYes = run(['install', '--config', 'examples/baremetal-cilium.yaml']);
	t.is(noYes.code, 2);
	t.regex(noYes.stderr, /install: no terminal to confirm on; add --yes to install without asking/);
	const bare = run([]);
	t.is(bare.code, 0);
	t.regex(bare.stdout, /Usage: kubestrap/);
});

test('target aws without AWS credentials: exit 2 naming how to provide them, no stack trace, no SSH', (t) => {
	const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials' };
	for (const key of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI']) delete env[key];
	const dir = tempDir();
	const result = spawnSync(process.execPath, [join(root, 'bin/kubestrap.js'), 'install', '--config', join(root, 'examples/aws-calico.yaml'), '--yes'], { cwd: dir, encoding: 'utf8', env });
	t.is(result.status, 2, result.stderr);
	t.regex(result.stderr, /^aws: no AWS credentials found: set AWS_PROFILE \(then `aws sso login --profile NAME` for an SSO profile\) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run on an instance with an IAM role$/m);
	t.regex(result.stderr, /^no SSH connection was made and nothing was changed\.$/m);
	t.false(/\n\s+at /.test(result.stderr), 'no stack trace');
	t.false(/NodeVersionSupportWarning/.test(result.stderr), 'no SDK notice');
	t.false(existsSync(join(dir, '.kubestrap')), 'no state written');
});

test('--ask-sudo-password without a terminal exits 2 before any host is contacted', (t) => {
	// A refused loopback port: if the refusal came too late, the run would fail at connect with exit 1 instead.
	for (const verb of ['install', 'reset']) {
		const result = run([verb, '--name', 'demo', '--control-plane', '127.0.0.1', '--ssh-port', '1', '--ssh-user', 'u', '--yes', '--ask-sudo-password'], tempDir());
		t.is(result.code, 2, `${verb}: ${result.stderr}`);
		t.regex(result.stderr, /^--ask-sudo-password needs a terminal to read the password from$/m);
		t.notRegex(result.stderr, /ECONNREFUSED|cannot connect/);
	}
});
