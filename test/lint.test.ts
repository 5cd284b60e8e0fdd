// The architecture lint: the real tree passes, and each rule catches the violation it is there for
// (a small source/ tree per case, with one file that breaks the rule).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { importsOf, lintSource, lintTests } from './_helpers/lint.js';

test('architecture rules hold across source/', (t) => {
	const violations = lintSource(fileURLToPath(new URL('../../', import.meta.url)));
	t.deepEqual(violations.map((v) => `${v.file}:${v.line}: ${v.rule}`), []);
});

const CLI = "export async function main(): Promise<void> {\n\tawait import('./commands/install.js');\n\tawait import('./commands/status.js');\n}\n";

/** Lints a tree of the given files (plus a cli.tsx that loads the install and status verbs). */
function lint(files: Record<string, string>): string[] {
	const root = mkdtempSync(join(tmpdir(), 'kubestrap-lint-'));
	try {
		for (const [path, text] of Object.entries({ 'source/cli.tsx': CLI, 'source/commands/install.ts': 'export async function installCommand() {}\n', 'source/commands/status.ts': 'export async function statusCommand() {}\n', ...files })) {
			mkdirSync(dirname(join(root, path)), { recursive: true });
			writeFileSync(join(root, path), text);
		}
		return lintSource(root).map((v) => `${v.file}:${v.line}: ${v.rule}`);
	} finally {
		rmSync(root, { recursive: true, force: true });
	}
}

