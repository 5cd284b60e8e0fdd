// Parsing and printing of Kubernetes YAML streams. Objects go in and out only through the yaml
// library: no value is ever pasted into YAML text, so no value can change the document structure.
import { Document, parseAllDocuments, stringify, visit } from 'yaml';

export type KubeObject = Record<string, unknown>;

// YAML 1.1, as kubectl reads it (sigs.k8s.io/yaml is go-yaml v2): the upstream files write file
// modes as `defaultMode: 0400`, octal in 1.1 (= 256) but decimal 400 under the 1.2 core schema.
// Printing under 1.1 also quotes strings that 1.1 would read as something else ("on", "0400", "1:20").
const VERSION = '1.1';

// Characters a YAML 1.1 reader treats as line breaks (NEL, LS, PS) or rejects as non-printable; the
// yaml library prints them raw. Strings holding them are forced into double quotes and the raw
// characters are then replaced by \u escapes, which only a double-quoted scalar can contain.
const UNSAFE = /[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;

function escapeChar(char: string): string {
	return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function escapeUnsafe(text: string): string {
	// A fresh global regex per call: a shared one would carry lastIndex between calls.
	return text.replace(new RegExp(UNSAFE.source, 'g'), escapeChar);
}

/** Every document of a stream as a plain object; empty documents (a lone `---`) are dropped. */
export function parseStream(text: string, source: string): KubeObject[] {
	const objects: KubeObject[] = [];
	for (const document of parseAllDocuments(text, { version: VERSION })) {
		const error = document.errors[0];
		if (error) throw new Error(`${source}: ${error.message}`);
		const value: unknown = document.toJS();
		if (value === null || value === undefined) continue;
		if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${source}: a document is not a Kubernetes object`);
		objects.push(value as KubeObject);
	}
	return objects;
}

function holdsUnsafe(value: unknown): boolean {
	if (typeof value === 'string') return UNSAFE.test(value);
	if (Array.isArray(value)) return value.some(holdsUnsafe);
	if (value !== null && typeof value === 'object') return Object.entries(value).some(([key, item]) => UNSAFE.test(key) || holdsUnsafe(item));
	return false;
}

function printDocument(object: KubeObject, comment: string | undefined): string {
	// The common case (no line-separator characters anywhere) skips the node walk: same bytes, less time.
	if (comment === undefined && !holdsUnsafe(object)) {
		return `---\n${stringify(object, { version: VERSION, aliasDuplicateObjects: false, lineWidth: 0, minContentWidth: 0 })}`;
	}
	// aliasDuplicateObjects off: an object reused in two places is printed twice, never as &anchor/*alias.
	const document = new Document(object, { version: VERSION, aliasDuplicateObjects: false });
	visit(document, {
		Scalar(_key, node) {
			if (typeof node.value === 'string' && UNSAFE.test(node.value)) node.type = 'QUOTE_DOUBLE';
		},
	});
	if (comment !== undefined) document.commentBefore = comment;
	// lineWidth 0: long strings never fold; directives: every document starts with its own `---`.
	const text = document.toString({ lineWidth: 0, minContentWidth: 0, directives: true });
	return escapeUnsafe(text);
}

/** A value shown inside a comment: JSON-quoted, with anything outside printable ASCII escaped. */
export function commentValue(value: string): string {
	return JSON.stringify(value).replace(/[^\x20-\x7e]/g, escapeChar);
}

/**
 * The objects as one multi-document stream. `header` lines become a comment before the first
 * document; they must be plain text (use commentValue for anything that came from the user).
 */
export function printStream(header: readonly string[], objects: readonly KubeObject[]): string {
	const comment = header.map((line) => ` ${escapeUnsafe(line)}`).join('\n');
	return objects.map((object, index) => printDocument(object, index === 0 && header.length > 0 ? comment : undefined)).join('');
}
