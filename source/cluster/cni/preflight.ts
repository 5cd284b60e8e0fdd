// Cilium's pre-flight check (pure): the `cilium-pre-flight-check` DaemonSet of the chart's
// `preflight.enabled=true` render, which pulls the new agent image on every node before the agents are
// upgraded, so no agent waits on a slow pull while its node has no working datapath (Documentation/
// operations/upgrade.rst, "Running pre-flight check (Required)"). Built by editing a copy of the rendered
// agent DaemonSet: the same image, node selection and tolerations, so it lands wherever an agent will.
import { fieldsAt, findContainer, findObject, podSpec, type Fields } from '../objects.js';
import type { KubeObject } from '../yaml-stream.js';

export const PREFLIGHT = 'cilium-pre-flight-check';

const LABELS = { 'k8s-app': PREFLIGHT, 'kubernetes.io/cluster-service': 'true' };
// The chart's check container: it only has to start (the image is then on the node); the file makes it ready.
const READY_PROBE = { exec: { command: ['cat', '/tmp/ready'] }, initialDelaySeconds: 5, periodSeconds: 5 };

export function preflightDaemonSet(rendered: readonly KubeObject[]): KubeObject {
	const agent = structuredClone(findObject(rendered, 'DaemonSet', 'cilium'));
	const agentSpec = podSpec(agent);
	const agentContainer = findContainer(agentSpec, 'cilium-agent');
	const image = agentContainer['image'];
	const pull = agentContainer['imagePullPolicy'] ?? 'IfNotPresent';
	const metadata = fieldsAt(agent, 'metadata', 'DaemonSet cilium');
	agent['metadata'] = { name: PREFLIGHT, namespace: metadata['namespace'] ?? 'kube-system', labels: { ...LABELS, 'app.kubernetes.io/part-of': 'cilium', 'app.kubernetes.io/name': PREFLIGHT } };
	const spec = fieldsAt(agent, 'spec', 'DaemonSet cilium');
	spec['selector'] = { matchLabels: { ...LABELS } };
	const template = fieldsAt(spec, 'template', 'DaemonSet cilium spec');
	template['metadata'] = { labels: { ...LABELS, 'app.kubernetes.io/part-of': 'cilium', 'app.kubernetes.io/name': PREFLIGHT } };
	const podFields: Fields = {
		initContainers: [{ name: 'clean-cilium-state', image, imagePullPolicy: pull, command: ['/bin/echo'], args: ['hello'] }],
		containers: [{
			name: PREFLIGHT, image, imagePullPolicy: pull,
			command: ['/bin/sh'], args: ['-c', 'touch /tmp/ready; sleep 1h'],
			livenessProbe: READY_PROBE, readinessProbe: READY_PROBE,
		}],
		hostNetwork: true,
		dnsPolicy: 'ClusterFirstWithHostNet',
		restartPolicy: 'Always',
		terminationGracePeriodSeconds: 1,
		// The agent's ServiceAccount: the check container talks to nothing, so it needs no RBAC of its own.
		serviceAccountName: agentSpec['serviceAccountName'] ?? 'cilium',
	};
	// Where the agents run: their node selection and tolerations; not their anti-affinity (it names the agent pods).
	for (const key of ['nodeSelector', 'tolerations', 'priorityClassName']) if (agentSpec[key] !== undefined) podFields[key] = agentSpec[key];
	template['spec'] = podFields;
	return agent;
}
