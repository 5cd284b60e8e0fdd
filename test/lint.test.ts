import { fileURLToPath } from 'node:url';
import test from 'ava';
import { lintSource, lintTests } from './_helpers/lint.js';

test('architecture rules hold across source/', (t) => {
	const violations = lintSource(fileURLToPath(new URL('../../', import.meta.url)));
	t.deepEqual(violations.map((v) => `${v.file}:${v.line}: ${v.rule}`), []);
});

test('no test source dials an address outside loopback', (t) => {
	const violations = lintTests(fileURLToPath(new URL('../../', import.meta.url)));
	t.deepEqual(violations.map((v) => `${v.file}:${v.line}: ${v.rule}`), []);
});

test('the test-source rule catches a probe aimed at a documentation address, not the same address in a message', async (t) => {
	const { mkdtemp, mkdir, writeFile, rm } = await import('node:fs/promises');
	const { join } = await import('node:path');
	const { tmpdir } = await import('node:os');
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
