// Validates Kubernetes objects against the API's own schemas, since the simulated API server stores any
// shape: types, enums and required fields with kubernetes-models (ajv validators generated from the
// OpenAPI of Kubernetes 1.34), unknown fields (what `kubectl apply --validate=strict`, the default,
// refuses) by walking the field tables of @kubernetes/client-node (generated from the same OpenAPI),
// and custom resources against the openAPIV3Schema of their CRD.
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
	const ajv = new Ajv({ strict: false, allErrors: true });
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
	}
	return { problems, custom };
}
