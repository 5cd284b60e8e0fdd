// Kubeconfig documents edited as parsed YAML: the admin kubeconfig renamed after the cluster (context,
// cluster and user) with its server set, and merged into an existing kubeconfig keeping the other
// entries, as `kubectl config` would.
import { parse, stringify } from 'yaml';

interface Named<T> {
	name: string;
	[key: string]: unknown;
	value?: T;
}

interface KubeconfigDoc {
	apiVersion?: string;
	kind?: string;
	clusters?: Array<Named<unknown> & { cluster?: Record<string, unknown> }>;
	users?: Array<Named<unknown> & { user?: Record<string, unknown> }>;
	contexts?: Array<Named<unknown> & { context?: { cluster?: string; user?: string; namespace?: string } }>;
	'current-context'?: string;
	preferences?: Record<string, unknown>;
	[key: string]: unknown;
}

/** The admin kubeconfig as the cluster's own entries: context `name`, cluster `name`, user `name-admin`. */
export function namedKubeconfig(admin: string, name: string, server: string): string {
	const doc = parse(admin) as KubeconfigDoc;
	const context = doc.contexts?.find((c) => c.name === doc['current-context']) ?? doc.contexts?.[0];
	const cluster = doc.clusters?.find((c) => c.name === context?.context?.cluster) ?? doc.clusters?.[0];
	const user = doc.users?.find((u) => u.name === context?.context?.user) ?? doc.users?.[0];
	if (!cluster?.cluster || !user?.user) throw new Error('the admin kubeconfig has no cluster or user entry');
	const out: KubeconfigDoc = {
		apiVersion: 'v1',
		kind: 'Config',
		clusters: [{ name, cluster: { ...cluster.cluster, server } }],
		users: [{ name: `${name}-admin`, user: user.user }],
		contexts: [{ name, context: { cluster: name, user: `${name}-admin` } }],
		'current-context': name,
		preferences: {},
	};
	return stringify(out, { lineWidth: 0 });
}

/** Adds (or replaces, by name) the entries of `incoming` in `existing`, and makes its context current. */
export function mergeKubeconfig(existing: string, incoming: string): string {
	const base = (existing.trim() === '' ? {} : parse(existing)) as KubeconfigDoc | null;
	const doc: KubeconfigDoc = { apiVersion: 'v1', kind: 'Config', preferences: {}, ...(base ?? {}) };
	const add = parse(incoming) as KubeconfigDoc;
	const mergeList = <T extends { name: string }>(current: T[] | undefined, extra: T[] | undefined): T[] => {
		const names = new Set((extra ?? []).map((e) => e.name));
		return [...(current ?? []).filter((e) => !names.has(e.name)), ...(extra ?? [])];
	};
	doc.clusters = mergeList(doc.clusters, add.clusters);
	doc.users = mergeList(doc.users, add.users);
	doc.contexts = mergeList(doc.contexts, add.contexts);
	if (add['current-context']) doc['current-context'] = add['current-context'];
	return stringify(doc, { lineWidth: 0 });
}
