// The Kubernetes objects of a network check, built as plain objects (never YAML text): a labelled
// namespace with a Lease, an echo DaemonSet with its Service, and one client pod per node (plus a
// hostNetwork one for node-to-pod) whose script runs the probes and prints one result line each.
import type { Probe } from './types.js';

/**
 * agnhost (the Kubernetes e2e test image): `netexec` serves HTTP, `connect` tests a TCP connection and
 * prints TIMEOUT / REFUSED / DNS: / OTHER: on failure; the image (Alpine based) also has sh and
 * bind-tools' nslookup. Pinned by the digest of the 2.53 manifest list.
 */
export const CHECK_IMAGE = 'registry.k8s.io/e2e-test-images/agnhost:2.53@sha256:99c6b4bb4a1e1df3f0b3752168c89358794d02258ebebc26bf21c29399011a85';
export const ECHO_PORT = 8080;
export const NAMESPACE_PREFIX = 'kubestrap-check-';
export const CHECK_LABEL = 'kubestrap.dev/check';
export const LEASE_NAME = 'kubestrap-check';
export const ECHO_NAME = 'echo';
/** Each result line starts with this, so other output of the pod is never mistaken for a result. */
export const RESULT_PREFIX = 'kubestrap-check';
/** Connection attempts per probe and the timeout of each: a dropped packet is retried, a blocked port is not hidden. */
export const ATTEMPTS = 3;
export const CONNECT_TIMEOUT_SECONDS = 2;

type Obj = Record<string, unknown>;

const MANAGED = { 'app.kubernetes.io/managed-by': 'kubestrap' };

function labels(extra: Record<string, string> = {}): Record<string, string> {
	return { ...MANAGED, [CHECK_LABEL]: 'true', ...extra };
}

// Control-plane nodes are covered too: the check proves every node's networking.
const TOLERATE_ALL = [{ operator: 'Exists' }];
const RESOURCES = { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } };
const SECURITY = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

export function namespaceObject(name: string): Obj {
	return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: labels() } };
}

/** Held for the check's duration; another check that finds a live one refuses to start. */
export function leaseObject(namespace: string, holder: string, now: Date, seconds: number): Obj {
	return {
		apiVersion: 'coordination.k8s.io/v1',
		kind: 'Lease',
		metadata: { name: LEASE_NAME, namespace, labels: labels() },
		spec: { holderIdentity: holder, leaseDurationSeconds: seconds, acquireTime: microTime(now), renewTime: microTime(now) },
	};
}

