// Validates Kubernetes objects against the API's own schemas, since the simulated API server stores any
// shape: types, enums and required fields with kubernetes-models (ajv validators generated from the
// OpenAPI of Kubernetes 1.36.0, merged with the removed APIs of older releases), unknown fields (what
// `kubectl apply --validate=strict`, the default, refuses) by walking the field tables of
// @kubernetes/client-node (generated from release-1.36), custom resources against the openAPIV3Schema of
// their CRD (types, enums, required and unknown fields), and CRDs against apiextensions.k8s.io/v1 plus the
// API server's own CRD rules (structural schema, names, one storage version).
// Which Kubernetes minor the schemas are is read from the installed packages (apiSchemaSources), so a test
// can refuse when the support table (source/spec/versions.ts) offers a minor the schemas do not cover.
// Older supported minors, whose OpenAPI no npm package carries, get unknown fields and kinds checked from
// the field tables in k8s-fields/ (validateFieldsAt), made from kubernetes-client/javascript's tagged models.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';

type Obj = Record<string, unknown>;
type Attribute = { baseName: string; type: string };
type Model = { getAttributeTypeMap(): Attribute[] };

// The generated models only: the package's entry also loads an HTTP client this Node version cannot run.
async function model(type: string): Promise<Model | undefined> {
	if (!/^[A-Za-z0-9]+$/.test(type)) return undefined;
	try {
		const module = await import(`@kubernetes/client-node/dist/gen/models/${type}.js`) as Record<string, Model | undefined>;
		return module[type];
	} catch {
		return undefined;
	}
}

