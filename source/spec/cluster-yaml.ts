// cluster.yaml text from a Cluster: keys in the config file's order (the field table's), only the fields
// that apply to this cluster, and no empty optional values, so a saved file reads like the examples.
import { stringify } from 'yaml';
import type { Field } from './fields.js';
import { SHAPE, type ObjectShape } from './shape.js';
import type { Cluster } from './types.js';

/**
 * First line of a saved file: editors with the YAML language server then complete and check it. The
 * location is the schema shipped with the running kubestrap (commands/package-files.ts), which exists
 * in a clone and in a global install alike.
 */
export function schemaComment(location: string): string {
	return `# yaml-language-server: $schema=${location}`;
}

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function applies(field: Field, cluster: Cluster): boolean {
	try {
		return field.when ? field.when(cluster) : true;
	} catch {
		return false;
	}
}

/** Values that say nothing the defaults do not: '' where the default is '', empty lists and maps. */
function isEmpty(field: Field, value: unknown): boolean {
	if (value === '' && field.default === '') return true;
	if (Array.isArray(value)) return value.length === 0;
	return isNode(value) && Object.keys(value).length === 0;
}

function ordered(shape: ObjectShape, value: unknown, cluster: Cluster): Node {
	const out: Node = {};
	if (!isNode(value)) return out;
	for (const [key, child] of shape.children) {
		const item = value[key];
		if (item === undefined) continue;
		if (child.kind === 'object') {
			const nested = ordered(child, item, cluster);
			if (Object.keys(nested).length > 0) out[key] = nested;
		} else if (child.kind === 'list') {
			if (!applies(child.field, cluster) || !Array.isArray(item) || item.length === 0) continue;
			out[key] = item.map((entry) => ordered(child.item, entry, cluster));
		} else if (applies(child.field, cluster) && !isEmpty(child.field, item)) {
			out[key] = item;
		}
	}
	return out;
}

export function clusterYaml(cluster: Cluster, schemaLocation: string): string {
	return `${schemaComment(schemaLocation)}\n${stringify(ordered(SHAPE, cluster, cluster))}`;
}
