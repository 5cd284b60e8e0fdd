import { fileURLToPath } from 'node:url';
import test from 'ava';
import { lintSource } from './_helpers/lint.js';

test('architecture rules hold across source/', (t) => {
	const violations = lintSource(fileURLToPath(new URL('../../', import.meta.url)));
	t.deepEqual(violations.map((v) => `${v.file}:${v.line}: ${v.rule}`), []);
});
