// A DaemonSet's last template rollout as the simulated cluster recorded it, for the e2e tests that prove
// a CNI change reached the nodes at most maxUnavailable at a time: node/model.mjs recomputes, from the
// cluster dir's recorded times (template revisions, joins, pod deletions), every pod since the change, the
// gone ones too, with its creation, Ready and deletion times to the millisecond — no sampling to miss one.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TestHosts } from '../_helpers/sshd-hosts.js';
import { ROOT } from './_install.js';

interface ModelPod { node: { name: string }; workload: unknown; revision: { hash: string }; createdAt: number; readyAt: number; deletedAt?: number }
interface ModelWorkload { kind: string; namespace: string; name: string; object: { spec: { updateStrategy?: { rollingUpdate?: { maxUnavailable?: number | string } } } }; revisions: Array<{ hash: string; at: number }> }
const simModel = (await import(pathToFileURL(join(ROOT, 'test/_helpers/sim/node/model.mjs')).href)) as {
	readCluster(dir: string): unknown;
	clusterAt(input: unknown, now: number): { ctx: { pods: ModelPod[] }; workloads: ModelWorkload[] };
};

export interface Rollout {
	/** the DaemonSet's spec.updateStrategy.rollingUpdate.maxUnavailable */
	maxUnavailable: number;
	/** the most nodes without a Ready pod of it at any moment since the template changed */
	worst: number;
	/** distinct moments at which old pods were deleted */
	batches: number;
	/** the nodes of the pods with the new template (one each) */
	updated: string[];
	/** when the last pod with the new template turned Ready (ms) */
	lastReady: number;
}

/** The rollout of DaemonSet kube-system/`name` since its last template change. */
export function daemonSetRollout(hosts: TestHosts, name: string): Rollout {
	const now = Date.now();
	const model = simModel.clusterAt(simModel.readCluster(hosts.clusterDir), now);
	const ds = model.workloads.find((w) => w.kind === 'DaemonSet' && w.namespace === 'kube-system' && w.name === name)!;
	const change = ds.revisions.at(-1)!;
	const pods = model.ctx.pods.filter((p) => p.workload === ds);
	const nodes = [...new Set(pods.map((p) => p.node.name))];
	const up = (p: ModelPod, t: number): boolean => p.createdAt <= t && p.readyAt <= t && (p.deletedAt === undefined || p.deletedAt > t);
	// The count changes only when a pod is created, turns Ready or is deleted: look at each of those moments.
	const moments = [change.at, ...pods.flatMap((p) => [p.createdAt, p.readyAt, p.deletedAt ?? Infinity])].filter((t) => t >= change.at && t <= now);
	const worst = Math.max(...moments.map((t) => nodes.filter((n) => !pods.some((p) => p.node.name === n && up(p, t))).length));
	const updated = pods.filter((p) => p.revision.hash === change.hash);
	const deleted = pods.filter((p) => p.revision.hash !== change.hash && p.deletedAt !== undefined && p.deletedAt >= change.at).map((p) => p.deletedAt);
	return { maxUnavailable: Number(ds.object.spec.updateStrategy?.rollingUpdate?.maxUnavailable), worst, batches: new Set(deleted).size, updated: updated.map((p) => p.node.name).sort(), lastReady: Math.max(...updated.map((p) => p.readyAt)) };
}

/** When kubestrap wrote `line` to the run log of its last `command` run (ms). */
export function loggedAt(dir: string, command: string, line: RegExp): number {
	const logs = join(dir, '.kubestrap/e2e/logs');
	const newest = readdirSync(logs).filter((name) => name.endsWith(`-${command}.log`)).sort().pop() ?? '';
	const hit = readFileSync(join(logs, newest), 'utf8').split('\n').find((l) => line.test(l));
	return Date.parse(hit?.split(' ')[0] ?? '');
}
