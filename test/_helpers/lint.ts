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

// A test may hold any address as data (spec fixtures, known_hosts lines), but a connect or probe aimed
// at a literal outside 127.0.0.0/8 would send a packet off the machine. The runtime guard
// (_helpers/loopback-only.ts) catches it when it runs; this catches it in the source.
const DIAL = /\b(connect|createConnection|probePort|probe|dial|NodeSSH)\s*\(/;
/** String contents are messages ("connect ECONNREFUSED 10.0.0.9:22"), not calls. */
const STRINGS = /'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/g;
const IPV4 = /\b(\d{1,3})\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g;
/** The guard's own test dials outside addresses on purpose, to show they are refused. */
const DIAL_ALLOWED = new Set(['test/loopback-guard.test.ts']);

export function lintTests(root: string): Violation[] {
	const violations: Violation[] = [];
	for (const path of walk(join(root, 'test'))) {
		const file = relative(root, path);
		if (DIAL_ALLOWED.has(file)) continue;
		readFileSync(path, 'utf8').split('\n').forEach((text, index) => {
			if (!DIAL.test(text.replace(STRINGS, "''"))) return;
			const outside = [...text.matchAll(IPV4)].filter((match) => match[1] !== '127');
			if (outside.length > 0) violations.push({ file, line: index + 1, rule: `tests dial only loopback (found ${outside.map((m) => m[0]).join(', ')} next to a connect)` });
		});
	}
	return violations;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const root = fileURLToPath(new URL('../../../', import.meta.url));
	const violations = [...lintSource(root), ...lintTests(root)];
	for (const v of violations) console.error(`${v.file}:${v.line}: ${v.rule}`);
	console.log(violations.length === 0 ? 'lint: no violations' : `lint: ${violations.length} violation(s)`);
	process.exitCode = violations.length === 0 ? 0 : 1;
}
