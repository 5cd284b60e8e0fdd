// Precedence: defaults < config file < explicit flags. The result says which fields the user
// gave (file or flag), so the wizard can ask only for the rest.
import { FIELDS, type Field } from './fields.js';
import type { Tree } from './load.js';
import type { Cluster } from './types.js';

export interface Merged {
	cluster: Cluster;
	/** config paths given by the file or by flags (list items count as their list) */
	provided: Set<string>;
}

function isObject(value: unknown): value is Tree {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep merge of plain objects; lists and string maps from the later layer replace earlier ones. The
 * result shares no object with `top`, so filling in defaults afterwards never writes into a caller's
 * layer (which would make a second merge of the same layers count every default as given).
 */
export function overlay(base: Tree, top: Tree, mapPaths: ReadonlySet<string> = MAP_PATHS, prefix = ''): Tree {
	const out: Tree = { ...base };
	for (const [key, value] of Object.entries(top)) {
		if (value === undefined) continue;
		const path = prefix === '' ? key : `${prefix}.${key}`;
		const current = out[key];
		if (!isObject(value)) out[key] = value;
		else if (mapPaths.has(path)) out[key] = { ...value };
		else out[key] = overlay(isObject(current) ? current : {}, value, mapPaths, path);
	}
	return out;
}

const MAP_PATHS: ReadonlySet<string> = new Set(FIELDS.filter((f) => f.kind.type === 'string-map').map((f) => f.path));

export function getPath(tree: unknown, path: string): unknown {
	let node: unknown = tree;
	for (const key of path.split('.')) {
		if (!isObject(node)) return undefined;
		node = node[key];
	}
	return node;
}

function setPath(tree: Tree, path: string, value: unknown): void {
	const keys = path.split('.');
	const last = keys.pop() as string;
	let node = tree;
	for (const key of keys) {
		const next = node[key];
		if (!isObject(next)) node[key] = {};
		node = node[key] as Tree;
	}
	node[last] = value;
}

function listPaths(tree: unknown, prefix = ''): string[] {
	if (!isObject(tree)) return [];
	return Object.entries(tree).flatMap(([key, value]) => {
		const path = prefix === '' ? key : `${prefix}.${key}`;
		return isObject(value) && !MAP_PATHS.has(path) ? listPaths(value, path) : [path];
	});
}

function defaultFor(field: Field, draft: Tree): unknown {
	const value = field.default;
	const computed = typeof value === 'function' ? (value as (c: Cluster) => unknown)(draft as unknown as Cluster) : value;
	return Array.isArray(computed) ? [...computed] : isObject(computed) ? { ...computed } : computed;
}

/** Which top-level sections exist even when empty (spec.aws and spec.ssh.bastion only when used). */
function sectionApplies(field: Field, draft: Tree): boolean {
	if (field.path.startsWith('spec.aws.')) return getPath(draft, 'spec.target') === 'aws' || getPath(draft, 'spec.aws') !== undefined;
	if (field.path.startsWith('spec.ssh.bastion.')) return getPath(draft, 'spec.ssh.bastion') !== undefined;
	return true;
}

/** Layers file and flag trees over the defaults, in field-table order so computed defaults see earlier fields. */
export function mergeLayers(layers: readonly Tree[]): Merged {
	let given: Tree = {};
	for (const layer of layers) given = overlay(given, layer);
	const provided = new Set(listPaths(given));
	const draft: Tree = overlay({}, given);
	for (const field of FIELDS) {
		if (field.path.includes('[]') || field.default === undefined || field.fill === false) continue;
		if (getPath(draft, field.path) !== undefined || !sectionApplies(field, draft)) continue;
		setPath(draft, field.path, defaultFor(field, draft));
	}
	return { cluster: draft as unknown as Cluster, provided };
}