/** The API's MicroTime: RFC 3339 with microseconds. */
function microTime(date: Date): string {
	return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function echoDaemonSet(namespace: string): Obj {
	const match = { [CHECK_LABEL]: 'true', 'app.kubernetes.io/name': ECHO_NAME };
	return {
		apiVersion: 'apps/v1',
		kind: 'DaemonSet',
		metadata: { name: ECHO_NAME, namespace, labels: labels({ 'app.kubernetes.io/name': ECHO_NAME }) },
		spec: {
			selector: { matchLabels: match },
			template: {
				metadata: { labels: labels({ 'app.kubernetes.io/name': ECHO_NAME }) },
				spec: {
					tolerations: TOLERATE_ALL,
					terminationGracePeriodSeconds: 1,
					automountServiceAccountToken: false,
					containers: [{
						name: ECHO_NAME,
						image: CHECK_IMAGE,
						args: ['netexec', `--http-port=${ECHO_PORT}`, '--udp-port=-1'],
						ports: [{ name: 'http', containerPort: ECHO_PORT, protocol: 'TCP' }],
						readinessProbe: { tcpSocket: { port: ECHO_PORT }, periodSeconds: 2 },
						resources: RESOURCES,
						securityContext: SECURITY,
					}],
				},
			},
		},
	};
}

/**
 * Traffic policies Local: a ClusterIP probe reaches the echo pod on the client's own node and a NodePort
 * probe the one on the node it names, so a service failure is the service layer's (kube-proxy or its
 * replacement), never a tunnel failure seen through a random backend.
 */
export function echoService(namespace: string, nodePort: boolean): Obj {
	return {
		apiVersion: 'v1',
		kind: 'Service',
		metadata: { name: ECHO_NAME, namespace, labels: labels({ 'app.kubernetes.io/name': ECHO_NAME }) },
		spec: {
			type: nodePort ? 'NodePort' : 'ClusterIP',
			selector: { [CHECK_LABEL]: 'true', 'app.kubernetes.io/name': ECHO_NAME },
			ports: [{ name: 'http', port: ECHO_PORT, targetPort: ECHO_PORT, protocol: 'TCP' }],
			internalTrafficPolicy: 'Local',
			...(nodePort ? { externalTrafficPolicy: 'Local' } : {}),
		},
	};
}

// Values placed in the script: IPs, host:port, DNS names and probe ids — nothing else may reach the shell.
const SAFE = /^[A-Za-z0-9.:/_\-[\]]+$/;

function safe(value: string): string {
	if (!SAFE.test(value)) throw new Error(`check: refusing an unsafe value in a probe: ${JSON.stringify(value)}`);
	return value;
}

/** The command one probe runs: agnhost connect for a connection, nslookup for a name. */
export function probeCommand(probe: Probe): string {
	return probe.how === 'dns' ? `nslookup ${safe(probe.target)}` : `/agnhost connect --timeout=${CONNECT_TIMEOUT_SECONDS}s ${safe(probe.target)}`;
}

/**
 * The client's script: `p ID COMMAND…` tries the command up to ATTEMPTS times and reports
 * `kubestrap-check ID pass` or `kubestrap-check ID fail <what it printed>`; `done` ends a complete run.
 * `r` prints each line to the log and appends it to the termination message, so the results arrive
 * with the pod's status (no extra call per pod) and stay readable with `kubectl logs`.
 */
export function probeScript(probes: readonly Probe[]): string {
	return [
		'r() { echo "$1"; echo "$1" >> /dev/termination-log; }',
		`p() { id=$1; shift; n=0; while :; do if out=$("$@" 2>&1); then r "${RESULT_PREFIX} $id pass"; return 0; fi; n=$((n+1)); if [ "$n" -ge ${ATTEMPTS} ]; then r "${RESULT_PREFIX} $id fail $(echo "$out" | tr '\\n' ' ')"; return 0; fi; sleep 1; done; }`,
		...probes.map((probe) => `p ${safe(probe.id)} ${probeCommand(probe)}`),
		`r "${RESULT_PREFIX} done"`,
	].join('\n');
}

export function clientPodName(node: string, hostNetwork: boolean): string {
	const base = `${hostNetwork ? 'host' : 'client'}-${node}`;
	// Pod names are DNS subdomains (253), but keep them readable and well inside label limits.
	return base.length <= 63 ? base : `${base.slice(0, 54)}-${hashText(node)}`;
}

function hashText(text: string): string {
	let h = 2166136261;
	for (const char of text) h = Math.imul(h ^ char.charCodeAt(0), 16777619);
	return (h >>> 0).toString(36).slice(0, 8);
}

export function clientPod(namespace: string, node: string, probes: readonly Probe[], hostNetwork: boolean, deadlineSeconds: number): Obj {
	return {
		apiVersion: 'v1',
		kind: 'Pod',
		metadata: { name: clientPodName(node, hostNetwork), namespace, labels: labels({ 'app.kubernetes.io/name': hostNetwork ? 'host-client' : 'client', 'kubestrap.dev/node': node.slice(0, 63) }) },
		spec: {
			// Pinned to its node: the probes are about that node's networking, not wherever a scheduler puts them.
			nodeName: node,
			restartPolicy: 'Never',
			tolerations: TOLERATE_ALL,
			terminationGracePeriodSeconds: 1,
			activeDeadlineSeconds: deadlineSeconds,
			automountServiceAccountToken: false,
			...(hostNetwork ? { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' } : {}),
			containers: [{
				name: 'probe',
				image: CHECK_IMAGE,
				command: ['/bin/sh', '-c', probeScript(probes)],
				resources: RESOURCES,
				securityContext: SECURITY,
				terminationMessagePolicy: 'FallbackToLogsOnError',
			}],
		},
	};
}
