// JSON Schema for cluster.yaml, generated from the same field table the loader uses, so editors
// complete and check exactly the keys kubestrap accepts. Cross-field rules stay in `kubestrap validate`.
import type { Field } from './fields.js';
import { SHAPE, type ObjectShape, type Shape } from './shape.js';

export const SCHEMA_ID = 'https://kubestrap.dev/schema/cluster.schema.json';

type Json = Record<string, unknown>;

function leafSchema(field: Field): Json {
	const base: Json = { title: field.label, description: field.help };
	if (field.default !== undefined && typeof field.default !== 'function') base.default = field.default;
	const kind = field.kind;
	switch (kind.type) {
		case 'string':
			return { ...base, type: 'string' };
		case 'enum':
			return { ...base, type: 'string', enum: [...kind.choices] };
		case 'boolean':
			return { ...base, type: 'boolean' };
		case 'integer':
			return { ...base, type: 'integer', minimum: kind.min, maximum: kind.max };
		case 'string-list':
			return { ...base, type: 'array', items: { type: 'string' } };
		case 'string-map':
			return { ...base, type: 'object', additionalProperties: { type: 'string' } };
		case 'object-list':
			return { ...base, type: 'array' };
	}
}

function shapeSchema(shape: Shape): Json {
	if (shape.kind === 'leaf') return leafSchema(shape.field);
	if (shape.kind === 'list') return { ...leafSchema(shape.field), items: objectSchema(shape.item) };
	return objectSchema(shape);
}

function objectSchema(shape: ObjectShape): Json {
	const properties: Json = {};
	const required: string[] = [];
	for (const [key, child] of shape.children) {
		properties[key] = shapeSchema(child);
		if (child.kind === 'leaf' && child.field.required && child.field.when === undefined) required.push(key);
	}
	return { type: 'object', additionalProperties: false, properties, ...(required.length > 0 ? { required } : {}) };
}

export function clusterJsonSchema(): Json {
	return {
		$schema: 'http://json-schema.org/draft-07/schema#',
		$id: SCHEMA_ID,
		title: 'kubestrap Cluster',
		description: 'cluster.yaml for kubestrap: `kubestrap validate --config cluster.yaml` checks the rules a schema cannot express.',
		...objectSchema(SHAPE),
	};
}

export function clusterJsonSchemaText(): string {
	return `${JSON.stringify(clusterJsonSchema(), null, 2)}\n`;
}
