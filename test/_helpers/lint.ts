// Architecture rules no type checker enforces: which folder may import which (the floors of
// ARCHITECTURE.md), which folder alone may import node-ssh or the AWS SDK, that only cli.tsx reads
// argv and the environment, and that no remote command is built from a template string (every
// value goes through remote/quote.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Violation {
	file: string;
	line: number;
	rule: string;
}

const LINE_RULES: Array<{ rule: string; pattern: RegExp; allowed: (file: string) => boolean }> = [
	{ rule: 'argv and the environment are read only in source/cli.tsx', pattern: /\bprocess\.(argv|env)\b|\bio\.env\b|\benv\[['"][A-Z][A-Z0-9_]*['"]\]|\benv\.[A-Z][A-Z0-9_]+\b/, allowed: (f) => f === 'source/cli.tsx' },
	{ rule: 'node-ssh is imported only in source/remote/', pattern: /\brequire\(\s*['"](node-ssh|ssh2)['"]\s*\)/, allowed: (f) => f.startsWith('source/remote/') },
	{ rule: 'no template string passed to exec (build argv arrays; quote.ts renders them)', pattern: /\bexec(Command)?\(\s*`/, allowed: () => false },
	{ rule: 'no unfinished markers in source/', pattern: /\b(TODO|FIXME|XXX)\b/, allowed: () => false },
];

/** One import of a source file: what it names, whether only types, and where. */
export interface ImportRef {
	specifier: string;
	typeOnly: boolean;
	/** the named bindings, when the import lists them */
	names: string[];
	line: number;
	/** import('…'): loaded when used */
	dynamic: boolean;
}

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;

export function importsOf(text: string): ImportRef[] {
	const refs: ImportRef[] = [];
	for (const match of text.matchAll(IMPORT)) {
		const specifier = match[4] ?? match[5] ?? match[6] ?? '';
		const clause = match[3] ?? '';
		const line = text.slice(0, (match.index ?? 0) + match[0].search(/\S/)).split('\n').length;
		const braces = /\{([^}]*)\}/.exec(clause)?.[1] ?? '';
		const names = braces.split(',').map((part) => part.trim()).filter(Boolean);
		// `import { type A, type B }` is as type-only as `import type { A, B }`.
		const outsideBraces = clause.replace(/\{[^}]*\}/, '').replace(/[\s,]/g, '');
		const typeOnly = match[2] !== undefined || (match[3] !== undefined && outsideBraces === '' && names.length > 0 && names.every((name) => name.startsWith('type ')));
		refs.push({ specifier, typeOnly, dynamic: match[5] !== undefined, names: names.map((name) => name.replace(/^type\s+/, '').split(/\s+as\s+/)[0] ?? ''), line });
	}
	return refs;
}

/** The folder of source/ a file is on ('cli.tsx' for the entry), or '' outside source/. */
function floorOf(file: string): string {
	if (!file.startsWith('source/')) return '';
	const parts = file.split('/');
	return parts.length === 2 ? parts[1] ?? '' : parts[1] ?? '';
}

/** source/-relative target of a relative import, or undefined for a package. */
function resolveImport(file: string, specifier: string): string | undefined {
	if (!specifier.startsWith('.')) return undefined;
	return normalize(join(dirname(file), specifier)).replace(/\.js$/, '.ts');
}

const IO_MODULES = new Set(['node:fs', 'node:fs/promises', 'fs', 'fs/promises', 'node:child_process', 'child_process', 'node:http', 'node:https', 'node:dgram', 'node:tls', 'node:net', 'net']);
// node:net's address parsers compute, they do not connect.
const PURE_NET = new Set(['isIP', 'isIPv4', 'isIPv6']);

function doesIo(ref: ImportRef): boolean {
	if (!IO_MODULES.has(ref.specifier) || ref.typeOnly) return false;
	if ((ref.specifier === 'node:net' || ref.specifier === 'net') && ref.names.length > 0 && ref.names.every((name) => PURE_NET.has(name))) return false;
	return true;
}

/** Files of remote/ and cloud/ that do no I/O, which a view may show values of. */
const PURE_EDGE = new Set(['source/remote/quote.ts', 'source/cloud/iam-policy.ts']);
/** remote/ code a command may call itself: a one-shot TCP connect (the wizard's port field), no SSH. */
const COMMAND_EDGE = new Set(['source/remote/port-probe.ts']);

interface ImportRule {
	rule: string;
	/** true when the import breaks the rule */
	breaks(file: string, ref: ImportRef, target: string | undefined, verbs: ReadonlySet<string>): boolean;
}

const IMPORT_RULES: ImportRule[] = [
	{ rule: 'node-ssh is imported only in source/remote/', breaks: (file, ref) => /^(node-ssh|ssh2)(\/|$)/.test(ref.specifier) && floorOf(file) !== 'remote' },
	{ rule: '@aws-sdk is imported only in source/cloud/', breaks: (file, ref) => ref.specifier.startsWith('@aws-sdk/') && floorOf(file) !== 'cloud' },
	// The API client from this machine (status --watch through a kubeconfig) lives in its own folder, as the
	// SSH client does in remote/: one place that knows the library, handing on the API's bytes.
	{ rule: '@kubernetes/client-node (kube-client-node) is imported only in source/kubeapi/', breaks: (file, ref) => /^(kube-client-node|@kubernetes\/client-node)(\/|$)/.test(ref.specifier) && file.startsWith('source/') && floorOf(file) !== 'kubeapi' },
	{ rule: 'kubeapi/ knows only the API: it imports no other folder but files/ (the bounded local reads)', breaks: (file, _ref, target) => floorOf(file) === 'kubeapi' && target !== undefined && floorOf(target) !== 'kubeapi' && floorOf(target) !== 'files' },
	{
		rule: 'spec/ and cluster/ are pure: no file system, network or processes (cluster/manifests.ts is the declared edge)',
		breaks: (file, ref) => ['spec', 'cluster'].includes(floorOf(file)) && file !== 'source/cluster/manifests.ts' && doesIo(ref),
	},
	{
		rule: 'spec/ and cluster/ import nothing from remote/, steps/, session/, ui/, cloud/ or commands/',
		breaks: (file, _ref, target) => ['spec', 'cluster'].includes(floorOf(file)) && target !== undefined && ['remote', 'steps', 'session', 'ui', 'cloud', 'commands'].includes(floorOf(target)),
	},
	{ rule: 'spec/ imports nothing from cluster/', breaks: (file, _ref, target) => floorOf(file) === 'spec' && target !== undefined && floorOf(target) === 'cluster' },
	{ rule: 'remote/ knows nothing of clusters: it imports no other folder but files/ (the bounded local reads)', breaks: (file, _ref, target) => floorOf(file) === 'remote' && target !== undefined && floorOf(target) !== 'remote' && floorOf(target) !== 'files' },
	{
		rule: 'ui/ does no I/O: no file system or network, and no values from remote/, cloud/ or session/ (types only)',
		breaks: (file, ref, target) => floorOf(file) === 'ui' && (doesIo(ref) || (!ref.typeOnly && target !== undefined && ['remote', 'cloud', 'session'].includes(floorOf(target)) && !PURE_EDGE.has(target))),
	},
	{ rule: 'ui/ imports nothing from commands/', breaks: (file, _ref, target) => floorOf(file) === 'ui' && target !== undefined && floorOf(target) === 'commands' },
	{ rule: 'steps/ import nothing from ui/, commands/ or session/', breaks: (file, _ref, target) => floorOf(file) === 'steps' && target !== undefined && ['ui', 'commands', 'session'].includes(floorOf(target)) },
	{ rule: 'cloud/ imports nothing from steps/, session/, ui/ or commands/', breaks: (file, _ref, target) => floorOf(file) === 'cloud' && target !== undefined && ['steps', 'session', 'ui', 'commands'].includes(floorOf(target)) },
	{ rule: 'session/ imports nothing from ui/ or commands/', breaks: (file, _ref, target) => floorOf(file) === 'session' && target !== undefined && ['ui', 'commands'].includes(floorOf(target)) },
	{
		rule: 'commands/ reach hosts and AWS through session/: no values from cloud/ or remote/ (types, the pure edges and the wizard\'s TCP port probe aside)',
		breaks: (file, ref, target) => floorOf(file) === 'commands' && !ref.typeOnly && target !== undefined && ['cloud', 'remote'].includes(floorOf(target)) && !PURE_EDGE.has(target) && !COMMAND_EDGE.has(target),
	},
	{ rule: 'no command imports another command (a verb file is what cli.tsx loads)', breaks: (file, _ref, target, verbs) => floorOf(file) === 'commands' && target !== undefined && target !== file && verbs.has(target) },
];

function walk(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		return statSync(path).isDirectory() ? walk(path) : /\.(ts|tsx)$/.test(name) ? [path] : [];
	});
}

/**
 * The command files cli.tsx loads when a verb runs: one per verb, each exporting its `…Command` entry.
 * cli.tsx also loads shared command helpers lazily (spec input, JSON errors); those are not verbs.
 */
function verbFiles(texts: ReadonlyMap<string, string>): Set<string> {
	const cli = texts.get('source/cli.tsx') ?? '';
	const loaded = importsOf(cli).filter((ref) => ref.dynamic).map((ref) => resolveImport('source/cli.tsx', ref.specifier)).filter((target): target is string => target !== undefined && floorOf(target) === 'commands').map((target) => (texts.has(target) ? target : target.replace(/\.ts$/, '.tsx')));
	return new Set(loaded.filter((target) => /export (async )?function \w+Command\(/.test(texts.get(target) ?? '')));
}

export function lintSource(root: string): Violation[] {
	const texts = new Map(walk(join(root, 'source')).map((path) => [relative(root, path), readFileSync(path, 'utf8')]));
	const verbs = verbFiles(texts);
	const violations: Violation[] = [];
	for (const [file, text] of texts) {
		text.split('\n').forEach((line, index) => {
			for (const { rule, pattern, allowed } of LINE_RULES) {
				if (pattern.test(line) && !allowed(file)) violations.push({ file, line: index + 1, rule });
			}
		});
		for (const ref of importsOf(text)) {
			const resolved = resolveImport(file, ref.specifier);
			const target = resolved !== undefined && !texts.has(resolved) && texts.has(resolved.replace(/\.ts$/, '.tsx')) ? resolved.replace(/\.ts$/, '.tsx') : resolved;
			for (const { rule, breaks } of IMPORT_RULES) {
				if (breaks(file, ref, target, verbs)) violations.push({ file, line: ref.line, rule });
			}
		}
	}
	return violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
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
