// The config file's tree, derived from the field table: which keys exist where, and what each holds.
import { FIELDS, type Field } from './fields.js';

export interface ObjectShape {
	kind: 'object';
	/** config-file path of this object ('' for the document root) */
	path: string;
	children: Map<string, Shape>;
}

export interface LeafShape {
	kind: 'leaf';
	field: Field;
}

export interface ListShape {
	kind: 'list';
	field: Field;
	item: ObjectShape;
}

export type Shape = ObjectShape | LeafShape | ListShape;

function objectAt(root: ObjectShape, segments: string[]): ObjectShape {
	let node = root;
	for (const segment of segments) {
		const isItem = segment.endsWith('[]');
		const key = isItem ? segment.slice(0, -2) : segment;
		const childPath = node.path === '' ? key : `${node.path}.${key}`;
		let child = node.children.get(key);
		if (child === undefined) {
			child = { kind: 'object', path: childPath, children: new Map() };
			node.children.set(key, child);
		}
		if (isItem) {
			if (child.kind !== 'list') throw new Error(`field table: ${childPath} must be an object-list field before its items`);
			node = child.item;
		} else {
			if (child.kind !== 'object') throw new Error(`field table: ${childPath} is both a value and an object`);
			node = child;
		}
	}
	return node;
}

export function buildShape(fields: readonly Field[] = FIELDS): ObjectShape {
	const root: ObjectShape = { kind: 'object', path: '', children: new Map() };
	for (const field of fields) {
		const segments = field.path.split('.');
		const last = segments.pop() as string;
		const parent = objectAt(root, segments);
		const shape: Shape = field.kind.type === 'object-list'
			? { kind: 'list', field, item: { kind: 'object', path: `${field.path}[]`, children: new Map() } }
			: { kind: 'leaf', field };
		parent.children.set(last, shape);
	}
	return root;
}

export const SHAPE: ObjectShape = buildShape();
