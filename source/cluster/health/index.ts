// The health model of a cluster: kubectl JSON in, rows, a verdict and its presentations out. Pure:
// the caller runs kubectl (over SSH) and passes the text.
export type { Cni, Snapshot, KubeNode, KubePod, KubeDaemonSet, KubeDeployment, Condition, ContainerSpec, ContainerStatus, ContainerState, ObjectMeta } from './kube-types.js';
export { SnapshotError, parseSnapshot, snapshotFromItems, createParseCache, type ParseCache } from './snapshot.js';
export * as listWatch from './list-watch.js';
export type { Expectation, Verdict, NodeRow, PodRow, WorkloadRow, HealthProblem, HealthSummary } from './verdict.js';
export { assess } from './assess.js';
export { logRequests, withLogs, logKey, logLines, type LogRequest } from './logs.js';
export { parseEvents, recentEvents, type EventRow } from './events.js';
export { cniInfo, releaseOf, type CniInfo } from './cni-info.js';
export { statusReport, withListing, type StatusReport, type StatusNode, type StatusPod, type StatusWorkload } from './status-report.js';
export { formatPodTable, podTableLines, summaryText, type PodTableOptions } from './format-pods.js';
export { formatTimeoutReport } from './format-timeout.js';
export { formatStatus, statusLines } from './format-status.js';
export { humanDuration, elapsed } from './kube-durations.js';
export { lineText, plainLines, type Line, type LineTone, type Segment } from './toned-lines.js';
export { safeText } from './text.js';
