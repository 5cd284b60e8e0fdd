// The health model's output: rows for the live table and the status view, and the verdict. The
// verdict is healthy exactly when `problems` is empty, so every reason to wait is written down.
import type { Cni } from './kube-types.js';

export interface Expectation {
	cni: Cni;
	/** node names that must exist (the hosts of the spec); absent = whatever nodes registered */
	nodeNames?: string[];
	/** ms since the epoch; AGE and "restarted … ago" are measured from it */
	now: number;
}

export interface NodeRow {
	name: string;
	ready: boolean;
	/** kubectl's STATUS: Ready, NotReady, Unknown, with ",SchedulingDisabled" when cordoned */
	status: string;
	/** from the node-role.kubernetes.io/<role> labels, sorted; empty for a plain worker */
	roles: string[];
	version: string;
	kernel: string;
	internalIP: string;
	os: string;
	/** the Ready condition's message when the node is not Ready */
	message?: string;
}

export interface PodRow {
	/** namespace/name, unique, the React key of the row */
	key: string;
	namespace: string;
	name: string;
	/** ready containers/containers, e.g. "1/2" */
	ready: string;
	/** kubectl's STATUS column */
	status: string;
	/** kubectl's RESTARTS column, e.g. "3 (45s ago)" */
	restarts: string;
	/** kubectl's AGE column */
	age: string;
	/** empty while unscheduled (kubectl prints <none>) */
	node: string;
	/** ready, completed, or being deleted normally */
	healthy: boolean;
	/** why it is not healthy; the first line is the summary, further lines are log lines (see withLogs) */
	cause?: string;
	/** the cause is a state that usually resolves by itself (creating containers, init running) */
	progressing: boolean;
	/** kube-system or a CNI pod: the verdict depends on it */
	system: boolean;
	/** counts in summary.pods*: a system pod that is neither completed nor being deleted */
	counted: boolean;
	/** the pod's Ready condition */
	podReady: boolean;
	readyContainers: number;
	totalContainers: number;
	restartCount: number;
	/** when the most recently restarted container last terminated (RFC 3339), the "(5m ago)" of RESTARTS */
	lastRestartAt?: string;
	/** creationTimestamp as the API server printed it */
	createdAt?: string;
	/** containers (init containers too) in CrashLoopBackOff: their previous logs say why */
	crashLooping: Array<{ container: string; restarts: number }>;
}

export interface WorkloadRow {
	kind: 'DaemonSet' | 'Deployment';
	namespace: string;
	name: string;
	/** DaemonSet: desiredNumberScheduled; Deployment: spec.replicas */
	desired: number;
	ready: number;
	updated: number;
	available: number;
	healthy: boolean;
	cause?: string;
	progressing: boolean;
}

export interface HealthProblem {
	/** "node cp-1", "pod kube-system/coredns-abc", "daemonset kube-system/cilium", "deployment kube-system/coredns" */
	subject: string;
	cause: string;
	/** a state that usually resolves by itself; a caller may wait before reporting it */
	progressing: boolean;
}

export interface HealthSummary {
	podsReady: number;
	podsTotal: number;
	nodesReady: number;
	/** nodes registered, plus expected nodes that have not registered */
	nodesTotal: number;
}

export interface Verdict {
	healthy: boolean;
	cni: Cni;
	/** Expectation.now */
	assessedAt: number;
	nodes: NodeRow[];
	/** CNI pods first (cilium*, hubble*, calico*), then kube-system, then the rest; by namespace/name */
	pods: PodRow[];
	workloads: WorkloadRow[];
	problems: HealthProblem[];
	summary: HealthSummary;
}
