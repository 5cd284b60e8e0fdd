// Architecture rules no type checker enforces: which directory may import node-ssh or the AWS
// SDK, that only cli.tsx reads argv and the environment, and that no remote command is built
// from a template string (every value goes through remote/quote.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Violation {
	file: string;
	line: number;
	rule: string;
}

const RULES: Array<{ rule: string; pattern: RegExp; allowed: (file: string) => boolean }> = [
	{ rule: 'node-ssh is imported only in source/remote/', pattern: /from ['"](node-ssh|ssh2)['"]/, allowed: (f) => f.startsWith('source/remote/') },
	{ rule: '@aws-sdk is imported only in source/cloud/', pattern: /from ['"]@aws-sdk\//, allowed: (f) => f.startsWith('source/cloud/') },
	{ rule: 'argv and the environment are read only in source/cli.tsx', pattern: /process\.(argv|env)\b/, allowed: (f) => f === 'source/cli.tsx' },
	{ rule: 'no template string passed to exec (build argv arrays; quote.ts renders them)', pattern: /\bexec(Command)?\(\s*`/, allowed: () => false },
	{ rule: 'no unfinished markers in source/', pattern: /\b(TODO|FIXME|XXX)\b/, allowed: () => false },
];

function walk(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		return statSync(path).isDirectory() ? walk(path) : /\.(ts|tsx)$/.test(name) ? [path] : [];
	});
}

export function lintSource(root: string): Violation[] {
	const violations: Violation[] = [];
	for (const path of walk(join(root, 'source'))) {
		const file = relative(root, path);
		readFileSync(path, 'utf8').split('\n').forEach((text, index) => {
			for (const { rule, pattern, allowed } of RULES) {
				if (pattern.test(text) && !allowed(file)) violations.push({ file, line: index + 1, rule });
			}
		});
	}
	return violations;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const root = fileURLToPath(new URL('../../../', import.meta.url));
	const violations = lintSource(root);
	for (const v of violations) console.error(`${v.file}:${v.line}: ${v.rule}`);
	console.log(violations.length === 0 ? 'lint: no violations' : `lint: ${violations.length} violation(s)`);
	process.exitCode = violations.length === 0 ? 0 : 1;
}
