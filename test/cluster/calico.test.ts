import test from 'ava';
import { applyVxlanVariant, calicoManifestFile, typhaReplicas } from '../../source/cluster/calico.js';
import { nodeCounts } from '../../source/cluster/counts.js';
import { MANIFEST_FILES, readManifest, type ManifestFile } from '../../source/cluster/manifests.js';
import { renderManifests, type RenderedManifests } from '../../source/cluster/render.js';
import type { KubeObject } from '../../source/cluster/yaml-stream.js';
import { validateCluster } from '../../source/spec/rules.js';
import type { Cluster } from '../../source/spec/types.js';
import { diffObjects } from './_diff.js';
import { clusterFixture, manyHosts, type DeepPartial } from './_fixtures.js';
import { assertGolden, goldenView } from './_golden.js';

type Obj = Record<string, unknown>;

// Each ~350 KB file is parsed at most once per test file (on first use); tests only read them.
const parsed = new Map<ManifestFile, KubeObject[]>();
function upstream(file: ManifestFile): KubeObject[] {
	let objects = parsed.get(file);
	if (!objects) {
		objects = readManifest(file);
		parsed.set(file, objects);
	}
	return objects;
}

const CONFIG = 'ConfigMap kube-system/calico-config';
const NODE = 'DaemonSet kube-system/calico-node: spec.template.spec.containers[calico-node]';
const TYPHA = 'Deployment kube-system/calico-typha';
const CIDR = `${NODE}.env[CALICO_IPV4POOL_CIDR]`;

function calico(overrides: DeepPartial<Cluster> = {}): Cluster {
	const cluster = clusterFixture(overrides);
	cluster.spec.network.cni = 'calico';
	return cluster;
}

function changes(cluster: Cluster, file: ManifestFile): string[] {
	return diffObjects(upstream(file), renderManifests(cluster).documents);
}

function calicoNode(documents: readonly Obj[]): Obj {
	const ds = documents.find((o) => o['kind'] === 'DaemonSet' && (o['metadata'] as Obj)['name'] === 'calico-node') as Obj;
	const pod = ((ds['spec'] as Obj)['template'] as Obj)['spec'] as Obj;
	return (pod['containers'] as Obj[]).find((c) => c['name'] === 'calico-node') as Obj;
}

function env(rendered: RenderedManifests): Record<string, unknown> {
	return Object.fromEntries((calicoNode(rendered.documents)['env'] as Obj[]).map((e) => [e['name'], e['value']]));
}

function config(rendered: RenderedManifests): Obj {
	return (rendered.documents.find((o) => o['kind'] === 'ConfigMap' && (o['metadata'] as Obj)['name'] === 'calico-config') as Obj)['data'] as Obj;
}

const sorted = (paths: string[]): string[] => [...paths].sort();

