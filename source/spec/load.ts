// Reads cluster.yaml strictly: size, encoding, nesting and alias limits first, then YAML syntax
// (line:column), then the shape from the field table (unknown keys with "did you mean", types).
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { SHAPE, type ObjectShape, type Shape } from './shape.js';
import type { Field } from './fields.js';
import type { Problem } from './types.js';
import { closest } from './suggest.js';
import { echoValue } from './echo.js';

import { MAX_ALIASES, MAX_CONFIG_BYTES, MAX_DEPTH } from './limits.js';

export { MAX_CONFIG_BYTES } from './limits.js';

/** What a config file said, shaped like Cluster but with only the keys it gave. */
export type Tree = Record<string, unknown>;

export interface LoadResult {
	tree: Tree;
	problems: Problem[];
}

function fileProblem(fileName: string, message: string): LoadResult {
	return { tree: {}, problems: [{ path: fileName, message }] };
}

/** Bracket depth and indentation, measured on the raw text so hostile nesting is refused before parsing. */
function nestingDepth(text: string): number {
	let depth = 0;
	let max = 0;
	let quote: string | undefined;
	for (let i = 0; i < text.length; i++) {
		const ch = text[i];
		if (quote) {
			if (ch === quote) quote = undefined;
			else if (ch === '\n') quote = undefined;
			continue;
		}
		if (ch === '"' || ch === "'") quote = ch;
		else if (ch === '[' || ch === '{') max = Math.max(max, ++depth);
		else if (ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
	}
	let indent = 0;
	for (const line of text.split('\n')) {
		const spaces = line.length - line.trimStart().length;
		// `- - - x` nests a sequence per dash on one line; each counts like an indentation level.
		const dashes = /^(?:-[ \t]+)*/.exec(line.slice(spaces))?.[0].replace(/[ \t]/g, '').length ?? 0;
		const levels = Math.floor(spaces / 2) + dashes;
		if (levels > indent) indent = levels;
	}
	return Math.max(max, indent);
}

/** Names what a node holds without converting it (converting could expand aliases). */
function describe(node: unknown): string {
	if (isSeq(node)) return 'a list';
	if (isMap(node)) return 'a mapping';
	if (isAlias(node)) return 'an alias';
	const value = isScalar(node) ? node.value : node;
	if (value === null || value === undefined) return 'empty';
	if (typeof value === 'string') return `the string ${echoValue(value)}`;
	return `${typeof value} ${echoValue(String(value)).slice(1, -1)}`;
}

interface Walk {
	doc: Document;
	lines: LineCounter;
	fileName: string;
	problems: Problem[];
}

function where(walk: Walk, node: Node | null | undefined): string {
	const offset = node?.range?.[0];
	if (offset === undefined) return '';
	const { line, col } = walk.lines.linePos(offset);
	return ` (${walk.fileName}:${line}:${col})`;
}

function resolve(walk: Walk, node: unknown): unknown {
	return isAlias(node) ? node.resolve(walk.doc) : node;
}

function checkLeaf(walk: Walk, field: Field, path: string, node: Node): unknown {
	const value: unknown = isScalar(node) ? node.value : undefined;
	const report = (message: string): undefined => {
		walk.problems.push({ path, message: message + where(walk, node) });
		return undefined;
	};
	const kind = field.kind;
	switch (kind.type) {
		case 'string':
			if (typeof value === 'string') return value;
			if (typeof value === 'number') return report(`must be a string, not ${describe(node)}; quote it: ${echoValue(isScalar(node) && typeof node.source === 'string' ? node.source : String(value))}`);
			return report(`must be a string, not ${describe(node)}`);
		case 'enum':
			if (typeof value === 'string' && kind.choices.includes(value)) return value;
			if (typeof value === 'string') {
				const guess = closest(value, kind.choices);
				return report(`${echoValue(value)} is not one of ${kind.choices.join(', ')}${guess ? `; did you mean "${guess}"?` : ''}`);
			}
			return report(`must be one of ${kind.choices.join(', ')}, not ${describe(node)}`);
		case 'boolean':
			if (typeof value === 'boolean') return value;
			return report(`must be true or false (unquoted), not ${describe(node)}`);
		case 'integer':
			if (typeof value === 'number' && Number.isInteger(value)) {
				if (value < kind.min || value > kind.max) return report(`${value} is out of range ${kind.min}–${kind.max}`);
				return value;
			}
			return report(`must be a whole number from ${kind.min} to ${kind.max}, not ${describe(node)}`);
		case 'string-list': {
			const seq = resolve(walk, node);
			if (!isSeq(seq)) return report(`must be a list of strings, not ${describe(seq)}`);
			const out: string[] = [];
			seq.items.forEach((item, index) => {
				const resolved = resolve(walk, item);
				const text = isScalar(resolved) ? resolved.value : undefined;
				if (typeof text === 'string') out.push(text);
				else walk.problems.push({ path: `${path}[${index}]`, message: `must be a string, not ${describe(resolved)}${where(walk, resolved as Node)}` });
			});
			return out;
		}
		case 'string-map': {
			const map = resolve(walk, node);
			if (!isMap(map)) return report(`must be a mapping of strings to strings, not ${describe(map)}`);
			const out: Record<string, string> = {};
			for (const pair of map.items) {
				const key = resolve(walk, pair.key);
				const val = resolve(walk, pair.value);
				const keyText = isScalar(key) ? key.value : undefined;
				const valText = isScalar(val) ? val.value : undefined;
				if (typeof keyText !== 'string' || typeof valText !== 'string') {
					walk.problems.push({ path, message: `every key and value must be a string (quote numbers and booleans)${where(walk, key as Node)}` });
					continue;
				}
				out[keyText] = valText;
			}
			return out;
		}
		case 'object-list':
			return report('internal: object-list handled by walkList');
	}
}

function walkShape(walk: Walk, shape: Shape, path: string, raw: unknown): unknown {
	const node = resolve(walk, raw) as Node | null;
	if (node === null || node === undefined || (isScalar(node) && node.value === null)) return undefined;
	if (shape.kind === 'leaf') return checkLeaf(walk, shape.field, path, node);
	if (shape.kind === 'list') {
		if (!isSeq(node)) {
			walk.problems.push({ path, message: `must be a list, not ${describe(node)}${where(walk, node)}` });
			return undefined;
		}
		return node.items.map((item, index) => walkObject(walk, shape.item, `${path}[${index}]`, item) ?? {});
	}
	return walkObject(walk, shape, path, node);
}

function walkObject(walk: Walk, shape: ObjectShape, path: string, raw: unknown): Tree | undefined {
	const node = resolve(walk, raw) as Node | null;
	if (node === null || node === undefined || (isScalar(node) && node.value === null)) return undefined;
	if (!isMap(node)) {
		walk.problems.push({ path: path || walk.fileName, message: `must be a mapping of keys to values, not ${describe(node)}${where(walk, node)}` });
		return undefined;
	}
	const out: Tree = {};
	for (const pair of node.items) {
		const keyNode = resolve(walk, pair.key) as Node | null;
		const key = isScalar(keyNode) ? keyNode.value : undefined;
		if (typeof key !== 'string') {
			walk.problems.push({ path: path || walk.fileName, message: `keys must be plain strings${where(walk, keyNode)}` });
			continue;
		}
		const childPath = path === '' ? key : `${path}.${key}`;
		const child = shape.children.get(key);
		if (child === undefined) {
			const guess = closest(key, [...shape.children.keys()]);
			walk.problems.push({
				path: childPath,
				message: `unknown key${guess ? `; did you mean "${guess}"?` : ''} (known here: ${[...shape.children.keys()].join(', ')})${where(walk, keyNode)}`,
			});
			continue;
		}
		const value = walkShape(walk, child, childPath, pair.value);
		if (value !== undefined) out[key] = value;
	}
	return out;
}

/** Parses config text. Every refusal is a Problem; nothing is thrown for any input. */
export function loadConfig(content: string | Uint8Array, fileName: string): LoadResult {
	let text: string;
	if (typeof content === 'string') {
		if (Buffer.byteLength(content) > MAX_CONFIG_BYTES) return fileProblem(fileName, 'file is larger than 1 MiB; a cluster config is a few kilobytes');
		text = content;
	} else {
		if (content.byteLength > MAX_CONFIG_BYTES) return fileProblem(fileName, 'file is larger than 1 MiB; a cluster config is a few kilobytes');
		try {
			text = new TextDecoder('utf-8', { fatal: true }).decode(content);
		} catch {
			return fileProblem(fileName, 'file is not UTF-8 text');
		}
	}
	if (text.includes('\u0000')) return fileProblem(fileName, 'file contains NUL bytes; it looks binary, not YAML');
	if (nestingDepth(text) > MAX_DEPTH) return fileProblem(fileName, `nesting is deeper than ${MAX_DEPTH} levels; a cluster config needs about 5`);

	const lines = new LineCounter();
	const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true, stringKeys: false });
	const list = Array.isArray(docs) ? docs : [];
	const problems: Problem[] = [];
	for (const doc of list) {
		for (const error of doc.errors) {
			const pos = lines.linePos(error.pos[0]);
			const at = `${fileName}:${pos.line}:${pos.col}`;
			problems.push({ path: at, message: `YAML syntax error: ${error.message.split(' at line')[0]}` });
		}
	}
	if (problems.length > 0) return { tree: {}, problems };
	// The README promises YAML 1.2 core (`off`, `yes` stay strings); a %YAML 1.1 directive would make
	// the parser read them as booleans, so it is refused rather than silently changing values.
	const directive = /^%YAML[ \t]+(\S+)/m.exec(text);
	if (directive !== null && directive[1] !== '1.2') return fileProblem(fileName, `has a %YAML ${echoValue(directive[1] ?? '').slice(1, -1)} directive; kubestrap reads YAML 1.2 (core schema, where off and yes are strings): remove the directive`);
	if (list.length > 1) return fileProblem(fileName, `holds ${list.length} YAML documents; a cluster config is one document`);
	const doc = list[0];
	if (doc === undefined || doc.contents === null) return fileProblem(fileName, 'file is empty; start from one of the files in examples/');

	const walk: Walk = { doc, lines, fileName, problems };
	// Aliases are resolved one level at a time while walking the fixed-depth shape and never
	// expanded into copies, so an alias bomb costs no more than its own text.
	const aliasCount = (text.match(/\*[A-Za-z0-9_-]/g) ?? []).length;
	if (aliasCount > MAX_ALIASES) return fileProblem(fileName, `uses ${aliasCount} aliases; at most ${MAX_ALIASES} are accepted`);
	const tree = walkObject(walk, SHAPE, '', doc.contents) ?? {};
	return { tree, problems };
}
