// Shape-checked reads of parsed JSON. kubectl output is trusted to be JSON but not to hold every
// field (objects mid-creation lack status, older servers lack newer fields), so each read has a
// default instead of an exception.

export type Json = Record<string, unknown>;

export function isJson(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function obj(parent: Json, key: string): Json {
	const value = parent[key];
	return isJson(value) ? value : {};
}

export function optObj(parent: Json, key: string): Json | undefined {
	const value = parent[key];
	return isJson(value) ? value : undefined;
}

export function list(parent: Json, key: string): Json[] {
	const value = parent[key];
	return Array.isArray(value) ? value.filter(isJson) : [];
}

export function str(parent: Json, key: string): string {
	const value = parent[key];
	return typeof value === 'string' ? value : '';
}

export function optStr(parent: Json, key: string): string | undefined {
	const value = parent[key];
	return typeof value === 'string' && value !== '' ? value : undefined;
}

export function num(parent: Json, key: string): number {
	const value = parent[key];
	return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export function optNum(parent: Json, key: string): number | undefined {
	const value = parent[key];
	return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function bool(parent: Json, key: string): boolean {
	return parent[key] === true;
}

export function optBool(parent: Json, key: string): boolean | undefined {
	const value = parent[key];
	return typeof value === 'boolean' ? value : undefined;
}

export function stringMap(parent: Json, key: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [name, value] of Object.entries(obj(parent, key))) if (typeof value === 'string') out[name] = value;
	return out;
}

/** Milliseconds since the epoch of an RFC 3339 time, or undefined when absent or unreadable. */
export function timeOf(text: string | undefined): number | undefined {
	if (text === undefined) return undefined;
	const ms = Date.parse(text);
	return Number.isNaN(ms) ? undefined : ms;
}
