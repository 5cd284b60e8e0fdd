// The fetched admin kubeconfig renamed after the cluster, and merged into a user's kubeconfig keeping the other entries.
import test from 'ava';
import { parse } from 'yaml';
import { mergeKubeconfig, namedKubeconfig } from '../../source/cluster/kubeconfig-merge.js';

const ADMIN = `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: Q0E=
    server: https://10.0.0.10:6443
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: kubernetes-admin
  name: kubernetes-admin@kubernetes
current-context: kubernetes-admin@kubernetes
users:
- name: kubernetes-admin
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
`;

test('named after the cluster, server set, credentials kept', (t) => {
	const doc = parse(namedKubeconfig(ADMIN, 'demo', 'https://203.0.113.5:6443'));
	t.deepEqual(doc.clusters, [{ name: 'demo', cluster: { 'certificate-authority-data': 'Q0E=', server: 'https://203.0.113.5:6443' } }]);
	t.deepEqual(doc.users, [{ name: 'demo-admin', user: { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ' } }]);
	t.deepEqual(doc.contexts, [{ name: 'demo', context: { cluster: 'demo', user: 'demo-admin' } }]);
	t.is(doc['current-context'], 'demo');
});

test('merge keeps other contexts, replaces the same names, makes ours current; an empty file works', (t) => {
	const ours = namedKubeconfig(ADMIN, 'demo', 'https://203.0.113.5:6443');
	const existing = `apiVersion: v1
kind: Config
clusters: [{ name: other, cluster: { server: "https://other:6443" } }, { name: demo, cluster: { server: "https://old:6443" } }]
users: [{ name: other-user, user: { token: t } }]
contexts: [{ name: other, context: { cluster: other, user: other-user } }]
current-context: other
`;
	const merged = parse(mergeKubeconfig(existing, ours));
	t.deepEqual(merged.clusters.map((c: { name: string }) => c.name), ['other', 'demo']);
	t.is(merged.clusters[1].cluster.server, 'https://203.0.113.5:6443');
	t.deepEqual(merged.contexts.map((c: { name: string }) => c.name), ['other', 'demo']);
	t.is(merged['current-context'], 'demo');
	t.is(parse(mergeKubeconfig('', ours))['current-context'], 'demo');
});
