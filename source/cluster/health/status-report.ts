// The `kubestrap status -o json` document. It is a contract for scripts: fields are only ever
// added, never renamed or removed, within apiVersion kubestrap.dev/v1alpha1.
import { versionNotes, type VersionNotes } from '../upgrade/skew.js';
import type { CniInfo } from './cni-info.js';
import type { Cni } from './kube-types.js';
import { isSystemObject } from './system-objects.js';
import type { HealthSummary, Verdict, WorkloadRow } from './verdict.js';

/**
 * `kubestrap status -o json`:
 *
 * ```
 * {
 *   "apiVersion": "kubestrap.dev/v1alpha1",
 *   "kind": "Status",
 *   "cluster": "demo" | null,                  // metadata.name of the cluster config, when known
 *   "generatedAt": "2026-08-01T12:00:00.000Z", // when the cluster was read
 *   "healthy": true,                           // exactly when "problems" is empty
 *   "summary": { "podsReady": 14, "podsTotal": 14, "nodesReady": 3, "nodesTotal": 3 },
 *   "nodes": [{ "name", "ready": bool, "status": "Ready" | "NotReady" | "Unknown" (+ ",SchedulingDisabled"),
 *               "roles": ["control-plane"], "version": "v1.35.1",
 *               "kernel", "internalIP", "os", "message"?: "<Ready condition message when not Ready>" }],
 *   "cni": { "name": "cilium" | "calico" | "none", "release": "1.20.1" | null,
 *            "datapath": { "ipam", "routing", "kubeProxyReplacement" } | { "encapsulation", "crossSubnet" } },
 *   "workloads": [{ "kind": "DaemonSet" | "Deployment", "namespace", "name",
 *                   "desired", "ready", "updated", "available", "healthy": bool, "cause"?: string }],
 *   "pods": [{ "namespace", "name", "ready": bool, "healthy": bool,
 *              "containers": { "ready": 1, "total": 1 }, "status": "Running", "restarts": 0,
 *              "lastRestartAt": "<RFC 3339>" | null,     // when the last restarted container last ended
 *              "node": "cp-1" | null, "createdAt": "<RFC 3339>" | null, "cause"?: string }],
 *   "problems": [{ "subject": "pod kube-system/coredns-…", "cause": "…", "progressing": bool }],
 *   "versions": { "controlPlane": "v1.35.8" | null, "skew": ["<beyond the skew policy, or an unfinished upgrade>"],
 *                 "available": ["<a newer minor or patch this kubestrap supports, with the command>"] },
 *   "listing"?: { "remaining": 1014 }          // only in `--watch` frames drawn while the first lists still page:
 *                                              // the frame shows the pages read so far, and is never healthy
 * }
 * ```
 * `nodes[].status` and `pods[].status` are kubectl's STATUS columns; the text's RESTARTS "3 (5m ago)" is
 * `restarts` with the age of `lastRestartAt` at `generatedAt`.
 * Counts are numbers; times are RFC 3339 strings (no ages: they go stale); `pods` and `workloads`
 * list the system ones (kube-system and the CNI's), CNI first; a cause's first line is its summary, further lines
 * are the container's last log lines.
 */
export interface StatusReport {
	apiVersion: 'kubestrap.dev/v1alpha1';
	kind: 'Status';
	cluster: string | null;
	generatedAt: string;
	healthy: boolean;
	summary: HealthSummary;
	nodes: StatusNode[];
	cni: { name: Cni | 'none'; release: string | null; datapath: Record<string, string> };
	workloads: StatusWorkload[];
	pods: StatusPod[];
	problems: Array<{ subject: string; cause: string; progressing: boolean }>;
	/** the control plane's version, version skew beyond the policy, newer releases kubestrap supports */
	versions: VersionNotes;
	/** set only on a frame drawn while the first lists still page (status --watch): what is still to be read */
	listing?: { remaining: number };
}

export interface StatusNode {
	name: string;
	ready: boolean;
	/** kubectl's STATUS column */
	status: string;
	roles: string[];
	version: string;
	kernel: string;
	internalIP: string;
	os: string;
	message?: string;
}

export type StatusWorkload = Pick<WorkloadRow, 'kind' | 'namespace' | 'name' | 'desired' | 'ready' | 'updated' | 'available' | 'healthy'> & { cause?: string };

export interface StatusPod {
	namespace: string;
	name: string;
	/** the pod's Ready condition */
	ready: boolean;
	/** ready, or completed / being deleted normally */
	healthy: boolean;
	containers: { ready: number; total: number };
	status: string;
	restarts: number;
	lastRestartAt: string | null;
	node: string | null;
	createdAt: string | null;
	cause?: string;
}

function withOptional<T extends object, K extends string>(value: T, key: K, optional: string | undefined): T & Partial<Record<K, string>> {
	return optional === undefined ? value : { ...value, [key]: optional };
}

export function statusReport(verdict: Verdict, cni: CniInfo, context: { cluster?: string; generatedAt: string }): StatusReport {
	return {
		apiVersion: 'kubestrap.dev/v1alpha1',
		kind: 'Status',
		cluster: context.cluster ?? null,
		generatedAt: context.generatedAt,
		healthy: verdict.healthy,
		summary: { ...verdict.summary },
		nodes: verdict.nodes.map((n) =>
			withOptional({ name: n.name, ready: n.ready, status: n.status, roles: [...n.roles], version: n.version, kernel: n.kernel, internalIP: n.internalIP, os: n.os }, 'message', n.message),
		),
		cni: { name: cni.cni, release: cni.release ?? null, datapath: { ...cni.datapath } },
		workloads: verdict.workloads
			.filter((w) => isSystemObject(w.namespace, w.name))
			.map((w) =>
				withOptional({ kind: w.kind, namespace: w.namespace, name: w.name, desired: w.desired, ready: w.ready, updated: w.updated, available: w.available, healthy: w.healthy }, 'cause', w.cause),
			),
		pods: verdict.pods
			.filter((p) => p.system)
			.map((p) =>
				withOptional(
					{
						namespace: p.namespace,
						name: p.name,
						ready: p.podReady,
						healthy: p.healthy,
						containers: { ready: p.readyContainers, total: p.totalContainers },
						status: p.status,
						restarts: p.restartCount,
						lastRestartAt: p.lastRestartAt ?? null,
						node: p.node === '' ? null : p.node,
						createdAt: p.createdAt ?? null,
					},
					'cause',
					p.cause,
				),
			),
		problems: verdict.problems.map((p) => ({ subject: p.subject, cause: p.cause, progressing: p.progressing })),
		versions: versionNotes(verdict.nodes),
	};
}

/**
 * A frame drawn before the first lists completed (status --watch shows the first page of every
 * collection at once, then fills in): marked with what is still to be read, and never healthy, so
 * a script that waits for "healthy" cannot stop on a part of the cluster.
 */
export function withListing(report: StatusReport, remaining: number): StatusReport {
	const cause = `the first lists are still being read: ${remaining} more objects to read; this frame shows the pages read so far`;
	return { ...report, healthy: false, problems: [...report.problems, { subject: 'status', cause, progressing: true }], listing: { remaining } };
}
