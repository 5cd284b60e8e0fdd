// Typed access to the parsed upstream objects. The pinned files are known, so a missing object or
// field is a kubestrap bug (or a badly updated pin), reported with where it was expected.
import type { KubeObject } from './yaml-stream.js';

export type Fields = Record<string, unknown>;

export function isFields(value: unknown): value is Fields {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shapeError(where: string, what: string): Error {
	return new Error(`kubestrap: the pinned manifest has no ${what} at ${where}; manifests/ does not match this version of kubestrap`);
}

export function fieldsAt(parent: Fields, key: string, where: string): Fields {
	const value = parent[key];
	if (!isFields(value)) throw shapeError(where, `object "${key}"`);
	return value;
}

export function listAt(parent: Fields, key: string, where: string): unknown[] {
	const value = parent[key];
	if (!Array.isArray(value)) throw shapeError(where, `list "${key}"`);
	return value;
}

/** The same field, creating an empty object when it is absent. */
export function ensureFields(parent: Fields, key: string): Fields {
	const value = parent[key];
	if (isFields(value)) return value;
	const created: Fields = {};
	parent[key] = created;
	return created;
}

export function objectName(object: KubeObject): string {
	const metadata = object['metadata'];
	return isFields(metadata) && typeof metadata['name'] === 'string' ? metadata['name'] : '';
}

export function objectIndex(objects: readonly KubeObject[], kind: string, name: string): number {
	return objects.findIndex((o) => o['kind'] === kind && objectName(o) === name);
}

export function findObject(objects: readonly KubeObject[], kind: string, name: string): KubeObject {
	const found = objects[objectIndex(objects, kind, name)];
	if (!found) throw shapeError('the top level', `${kind} ${name}`);
	return found;
}

/** Removes the object when present (kubestrap leaves out parts of the release the spec turns off). */
export function removeObject(objects: KubeObject[], kind: string, name: string): void {
	const index = objectIndex(objects, kind, name);
	if (index !== -1) objects.splice(index, 1);
}

export function configMapData(objects: readonly KubeObject[], name: string): Fields {
	return fieldsAt(findObject(objects, 'ConfigMap', name), 'data', `ConfigMap ${name}`);
}

/** spec.template.spec of a DaemonSet or Deployment. */
export function podSpec(workload: KubeObject): Fields {
	const where = `${String(workload['kind'])} ${objectName(workload)}`;
	const template = fieldsAt(fieldsAt(workload, 'spec', where), 'template', `${where} spec`);
	return fieldsAt(template, 'spec', `${where} spec.template`);
}

export type ContainerList = 'containers' | 'initContainers';

export function containersOf(pod: Fields, list: ContainerList = 'containers'): Fields[] {
	return listAt(pod, list, 'the pod spec').filter(isFields);
}

export function findContainer(pod: Fields, name: string, list: ContainerList = 'containers'): Fields {
	const found = containersOf(pod, list).find((c) => c['name'] === name);
	if (!found) throw shapeError(`the pod spec ${list}`, `container ${name}`);
	return found;
}

/** Sets a literal env entry, replacing an entry of that name (whatever its source) in place, else appending. */
export function setEnv(container: Fields, name: string, value: string, after?: string): void {
	const env = Array.isArray(container['env']) ? (container['env'] as unknown[]) : [];
	container['env'] = env;
	const entry = { name, value };
	const index = env.findIndex((e) => isFields(e) && e['name'] === name);
	if (index !== -1) {
		env[index] = entry;
		return;
	}
	const anchor = after === undefined ? -1 : env.findIndex((e) => isFields(e) && e['name'] === after);
	if (anchor === -1) env.push(entry);
	else env.splice(anchor + 1, 0, entry);
}

/** Drops the entries named `name` from a list of named items (volumes, volumeMounts, ports, env). */
export function removeNamed(parent: Fields, key: string, name: string): void {
	const list = parent[key];
	if (!Array.isArray(list)) return;
	parent[key] = list.filter((item) => !(isFields(item) && item['name'] === name));
}