test('IPIP (default): calico.yaml with only the pool CIDR added', (t) => {
	const cluster = calico();
	t.deepEqual(validateCluster(cluster), []);
	const rendered = renderManifests(cluster);
	t.is(rendered.cni, 'calico');
	t.is(rendered.release, 'Calico 3.32.1');
	t.deepEqual(diffObjects(upstream(MANIFEST_FILES.calico), rendered.documents), [CIDR]);
	const e = env(rendered);
	t.is(e['CALICO_IPV4POOL_CIDR'], '10.244.0.0/16');
	t.is(e['CALICO_IPV4POOL_IPIP'], 'Always');
	t.is(e['CALICO_IPV4POOL_VXLAN'], 'Never');
	t.is(config(rendered)['calico_backend'], 'bird');
	t.is(config(rendered)['veth_mtu'], '0');
	const names = (calicoNode(rendered.documents)['env'] as Obj[]).map((x) => x['name']);
	t.is(names.indexOf('CALICO_IPV4POOL_CIDR'), names.indexOf('FELIX_WIREGUARDMTU') + 1, 'where upstream has it commented out');
	t.regex(rendered.text, /^# kubestrap: Calico 3\.32\.1 CNI manifests for cluster "demo"\n# Edited from the pinned upstream manifests\/calico\/calico\.yaml/);
});

test('IPIP cross-subnet', (t) => {
	const cluster = calico({ spec: { network: { calico: { crossSubnet: true } } } });
	t.deepEqual(changes(cluster, MANIFEST_FILES.calico), sorted([CIDR, `${NODE}.env[CALICO_IPV4POOL_IPIP].value`]));
	t.is(env(renderManifests(cluster))['CALICO_IPV4POOL_IPIP'], 'CrossSubnet');
});

test('no encapsulation: IPIP and VXLAN Never, BIRD kept for routes', (t) => {
	const rendered = renderManifests(calico({ spec: { network: { calico: { encapsulation: 'none' } } } }));
	t.deepEqual(diffObjects(upstream(MANIFEST_FILES.calico), rendered.documents), sorted([CIDR, `${NODE}.env[CALICO_IPV4POOL_IPIP].value`]));
	t.is(env(rendered)['CALICO_IPV4POOL_IPIP'], 'Never');
	t.is(env(rendered)['CALICO_IPV4POOL_VXLAN'], 'Never');
	t.is(config(rendered)['calico_backend'], 'bird');
});

test('VXLAN cross-subnet: calico-vxlan.yaml as it is, plus the pool CIDR', (t) => {
	const cluster = calico({ spec: { network: { calico: { encapsulation: 'vxlan', crossSubnet: true } } } });
	t.is(calicoManifestFile(cluster, nodeCounts(cluster)), MANIFEST_FILES.calicoVxlan);
	const rendered = renderManifests(cluster);
	t.deepEqual(diffObjects(upstream(MANIFEST_FILES.calicoVxlan), rendered.documents), [CIDR]);
	t.is(config(rendered)['calico_backend'], 'vxlan');
	t.is(env(rendered)['CALICO_IPV4POOL_VXLAN'], 'CrossSubnet');
	t.is(env(rendered)['CALICO_IPV4POOL_IPIP'], 'Never');
	const node = calicoNode(rendered.documents);
	t.false(JSON.stringify(node['livenessProbe']).includes('bird'));
	t.false(JSON.stringify(node['readinessProbe']).includes('bird'));
});

test('VXLAN always', (t) => {
	const cluster = calico({ spec: { network: { calico: { encapsulation: 'vxlan' } } } });
	t.deepEqual(changes(cluster, MANIFEST_FILES.calicoVxlan), sorted([CIDR, `${NODE}.env[CALICO_IPV4POOL_VXLAN].value`]));
	t.is(env(renderManifests(cluster))['CALICO_IPV4POOL_VXLAN'], 'Always');
});

test('MTU is written to veth_mtu as a string', (t) => {
	const rendered = renderManifests(calico({ spec: { network: { calico: { mtu: 1440 } } } }));
	t.deepEqual(diffObjects(upstream(MANIFEST_FILES.calico), rendered.documents), sorted([CIDR, `${CONFIG}: data.veth_mtu`]));
	t.is(config(rendered)['veth_mtu'], '1440');
});

test('private addresses: calico-node detects its address from the Node InternalIP', (t) => {
	const cluster = calico({
		spec: {
			hosts: [
				{ address: '192.0.2.10', privateAddress: '10.0.0.10', role: 'control-plane' },
				{ address: '192.0.2.11', role: 'worker' },
			],
		},
	});
	const rendered = renderManifests(cluster);
	t.deepEqual(diffObjects(upstream(MANIFEST_FILES.calico), rendered.documents), sorted([CIDR, `${NODE}.env[IP_AUTODETECTION_METHOD]`]));
	t.is(env(rendered)['IP_AUTODETECTION_METHOD'], 'kubernetes-internal-ip');
	const names = (calicoNode(rendered.documents)['env'] as Obj[]).map((x) => x['name']);
	t.is(names.indexOf('IP_AUTODETECTION_METHOD'), names.indexOf('IP') + 1);
});

test('target aws: calico-node detects its address from the Node InternalIP', (t) => {
	const cluster = calico({ spec: { target: 'aws', hosts: [], aws: { region: 'eu-west-1', instanceIds: ['i-0abc123def4567890'], instanceTags: {}, addressType: 'public' } } });
	t.deepEqual(validateCluster(cluster), []);
	t.is(env(renderManifests(cluster))['IP_AUTODETECTION_METHOD'], 'kubernetes-internal-ip');
});

test('manifest choice: Typha above 50 nodes, VXLAN file only below', (t) => {
	const at = (count: number, encapsulation: 'ipip' | 'vxlan' = 'ipip'): ManifestFile => {
		const cluster = calico({ spec: { hosts: manyHosts(count), network: { calico: { encapsulation } } } });
		return calicoManifestFile(cluster, nodeCounts(cluster));
	};
	t.is(at(50), MANIFEST_FILES.calico);
	t.is(at(50, 'vxlan'), MANIFEST_FILES.calicoVxlan);
	t.is(at(51), MANIFEST_FILES.calicoTypha);
	t.is(at(51, 'vxlan'), MANIFEST_FILES.calicoTypha);
});

test('Typha replicas: one per 200 nodes, at least 3, at most 20, fewer than the nodes', (t) => {
	const table: Array<[number, number]> = [[2, 1], [3, 2], [4, 3], [51, 3], [60, 3], [600, 3], [601, 4], [1000, 5], [3999, 20], [5000, 20]];
	for (const [nodes, replicas] of table) t.is(typhaReplicas(nodes), replicas, `${nodes} nodes`);
});

test('60 nodes: the Typha manifest with three replicas', (t) => {
	const cluster = calico({ spec: { hosts: manyHosts(60) } });
	t.deepEqual(validateCluster(cluster), []);
	const rendered = renderManifests(cluster);
	t.deepEqual(diffObjects(upstream(MANIFEST_FILES.calicoTypha), rendered.documents), sorted([CIDR, `${TYPHA}: spec.replicas`]));
	t.is(config(rendered)['typha_service_name'], 'calico-typha');
});

test('the VXLAN variant applied to calico.yaml gives exactly calico-vxlan.yaml', (t) => {
	const objects = readManifest(MANIFEST_FILES.calico);
	applyVxlanVariant(objects);
	t.deepEqual(diffObjects(upstream(MANIFEST_FILES.calicoVxlan), objects), []);
});

test('60 nodes with VXLAN: the Typha manifest with the VXLAN differences applied', (t) => {
	const cluster = calico({ spec: { hosts: manyHosts(60), network: { calico: { encapsulation: 'vxlan' } } } });
	const rendered = renderManifests(cluster);
	t.deepEqual(diffObjects(upstream(MANIFEST_FILES.calicoTypha), rendered.documents), sorted([
		CIDR,
		`${TYPHA}: spec.replicas`,
		`${CONFIG}: data.calico_backend`,
		`${NODE}.env[CALICO_IPV4POOL_IPIP].value`,
		`${NODE}.env[CALICO_IPV4POOL_VXLAN].value`,
		`${NODE}.env[CALICO_IPV6POOL_VXLAN].value`,
		`${NODE}.livenessProbe.exec.command`,
		`${NODE}.readinessProbe.exec.command`,
	]));
	t.is(env(rendered)['CALICO_IPV4POOL_VXLAN'], 'Always');
	t.is(config(rendered)['calico_backend'], 'vxlan');
});

test('golden: calico IPIP', async (t) => {
	await assertGolden(t, 'calico-ipip.yaml', goldenView(renderManifests(calico()), upstream(MANIFEST_FILES.calico)));
});

test('golden: calico VXLAN cross-subnet', async (t) => {
	const rendered = renderManifests(calico({ spec: { network: { calico: { encapsulation: 'vxlan', crossSubnet: true } } } }));
	await assertGolden(t, 'calico-vxlan-crosssubnet.yaml', goldenView(rendered, upstream(MANIFEST_FILES.calicoVxlan)));
});

test('golden: calico Typha, 60 nodes', async (t) => {
	const rendered = renderManifests(calico({ spec: { hosts: manyHosts(60) } }));
	await assertGolden(t, 'calico-typha-60.yaml', goldenView(rendered, upstream(MANIFEST_FILES.calicoTypha)));
});
