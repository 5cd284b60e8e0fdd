// Structural diff of two object lists, for "only the intended fields changed" assertions.
// Objects are matched by kind/namespace/name. Paths are dotted; items of a list whose entries all
// carry a unique `name` (containers, env, volumes, ports…) are addressed as list[name], any other
// list that differs is reported as a whole.
import { isDeepStrictEqual } from 'node:util';

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectId(object: Obj): string {
	const metadata = isObj(object['metadata']) ? object['metadata'] : {};
	const namespace = typeof metadata['namespace'] === 'string' ? `${metadata['namespace']}/` : '';
	return `${String(object['kind'])} ${namespace}${String(metadata['name'])}`;
}

function namesOf(list: unknown[]): string[] | undefined {
	const names: string[] = [];
	for (const item of list) {
		if (!isObj(item) || typeof item['name'] !== 'string') return undefined;
		names.push(item['name']);
	}
	return new Set(names).size === names.length ? names : undefined;
}

function join(path: string, key: string): string {
	return path === '' ? key : `${path}.${key}`;
}

function diffValue(before: unknown, after: unknown, path: string, out: string[]): void {
	if (isDeepStrictEqual(before, after)) return;
	if (isObj(before) && isObj(after)) {
		for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) diffValue(before[key], after[key], join(path, key), out);
		return;
	}
	if (Array.isArray(before) && Array.isArray(after)) {
		const a = namesOf(before);
		const b = namesOf(after);
		if (a && b) {
			const byName = (list: unknown[], name: string): unknown => list.find((item) => isObj(item) && item['name'] === name);
			for (const name of new Set([...a, ...b])) diffValue(byName(before, name), byName(after, name), `${path}[${name}]`, out);
			return;
		}
	}
	out.push(path);
}

/** Changed paths as "Kind ns/name: path", added objects as "+Kind ns/name", removed as "-Kind ns/name". */
export function diffObjects(before: readonly Obj[], after: readonly Obj[]): string[] {
	const out: string[] = [];
	const old = new Map(before.map((o) => [objectId(o), o]));
	const now = new Map(after.map((o) => [objectId(o), o]));
	for (const [id, object] of old) {
		const next = now.get(id);
		if (next === undefined) {
			out.push(`-${id}`);
			continue;
		}
		const paths: string[] = [];
		diffValue(object, next, '', paths);
		for (const path of paths) out.push(`${id}: ${path}`);
	}
	for (const id of now.keys()) if (!old.has(id)) out.push(`+${id}`);
	const common = (list: readonly Obj[]): string[] => list.map(objectId).filter((id) => old.has(id) && now.has(id));
	if (!isDeepStrictEqual(common(before), common(after))) out.push('(object order)');
	return out.sort();
}