function isObject(value: unknown): value is Obj {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Fields the schema does not know, as paths (`spec.template.spec.containers[0].bogus`). */
async function unknownFields(value: unknown, type: string, path: string, out: string[]): Promise<void> {
	if (value === null || value === undefined) return;
	const array = /^Array<(.+)>$/.exec(type);
	if (array) {
		if (Array.isArray(value)) for (const [i, item] of value.entries()) await unknownFields(item, array[1] as string, `${path}[${i}]`, out);
		return;
	}
	const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
	if (map) {
		if (isObject(value)) for (const [k, v] of Object.entries(value)) await unknownFields(v, map[1] as string, `${path}.${k}`, out);
		return;
	}
	const found = await model(type);
	if (!found || typeof found.getAttributeTypeMap !== 'function' || !isObject(value)) return;
	const attributes = found.getAttributeTypeMap();
	for (const [key, child] of Object.entries(value)) {
		const attribute = attributes.find((a) => a.baseName === key);
		if (!attribute) out.push(`${path ? `${path}.` : ''}${key}: unknown field`);
		else await unknownFields(child, attribute.type, `${path ? `${path}.` : ''}${key}`, out);
	}
}

function modelPath(apiVersion: string, kind: string): string {
	const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') as [string, string] : ['', apiVersion];
	return `kubernetes-models/${group ? `${group}/` : ''}${version}/${kind}`;
}

function typeName(apiVersion: string, kind: string): string {
	const version = apiVersion.split('/').at(-1) as string;
	return `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
}

const require = createRequire(import.meta.url);

/**
 * The Kubernetes minor each kubernetes-models major is generated from (its CHANGELOG: 5.0.0 "Update to
 * Kubernetes v1.36.0"; 4.4.2–4.5.1 were v1.33.0; no release carries 1.34 or 1.35). A new major must be
 * added here before the tests accept it, so the minor is never guessed.
 */
const KUBERNETES_MODELS_MINOR: Readonly<Record<string, string>> = { '5': '1.36' };

export interface SchemaSource {
	name: string;
	version: string;
	/** the Kubernetes minor the package's schemas are generated from; undefined when unknown */
	kubernetes: string | undefined;
}

function packageVersion(name: string): string {
	return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
}

/** The packages the validation rests on, with the Kubernetes minor of their schemas. */
export function apiSchemaSources(): SchemaSource[] {
	const models = packageVersion('kubernetes-models');
	const client = packageVersion('@kubernetes/client-node');
	// The generated models name their OpenAPI source in each file's header ("OpenAPI spec version: release-1.36").
	const header = readFileSync(join(dirname(require.resolve('@kubernetes/client-node/package.json')), 'dist/gen/models/V1Pod.js'), 'utf8');
	const spec = /OpenAPI spec version: (?:release-|v)(\d+\.\d+)/.exec(header)?.[1];
	return [
		{ name: 'kubernetes-models', version: models, kubernetes: KUBERNETES_MODELS_MINOR[models.split('.')[0] as string] },
		{ name: '@kubernetes/client-node', version: client, kubernetes: spec },
	];
}

function minorNumber(minor: string): number {
	const [major, rest] = minor.split('.').map(Number) as [number, number];
	return major * 1000 + rest;
}

/** The minor every source covers (the oldest of them), or a message saying which source is unknown. */
export function schemaMinor(sources: readonly SchemaSource[] = apiSchemaSources()): string {
	const unknown = sources.filter((s) => s.kubernetes === undefined);
	if (unknown.length > 0) throw new Error(`the Kubernetes minor of ${unknown.map((s) => `${s.name}@${s.version}`).join(', ')} is not known: add it to test/_helpers/k8s-schema.ts`);
	return sources.map((s) => s.kubernetes as string).sort((a, b) => minorNumber(a) - minorNumber(b))[0] as string;
}

/** Minors the schemas fall behind: a supported minor newer than every schema source. */
export function minorsBehind(supported: readonly string[], schema: string): string[] {
	return supported.filter((m) => minorNumber(m) > minorNumber(schema));
}

/** The field table of one minor (test/_helpers/k8s-fields/<minor>.json, made by generate.ts). */
export interface FieldTable {
	minor: string;
	source: { repository: string; tag: string; commit: string; openapi: string };
	/** client-node type name → field → its type ("Array<V1Container>", "{ [key: string]: string; }", "string") */
	types: Record<string, Record<string, string>>;
}

const FIELD_TABLES = join(dirname(require.resolve('../../../package.json')), 'test/_helpers/k8s-fields');

/** The minors with a field table of their own, besides the packages' minor. */
export function fieldTableMinors(): string[] {
	return readdirSync(FIELD_TABLES).filter((f) => /^\d+\.\d+\.json$/.test(f)).map((f) => f.replace(/\.json$/, '')).sort((a, b) => minorNumber(a) - minorNumber(b));
}

export function fieldTable(minor: string): FieldTable {
	return JSON.parse(readFileSync(join(FIELD_TABLES, `${minor}.json`), 'utf8')) as FieldTable;
}

function tableFields(table: FieldTable, value: unknown, type: string, path: string, out: string[]): void {
	if (value === null || value === undefined) return;
	const array = /^Array<(.+)>$/.exec(type);
	if (array) {
		if (Array.isArray(value)) for (const [i, item] of value.entries()) tableFields(table, item, array[1] as string, `${path}[${i}]`, out);
		return;
	}
	const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
	if (map) {
		if (isObject(value)) for (const [k, v] of Object.entries(value)) tableFields(table, v, map[1] as string, `${path}.${k}`, out);
		return;
	}
	const fields = table.types[type];
	if (!fields || !isObject(value)) return;
	for (const [key, child] of Object.entries(value)) {
		const at = `${path ? `${path}.` : ''}${key}`;
		if (!(key in fields)) out.push(`${at}: unknown field in Kubernetes ${table.minor}`);
		else tableFields(table, child, fields[key] as string, at, out);
	}
}

/**
 * Unknown fields and kinds as the API of the table's minor sees them (strict field validation), for the
 * built-in objects; custom resources (a CRD among the objects or given defines them) are left to validateObjects.
 */
export function validateFieldsAt(table: FieldTable, objects: readonly Obj[], extraCrds: readonly Obj[] = []): string[] {
	const crds = [...objects, ...extraCrds].filter((o) => o['kind'] === 'CustomResourceDefinition');
	const problems: string[] = [];
	for (const object of objects) {
		const apiVersion = String(object['apiVersion'] ?? '');
		const kind = String(object['kind'] ?? '');
		const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
		if (crds.some((c) => (c['spec'] as { group?: string } | undefined)?.group === group && (c['spec'] as { names?: { kind?: string } }).names?.kind === kind)) continue;
		const name = `${kind}/${String((object['metadata'] as Obj | undefined)?.['name'] ?? '?')}`;
		const type = typeName(apiVersion, kind);
		if (!(type in table.types)) {
			problems.push(`${name}: no ${apiVersion} ${kind} in the Kubernetes ${table.minor} field table (add ${type} to ROOT_TYPES in test/_helpers/k8s-fields/generate.ts and regenerate)`);
			continue;
		}
		const out: string[] = [];
		tableFields(table, object, type, '', out);
		problems.push(...out.map((u) => `${name}: ${u}`));
	}
	return problems;
}

type JsonSchema = Record<string, unknown>;

/**
 * Fields a CRD's schema does not know, as strict field validation reports them: where a node lists
 * properties and neither additionalProperties nor x-kubernetes-preserve-unknown-fields lets others in.
 */
function unknownCustomFields(value: unknown, schema: JsonSchema | undefined, path: string, out: string[]): void {
	if (!schema || schema['x-kubernetes-preserve-unknown-fields'] === true) return;
	if (Array.isArray(value)) {
		const items = schema['items'] as JsonSchema | undefined;
		for (const [i, item] of value.entries()) unknownCustomFields(item, items, `${path}[${i}]`, out);
		return;
	}
	if (!isObject(value)) return;
	const properties = schema['properties'] as Record<string, JsonSchema> | undefined;
	const additional = schema['additionalProperties'];
	for (const [key, child] of Object.entries(value)) {
		const at = `${path}.${key}`;
		if (properties && key in properties) unknownCustomFields(child, properties[key], at, out);
		else if (isObject(additional)) unknownCustomFields(child, additional, at, out);
		else if (properties && additional !== true) out.push(`${at.slice(1)}: unknown field`);
	}
}

/**
 * The API server's structural-schema rule for CRDs (apiextensions "Specifying a structural schema"): the
 * root, every property, additionalProperties and items node states a type, unless it is
 * x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields.
 */
function nonStructural(schema: JsonSchema, path: string, out: string[]): void {
	const exempt = schema['x-kubernetes-int-or-string'] === true || schema['x-kubernetes-preserve-unknown-fields'] === true;
	if (!exempt && (typeof schema['type'] !== 'string' || schema['type'] === '')) out.push(`${path || '.'}: type is required in a structural schema`);
	for (const [key, child] of Object.entries((schema['properties'] ?? {}) as Record<string, JsonSchema>)) nonStructural(child, `${path}.properties.${key}`, out);
	if (isObject(schema['additionalProperties'])) nonStructural(schema['additionalProperties'], `${path}.additionalProperties`, out);
	if (isObject(schema['items'])) nonStructural(schema['items'], `${path}.items`, out);
}

/** What the API server checks on a CRD beyond its OpenAPI type. */
function crdRules(crd: Obj, ajv: Ajv): string[] {
	const out: string[] = [];
	const spec = (crd['spec'] ?? {}) as { group?: string; names?: { plural?: string }; versions?: Array<{ name: string; served?: boolean; storage?: boolean; schema?: { openAPIV3Schema?: JsonSchema } }> };
	const name = String((crd['metadata'] as Obj | undefined)?.['name'] ?? '');
	if (name !== `${spec.names?.plural ?? ''}.${spec.group ?? ''}`) out.push(`metadata.name: must be spec.names.plural + "." + spec.group (${spec.names?.plural ?? '?'}.${spec.group ?? '?'})`);
	const versions = spec.versions ?? [];
	if (versions.filter((v) => v.storage === true).length !== 1) out.push('spec.versions: exactly one version must be the storage version');
	for (const version of versions) {
		const schema = version.schema?.openAPIV3Schema;
		if (!schema) {
			out.push(`spec.versions[${version.name}].schema.openAPIV3Schema: required in apiextensions.k8s.io/v1`);
			continue;
		}
		const problems: string[] = [];
		nonStructural(schema, '', problems);
		out.push(...problems.map((p) => `spec.versions[${version.name}].schema.openAPIV3Schema${p === '.' ? '' : p}`));
		try {
			ajv.compile(schema);
		} catch (error) {
			out.push(`spec.versions[${version.name}].schema.openAPIV3Schema: not a valid schema: ${(error as Error).message}`);
		}
	}
	return out;
}

// CIDR as Calico's CRDs and Kubernetes use it: an address and a prefix length.
const CIDR = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(?:3[0-2]|[12]?\d)|[0-9a-fA-F:]*:[0-9a-fA-F:.]*\/(?:12[0-8]|1[01]\d|\d?\d))$/;

/**
 * CRD patterns are Go (RE2) regular expressions, as the API server runs them: a leading inline flag group
 * such as `(?i)` (after an optional `^`) becomes the JavaScript flag; any other RE2-only syntax fails to compile and is reported.
 */
function re2(pattern: string, flags: string): RegExp {
	const inline = /^(\^?)\(\?([imsU]+)\)/.exec(pattern);
	if (!inline) return new RegExp(pattern, flags);
	const extra = (inline[2] as string).replace(/[^ims]/g, '');
	return new RegExp(`${inline[1] as string}${pattern.slice(inline[0].length)}`, [...new Set(`${flags}${extra}`)].join(''));
}
re2.code = 'RegExp';

function customAjv(): Ajv {
	// OpenAPI formats the CRDs use that ajv does not define: cidr is checked, the numeric widths are
	// checked by the API server's own decoding and accepted here, anything else unknown is ignored.
	const ajv = new Ajv({ strict: false, allErrors: true, logger: false, code: { regExp: re2 } });
	ajv.addFormat('cidr', CIDR);
	for (const format of ['int32', 'int64', 'float', 'double', 'byte', 'date-time', 'duration', 'uri', 'ip', 'ipv4', 'ipv6', 'mac', 'hostname', 'uuid', 'quantity']) ajv.addFormat(format, true);
	return ajv;
}

export interface SchemaCheck {
	/** problems as `<Kind>/<name>: <path> <message>`; empty when valid */
	problems: string[];
	/** objects checked against a CRD's schema */
	custom: number;
}

/** Validates every object; CRDs among them (or given) define the schemas of custom resources. */
export async function validateObjects(objects: readonly Obj[], extraCrds: readonly Obj[] = []): Promise<SchemaCheck> {
	const problems: string[] = [];
	const crds = [...objects, ...extraCrds].filter((o) => o['kind'] === 'CustomResourceDefinition');
	const ajv = customAjv();
	let custom = 0;
	for (const object of objects) {
		const apiVersion = String(object['apiVersion'] ?? '');
		const kind = String(object['kind'] ?? '');
		const name = `${kind}/${String((object['metadata'] as Obj | undefined)?.['name'] ?? '?')}`;
		const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
		const crd = crds.find((c) => {
			const spec = c['spec'] as { group?: string; names?: { kind?: string } } | undefined;
			return spec?.group === group && spec?.names?.kind === kind;
		});
		if (crd) {
			custom++;
			const versions = ((crd['spec'] as Obj)['versions'] ?? []) as Array<{ name: string; schema?: { openAPIV3Schema?: Obj } }>;
			const schema = versions.find((v) => `${group}/${v.name}` === apiVersion)?.schema?.openAPIV3Schema;
			if (!schema) {
				problems.push(`${name}: version ${apiVersion} is not served by its CRD`);
				continue;
			}
			const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = object;
			const validate = ajv.compile({ ...schema, properties: { ...(schema['properties'] as Obj | undefined), metadata: {}, apiVersion: {}, kind: {} } });
			if (!validate({ ...rest, metadata: object['metadata'], apiVersion, kind })) problems.push(...(validate.errors ?? []).map((e) => `${name}: ${e.instancePath} ${e.message ?? ''}`));
			const unknown: string[] = [];
			unknownCustomFields(rest, schema, '', unknown);
			problems.push(...unknown.map((u) => `${name}: ${u}`));
			continue;
		}
		let Model: { new (data: Obj): { validate(): void } };
		try {
			const module = await import(modelPath(apiVersion, kind)) as Record<string, { new (data: Obj): { validate(): void } }>;
			Model = module[kind] as typeof Model;
			if (!Model) throw new Error('no model');
		} catch {
			problems.push(`${name}: no schema for ${apiVersion} ${kind} in the Kubernetes API`);
			continue;
		}
		try {
			new Model(object).validate();
		} catch (error) {
			problems.push(`${name}: ${(error as Error).message}`);
		}
		const unknown: string[] = [];
		await unknownFields(object, typeName(apiVersion, kind), '', unknown);
		problems.push(...unknown.map((u) => `${name}: ${u}`));
		if (apiVersion === 'apiextensions.k8s.io/v1' && kind === 'CustomResourceDefinition') problems.push(...crdRules(object, ajv).map((p) => `${name}: ${p}`));
	}
	return { problems, custom };
}
