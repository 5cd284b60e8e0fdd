// status --kubeconfig checks the file first: no credentials (kubectl would prompt), not a file, not a
// kubeconfig → exit 2 with one line; insecure-skip-tls-verify → a warning.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { checkKubeconfig } from '../../source/commands/kubeconfig-check.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kubestrap-kcheck-'));

function file(name: string, user: string, cluster = 'server: "https://127.0.0.1:6443"'): string {
	const path = join(dir, name);
	writeFileSync(path, ['apiVersion: v1', 'kind: Config', 'current-context: a', 'contexts: [{name: a, context: {cluster: c, user: u}}]', `clusters: [{name: c, cluster: {${cluster}}}]`, `users: [{name: u, user: ${user}}]`, ''].join('\n'));
	return path;
}

test('a user without credentials is refused before kubectl could prompt', async (t) => {
	const path = file('nocreds', '{}');
	t.deepEqual(await checkKubeconfig(path), {
		error: `--kubeconfig: ${path}: the current context's user has no credentials (no client certificate, token or exec plugin), so kubectl would ask for a username; fetch a kubeconfig with credentials`,
		warnings: [],
	});
});

test('insecure-skip-tls-verify is a warning; an exec plugin counts as credentials', async (t) => {
	const path = file('insecure', '{exec: {command: aws, apiVersion: client.authentication.k8s.io/v1beta1}}', 'server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true');
	const verdict = await checkKubeconfig(path);
	t.is(verdict.error, undefined);
	t.regex(verdict.warnings[0] ?? '', /sets insecure-skip-tls-verify for https:\/\/127\.0\.0\.1:6443: the API server's certificate is not checked/);
});

test('not YAML, no context, a FIFO: exit 2 from the command, one line each', (t) => {
	const fifo = join(dir, 'fifo');
	execFileSync('mkfifo', [fifo]);
	const bad = join(dir, 'bad');
	writeFileSync(bad, 'clusters: [unclosed\n');
	const empty = join(dir, 'empty');
	writeFileSync(empty, 'apiVersion: v1\nkind: Config\n');
	const cases: Array<[string, RegExp]> = [
		[fifo, /^--kubeconfig: kubeconfig .*fifo: is a FIFO \(named pipe\), not a regular file/],
		[bad, /^--kubeconfig: .*bad is not valid YAML/],
		[empty, /^--kubeconfig: .*empty has no context; set current-context/],
		[file('nocreds2', '{}'), /has no credentials/],
	];
	for (const [path, pattern] of cases) {
		// PATH is left as is: the check comes before kubectl is looked for or run.
		const result = spawnSync(process.execPath, [join(ROOT, 'bin/kubestrap.js'), 'status', '--kubeconfig', path], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}` } });
		t.is(result.status, 2, `${path}: ${result.stderr}`);
		t.regex(result.stderr, pattern);
		t.is(result.stderr.trim().split('\n').length, 1);
	}
});