const cases: Array<{ name: string; files: Record<string, string>; rule: RegExp }> = [
	{ name: 'node-ssh outside remote/', files: { 'source/steps/x.ts': "import { NodeSSH } from 'node-ssh';\n" }, rule: /node-ssh is imported only in source\/remote/ },
	{ name: 'ssh2 required outside remote/', files: { 'source/cloud/x.ts': "const ssh2 = require('ssh2');\n" }, rule: /node-ssh is imported only in source\/remote/ },
	{ name: 'the AWS SDK outside cloud/', files: { 'source/commands/install.ts': "import { EC2Client } from '@aws-sdk/client-ec2';\n" }, rule: /@aws-sdk is imported only in source\/cloud/ },
	{ name: 'the Kubernetes client outside kubeapi/', files: { 'source/commands/status.ts': "import { KubeConfig } from 'kube-client-node';\n" }, rule: /client-node \(kube-client-node\) is imported only in source\/kubeapi/ },
	{ name: 'kubeapi/ reaching into steps/', files: { 'source/kubeapi/api-reader.ts': "import { sleep } from '../steps/sleep.js';\n" }, rule: /kubeapi\/ knows only the API/ },
	{ name: 'spec/ reading a file', files: { 'source/spec/x.ts': "import { readFile } from 'node:fs/promises';\n" }, rule: /spec\/ and cluster\/ are pure: no file system/ },
	{ name: 'cluster/ starting a process', files: { 'source/cluster/x.ts': "import { execFile } from 'node:child_process';\n" }, rule: /spec\/ and cluster\/ are pure: no file system/ },
	{ name: 'cluster/ importing steps/', files: { 'source/cluster/x.ts': "import { run } from '../steps/exec.js';\n", 'source/steps/exec.ts': '' }, rule: /spec\/ and cluster\/ import nothing from remote/ },
	{ name: 'spec/ importing cluster/', files: { 'source/spec/x.ts': "import type { Verdict } from '../cluster/health/index.js';\n" }, rule: /spec\/ imports nothing from cluster\// },
	{ name: 'remote/ importing spec/', files: { 'source/remote/x.ts': "import type { Cluster } from '../spec/types.js';\n" }, rule: /remote\/ knows nothing of clusters/ },
	{ name: 'ui/ importing a remote/ value', files: { 'source/ui/x.tsx': "import { connect } from '../remote/connection.js';\n" }, rule: /ui\/ does no I\/O/ },
	{ name: 'ui/ importing a cloud/ value dynamically', files: { 'source/ui/x.tsx': "const cloud = await import('../cloud/index.js');\n" }, rule: /ui\/ does no I\/O/ },
	{ name: 'ui/ writing a file', files: { 'source/ui/x.tsx': "import { writeFile } from 'node:fs/promises';\n" }, rule: /ui\/ does no I\/O/ },
	{ name: 'ui/ importing commands/', files: { 'source/ui/x.tsx': "import type { Io } from '../commands/io.js';\n" }, rule: /ui\/ imports nothing from commands/ },
	{ name: 'steps/ importing ui/', files: { 'source/steps/x.ts': "import { mountProgress } from '../ui/progress/mount.js';\n" }, rule: /steps\/ import nothing from ui\// },
	{ name: 'steps/ importing commands/', files: { 'source/steps/x.ts': "import { EXIT } from '../commands/exit.js';\n" }, rule: /steps\/ import nothing from ui\/, commands\// },
	{ name: 'cloud/ importing session/', files: { 'source/cloud/x.ts': "import { openSession } from '../session/session.js';\n" }, rule: /cloud\/ imports nothing from steps/ },
	{ name: 'session/ importing commands/', files: { 'source/session/x.ts': "import type { Io } from '../commands/io.js';\n" }, rule: /session\/ imports nothing from ui\/ or commands/ },
	{ name: 'a command connecting over SSH itself', files: { 'source/commands/status.ts': "const { connect } = await import('../remote/connection.js');\n" }, rule: /commands\/ reach hosts and AWS through session\// },
	{ name: 'a command calling EC2 itself', files: { 'source/commands/reset.ts': "import { discoverInstances } from '../cloud/index.js';\n" }, rule: /commands\/ reach hosts and AWS through session\// },
	{ name: 'a command importing another command', files: { 'source/commands/install.ts': "import { statusCommand } from './status.js';\n" }, rule: /no command imports another command/ },
	{ name: 'process.env outside cli.tsx', files: { 'source/commands/x.ts': "const home = process.env.HOME;\n" }, rule: /environment are read only in source\/cli\.tsx/ },
	{ name: 'io.env outside cli.tsx', files: { 'source/commands/x.ts': "const agent = io.env['SSH_AUTH_SOCK'];\n" }, rule: /environment are read only in source\/cli\.tsx/ },
	{ name: 'an environment bag read by name outside cli.tsx', files: { 'source/session/x.ts': "const profile = env.AWS_PROFILE;\n" }, rule: /environment are read only in source\/cli\.tsx/ },
	{ name: 'a template string passed to exec', files: { 'source/steps/x.ts': 'await remote.exec(`rm -rf ${dir}`);\n' }, rule: /no template string passed to exec/ },
];

for (const { name, files, rule } of cases) {
	test(`the lint catches ${name}`, (t) => {
		const found = lint(files);
		t.true(found.some((line) => rule.test(line)), found.join('\n') || 'no violation found');
	});
}

test('what the floors allow passes: types from a higher floor in ui/, pure edges, helpers shared by commands, node:net address parsing', (t) => {
	t.deepEqual(lint({
		'source/ui/x.tsx': "import type { ConnectionTest } from '../session/connection-test.js';\nimport { quote } from '../remote/quote.js';\nimport { CILIUM_ENI_ACTIONS } from '../cloud/iam-policy.js';\nimport { type Remote } from '../remote/remote.js';\n",
		'source/commands/install.ts': "import { EXIT } from './exit.js';\nimport { openSession } from '../session/session.js';\n",
		'source/commands/exit.ts': '',
		'source/spec/x.ts': "import { isIP } from 'node:net';\n",
		'source/remote/x.ts': "import { NodeSSH } from 'node-ssh';\n",
		'source/cli.tsx': `${CLI}const color = process.env['NO_COLOR'];\n`,
	}), []);
});

test('imports are read with their kind: type-only, dynamic, re-exports and named bindings', (t) => {
	const refs = importsOf("import type { A } from './a.js';\nimport { type B, type C } from './b.js';\nimport D, { type E } from './d.js';\nexport { F } from './f.js';\nconst g = await import('./g.js');\nimport { isIP as ip } from 'node:net';\n");
	t.deepEqual(refs.map((r) => [r.specifier, r.typeOnly, r.dynamic, r.line]), [['./a.js', true, false, 1], ['./b.js', true, false, 2], ['./d.js', false, false, 3], ['./f.js', false, false, 4], ['./g.js', false, true, 5], ['node:net', false, false, 6]]);
	t.deepEqual(refs[5]?.names, ['isIP']);
});

test('no test source dials an address outside loopback', (t) => {
	const violations = lintTests(fileURLToPath(new URL('../../', import.meta.url)));
	t.deepEqual(violations.map((v) => `${v.file}:${v.line}: ${v.rule}`), []);
});

test('the test-source rule catches a probe aimed at a documentation address, not the same address in a message', async (t) => {
	const { mkdtemp, mkdir, writeFile, rm } = await import('node:fs/promises');
	const root = await mkdtemp(join(tmpdir(), 'kubestrap-lint-'));
	await mkdir(join(root, 'test'));
	await writeFile(
		join(root, 'test', 'x.test.ts'),
		["const pending = probePort('192.0.2.1', 22, 10_000);", "const error = new Error('connect ECONNREFUSED 10.0.0.9:22');", "probePort('127.0.0.1', 1, 100);"].join('\n'),
	);
	const violations = lintTests(root);
	await rm(root, { recursive: true });
	t.deepEqual(violations.map((v) => v.line), [1]);
});
