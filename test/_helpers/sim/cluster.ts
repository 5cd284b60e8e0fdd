// Harness-side readers and writers of the simulated cluster (the cluster dir shared by one harness's hosts):
// the objects kubectl stored, recorded patches, objects seeded as if another client made them, and the
// simulated kubectl run on the test machine itself (no SSH) for tests that want the ground truth.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ClusterObject {
	kind: string;
	/** API group, '' for core. */
	group: string;
	/** '' for cluster-scoped objects. */
	namespace: string;
	name: string;
	/** Counts content changes (1 on create) for every kind; objects of kinds with a spec also show it as metadata.generation. */
	generation: number;
	resourceVersion: string;
	createdAt: number;
	updatedAt: number;
	/** Field managers that wrote it (e.g. 'kubestrap', 'kubectl-patch', 'seed'). */
	managers: string[];
	/** The stored object as `kubectl get -o json` returns it (status omitted). */
	object: Record<string, unknown> & { metadata: Record<string, unknown> };
}

export interface ClusterPatch {
	t: number;
	/** `<Kind>.<group>/<namespace>/<name>` */
	key: string;
	type: 'strategic' | 'merge';
	patch: unknown;
	changed: boolean;
}

interface StoreModule {
	seedObject(dir: string, object: unknown, now?: number): { changed: boolean; record: ClusterObject };
}

export async function readClusterObjects(clusterDir: string): Promise<ClusterObject[]> {
	const text = await readFile(join(clusterDir, 'objects.json'), 'utf8').catch(() => undefined);
	if (text === undefined) return [];
	const store = JSON.parse(text) as { objects: Record<string, ClusterObject & { key?: string; revisions?: unknown }> };
	return Object.values(store.objects).map(({ key: _key, revisions: _revisions, ...record }) => record);
}

export async function readClusterPatches(clusterDir: string): Promise<ClusterPatch[]> {
	const text = await readFile(join(clusterDir, 'patches.jsonl'), 'utf8').catch(() => '');
	return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as ClusterPatch);
}

export async function seedObject(simSource: string, clusterDir: string, object: Record<string, unknown>): Promise<ClusterObject> {
	const store = (await import(pathToFileURL(join(simSource, 'node', 'store.mjs')).href)) as StoreModule;
	const { record } = store.seedObject(clusterDir, object);
	const { key: _key, revisions: _revisions, ...rest } = record as ClusterObject & { key?: string; revisions?: unknown };
	return rest;
}

export interface SimKubectlResult {
	code: number;
	stdout: string;
	stderr: string;
}

/**
 * The simulated kubectl run on the test machine against the cluster dir, as if on the host whose sim dir is
 * given (its kubectl package version); `--kubeconfig` should name that host's admin.conf (see hostPath).
 */
export function runSimKubectl(simSource: string, hostSimDir: string, clusterDir: string, args: readonly string[]): Promise<SimKubectlResult> {
	return new Promise((resolve) => {
		execFile(process.execPath, [join(simSource, 'node', 'kubectl.mjs'), ...args], {
			env: { ...process.env, KUBESTRAP_SIM_ROOT: hostSimDir, KUBESTRAP_SIM_CLUSTER: clusterDir, SIM_STDIN_FILE: '' },
			maxBuffer: 256 * 1024 * 1024,
		}, (error, stdout, stderr) => {
			const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
			resolve({ code, stdout, stderr });
		});
	});
}
