// Simulated API discovery for the test double of kubectl: which kinds exist, their resource names
// (what `kubectl get <type>` accepts), their group and whether they are namespaced. Custom resource
// definitions stored in the simulated cluster add their kinds, as on a real API server.

/** @typedef {{ kind: string, group: string, versions: string[], plural: string, singular: string, short: string[], namespaced: boolean }} Resource */

/** @type {Resource[]} */
const BUILTIN = [
	r('Namespace', '', ['v1'], 'namespaces', ['ns'], false),
	r('Node', '', ['v1'], 'nodes', ['no'], false),
	r('Pod', '', ['v1'], 'pods', ['po'], true),
	r('Service', '', ['v1'], 'services', ['svc'], true),
	r('ServiceAccount', '', ['v1'], 'serviceaccounts', ['sa'], true),
	r('ConfigMap', '', ['v1'], 'configmaps', ['cm'], true),
	r('Secret', '', ['v1'], 'secrets', [], true),
	r('Event', '', ['v1'], 'events', ['ev'], true),
	r('Endpoints', '', ['v1'], 'endpoints', ['ep'], true),
	r('PersistentVolume', '', ['v1'], 'persistentvolumes', ['pv'], false),
	r('PersistentVolumeClaim', '', ['v1'], 'persistentvolumeclaims', ['pvc'], true),
	r('LimitRange', '', ['v1'], 'limitranges', ['limits'], true),
	r('ResourceQuota', '', ['v1'], 'resourcequotas', ['quota'], true),
	r('DaemonSet', 'apps', ['v1'], 'daemonsets', ['ds'], true),
	r('Deployment', 'apps', ['v1'], 'deployments', ['deploy'], true),
	r('ReplicaSet', 'apps', ['v1'], 'replicasets', ['rs'], true),
	r('StatefulSet', 'apps', ['v1'], 'statefulsets', ['sts'], true),
	r('ControllerRevision', 'apps', ['v1'], 'controllerrevisions', [], true),
	r('Job', 'batch', ['v1'], 'jobs', [], true),
	r('CronJob', 'batch', ['v1'], 'cronjobs', ['cj'], true),
	r('ClusterRole', 'rbac.authorization.k8s.io', ['v1'], 'clusterroles', [], false),
	r('ClusterRoleBinding', 'rbac.authorization.k8s.io', ['v1'], 'clusterrolebindings', [], false),
	r('Role', 'rbac.authorization.k8s.io', ['v1'], 'roles', [], true),
	r('RoleBinding', 'rbac.authorization.k8s.io', ['v1'], 'rolebindings', [], true),
	r('CustomResourceDefinition', 'apiextensions.k8s.io', ['v1'], 'customresourcedefinitions', ['crd', 'crds'], false),
	r('PodDisruptionBudget', 'policy', ['v1'], 'poddisruptionbudgets', ['pdb'], true),
	r('PriorityClass', 'scheduling.k8s.io', ['v1'], 'priorityclasses', ['pc'], false),
	r('NetworkPolicy', 'networking.k8s.io', ['v1'], 'networkpolicies', ['netpol'], true),
	r('Ingress', 'networking.k8s.io', ['v1'], 'ingresses', ['ing'], true),
	r('IngressClass', 'networking.k8s.io', ['v1'], 'ingressclasses', [], false),
	r('MutatingWebhookConfiguration', 'admissionregistration.k8s.io', ['v1'], 'mutatingwebhookconfigurations', [], false),
	r('ValidatingWebhookConfiguration', 'admissionregistration.k8s.io', ['v1'], 'validatingwebhookconfigurations', [], false),
	r('StorageClass', 'storage.k8s.io', ['v1'], 'storageclasses', ['sc'], false),
	r('CSIDriver', 'storage.k8s.io', ['v1'], 'csidrivers', [], false),
	r('Lease', 'coordination.k8s.io', ['v1'], 'leases', [], true),
	r('APIService', 'apiregistration.k8s.io', ['v1'], 'apiservices', [], false),
	r('RuntimeClass', 'node.k8s.io', ['v1'], 'runtimeclasses', [], false),
	r('EndpointSlice', 'discovery.k8s.io', ['v1'], 'endpointslices', [], true),
];

function r(kind, group, versions, plural, short, namespaced) {
	return { kind, group, versions, plural, singular: kind.toLowerCase(), short, namespaced };
}

/** Kinds whose objects carry metadata.generation (a spec that a controller observes). */
const WITH_GENERATION = new Set(['DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet', 'Job', 'CronJob', 'CustomResourceDefinition',
	'PodDisruptionBudget', 'NetworkPolicy', 'Ingress', 'PriorityClass', 'IngressClass', 'MutatingWebhookConfiguration',
	'ValidatingWebhookConfiguration']);

/** Builtin resources plus the kinds defined by stored CustomResourceDefinitions. */
export function resources(crds = []) {
	const all = [...BUILTIN];
	for (const crd of crds) {
		const spec = crd?.spec;
		if (!spec?.names?.kind || !spec.group) continue;
		all.push({
			kind: spec.names.kind,
			group: spec.group,
			versions: (spec.versions ?? []).filter((v) => v.served !== false).map((v) => v.name),
			plural: spec.names.plural ?? `${spec.names.kind.toLowerCase()}s`,
			singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
			short: spec.names.shortNames ?? [],
			namespaced: spec.scope !== 'Cluster',
			custom: true,
			// Without printer columns the API server's table has only NAME and CREATED AT.
			printerColumns: (spec.versions ?? []).some((v) => (v.additionalPrinterColumns ?? []).length > 0),
		});
	}
	return all;
}

export function hasGeneration(resource) {
	return resource.custom === true || WITH_GENERATION.has(resource.kind);
}

/** The resource for `kubectl get <word>`: plural, singular, short name or Kind, optionally `.group`. */
export function resolveType(all, word) {
	const lower = word.toLowerCase();
	const dot = lower.indexOf('.');
	const name = dot < 0 ? lower : lower.slice(0, dot);
	const group = dot < 0 ? undefined : lower.slice(dot + 1);
	return all.find((res) => (group === undefined || res.group === group)
		&& (res.plural === name || res.singular === name || res.short.includes(name) || res.kind.toLowerCase() === name));
}

/** The resource for an object's apiVersion and kind, or undefined (kubectl: "no matches for kind"). */
export function resourceFor(all, apiVersion, kind) {
	const slash = apiVersion.indexOf('/');
	const group = slash < 0 ? '' : apiVersion.slice(0, slash);
	const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
	return all.find((res) => res.kind === kind && res.group === group && res.versions.includes(version));
}

/** `daemonset.apps/cilium`, `configmap/cilium-config`: how kubectl names an object in -o name and apply. */
export function qualifiedName(resource, name) {
	return `${resource.singular}${resource.group === '' ? '' : `.${resource.group}`}/${name}`;
}

export function apiVersionOf(resource) {
	return resource.group === '' ? resource.versions[0] : `${resource.group}/${resource.versions[0]}`;
}
