// The parts of the Kubernetes objects the health model reads, with the API's own field names, so a
// reader can check them against `kubectl explain`. parseSnapshot fills them from kubectl's JSON and
// defaults every field it could not read, so nothing after parsing has to check shapes again.

export type Cni = 'cilium' | 'calico';

export interface Condition {
	type: string;
	/** "True" | "False" | "Unknown" */
	status: string;
	reason?: string;
	message?: string;
	lastTransitionTime?: string;
}

export interface ObjectMeta {
	name: string;
	/** empty for cluster-scoped objects (nodes) */
	namespace: string;
	uid?: string;
	/** RFC 3339, as the API server prints it */
	creationTimestamp?: string;
	deletionTimestamp?: string;
	generation?: number;
	labels: Record<string, string>;
	ownerReferences: Array<{ kind: string; name: string }>;
}

export interface EnvVar {
	name: string;
	/** absent when the value comes from valueFrom */
	value?: string;
}

export interface ContainerSpec {
	name: string;
	image: string;
	/** "Always" on an init container makes it a sidecar (restartable init container) */
	restartPolicy?: string;
	env: EnvVar[];
}

export interface ContainerState {
	waiting?: { reason?: string; message?: string };
	running?: { startedAt?: string };
	terminated?: { exitCode: number; signal?: number; reason?: string; message?: string; startedAt?: string; finishedAt?: string };
}

export interface ContainerStatus {
	name: string;
	image: string;
	ready: boolean;
	started?: boolean;
	restartCount: number;
	state: ContainerState;
	lastState: ContainerState;
}

export interface KubePod {
	metadata: ObjectMeta;
	spec: { nodeName?: string; containers: ContainerSpec[]; initContainers: ContainerSpec[] };
	status: {
		/** Pending | Running | Succeeded | Failed | Unknown */
		phase?: string;
		/** e.g. Evicted, NodeLost */
		reason?: string;
		message?: string;
		startTime?: string;
		conditions: Condition[];
		containerStatuses: ContainerStatus[];
		initContainerStatuses: ContainerStatus[];
	};
}

export interface KubeNode {
	metadata: ObjectMeta;
	spec: { unschedulable: boolean; taints: Array<{ key: string; value?: string; effect: string }> };
	status: {
		conditions: Condition[];
		addresses: Array<{ type: string; address: string }>;
		nodeInfo: { kubeletVersion: string; kernelVersion: string; osImage: string; containerRuntimeVersion: string; architecture: string };
	};
}

export interface PodTemplate {
	containers: ContainerSpec[];
	initContainers: ContainerSpec[];
}

export interface KubeDaemonSet {
	metadata: ObjectMeta;
	spec: { template: PodTemplate };
	status: {
		desiredNumberScheduled: number;
		currentNumberScheduled: number;
		numberReady: number;
		updatedNumberScheduled: number;
		numberAvailable: number;
		numberMisscheduled: number;
		observedGeneration?: number;
	};
}

export interface KubeDeployment {
	metadata: ObjectMeta;
	/** replicas defaults to 1, as the API server does */
	spec: { replicas: number; template: PodTemplate };
	status: {
		replicas: number;
		readyReplicas: number;
		updatedReplicas: number;
		availableReplicas: number;
		observedGeneration?: number;
		conditions: Condition[];
	};
}

/** One `kubectl get nodes,pods,daemonsets,deployments -A -o json`, split by kind. */
export interface Snapshot {
	nodes: KubeNode[];
	pods: KubePod[];
	daemonSets: KubeDaemonSet[];
	deployments: KubeDeployment[];
}
