// Cilium: the pinned Helm render of the release, edited object by object into what the chart
// would have rendered for the spec's values.
import type { Cluster } from '../spec/types.js';
import { editCiliumConfig } from './cilium-config.js';
import { editCiliumOperator } from './cilium-operator.js';
import type { NodeCounts } from './counts.js';
import { apiServerEndpoint } from './endpoint.js';
import { hubbleTlsSecrets, type HubbleTls } from './hubble-tls.js';
import { MANIFEST_FILES, readManifest } from './manifests.js';
import { configMapData, findContainer, findObject, podSpec, removeNamed, removeObject, setEnv, type Fields } from './objects.js';
import type { KubeObject } from './yaml-stream.js';

/**
 * Without kube-proxy nothing translates the kubernetes Service IP, so Cilium is pointed at the API
 * server directly (chart k8sServiceHost/k8sServicePort). The chart sets the two variables on the
 * containers that talk to the API server: the agent, its `config` and `clean-cilium-state` init
 * containers, cilium-envoy and the operator. The other init containers (cgroup/bpf mounts, sysctls,
 * CNI binaries) never contact it and get nothing, as with the chart.
 */
function pointAtApiServer(objects: readonly KubeObject[], cluster: Cluster): void {
	const endpoint = apiServerEndpoint(cluster);
	if (!endpoint) {
		throw new Error('kubestrap: kubeProxyReplacement needs the API server address: set spec.kubernetes.controlPlaneEndpoint');
	}
	const targets: Fields[] = [];
	const agent = podSpec(findObject(objects, 'DaemonSet', 'cilium'));
	targets.push(findContainer(agent, 'cilium-agent'), findContainer(agent, 'config', 'initContainers'), findContainer(agent, 'clean-cilium-state', 'initContainers'));
	targets.push(findContainer(podSpec(findObject(objects, 'DaemonSet', 'cilium-envoy')), 'cilium-envoy'));
	targets.push(findContainer(podSpec(findObject(objects, 'Deployment', 'cilium-operator')), 'cilium-operator'));
	for (const container of targets) {
		setEnv(container, 'KUBERNETES_SERVICE_HOST', endpoint.host);
		setEnv(container, 'KUBERNETES_SERVICE_PORT', endpoint.port);
	}
}

/** Hubble off: no server, so no peer Service, no TLS volume and no hostPort 4244 on the agent. */
function removeHubble(objects: KubeObject[]): void {
	removeObject(objects, 'Service', 'hubble-peer');
	const agent = podSpec(findObject(objects, 'DaemonSet', 'cilium'));
	removeNamed(agent, 'volumes', 'hubble-tls');
	const container = findContainer(agent, 'cilium-agent');
	removeNamed(container, 'volumeMounts', 'hubble-tls');
	removeNamed(container, 'ports', 'peer-service');
}

/** The Secrets go where Helm puts Secrets: after the ServiceAccounts, before the ConfigMaps, so they exist before the agent pods mount them. */
function insertSecrets(objects: KubeObject[], secrets: readonly KubeObject[]): void {
	const firstConfigMap = objects.findIndex((o) => o['kind'] === 'ConfigMap');
	objects.splice(firstConfigMap === -1 ? objects.length : firstConfigMap, 0, ...secrets);
}

export interface CiliumRender {
	objects: KubeObject[];
	/** true when the Hubble TLS Secrets are part of `objects` */
	withHubbleSecrets: boolean;
}

export function renderCilium(cluster: Cluster, counts: NodeCounts, hubbleTls: HubbleTls | undefined): CiliumRender {
	const c = cluster.spec.network.cilium;
	const objects = readManifest(MANIFEST_FILES.cilium);
	editCiliumConfig(configMapData(objects, 'cilium-config'), cluster);
	editCiliumOperator(objects, cluster, counts);
	if (c.kubeProxyReplacement) pointAtApiServer(objects, cluster);
	if (!c.hubble) removeHubble(objects);
	const withHubbleSecrets = c.hubble && hubbleTls !== undefined;
	if (withHubbleSecrets) insertSecrets(objects, hubbleTlsSecrets(hubbleTls));
	return { objects, withHubbleSecrets };
}
