import test from 'ava';
import { parseAllDocuments } from 'yaml';
import { eniOperatorTolerations } from '../../source/cluster/cilium-operator.js';
import { MANIFEST_FILES, readManifest } from '../../source/cluster/manifests.js';
import { renderManifests, type RenderedManifests } from '../../source/cluster/render.js';
import type { Cluster } from '../../source/spec/types.js';
import { validateCluster } from '../../source/spec/rules.js';
import { diffObjects } from './_diff.js';
import { clusterFixture, eniFixture } from './_fixtures.js';
import { assertGolden, goldenView } from './_golden.js';

type Obj = Record<string, unknown>;

// Parsed once for the whole file; tests only read it.
const upstream = readManifest(MANIFEST_FILES.cilium);

const CONFIG = 'ConfigMap kube-system/cilium-config';
const AGENT = 'DaemonSet kube-system/cilium';
const ENVOY = 'DaemonSet kube-system/cilium-envoy';
const OPERATOR = 'Deployment kube-system/cilium-operator';
const AGENT_POD = `${AGENT}: spec.template.spec`;
const OPERATOR_POD = `${OPERATOR}: spec.template.spec`;

function changes(cluster: Cluster): string[] {
	return diffObjects(upstream, renderManifests(cluster).documents);
}

function find(documents: readonly Obj[], kind: string, name: string): Obj {
	const found = documents.find((o) => o['kind'] === kind && (o['metadata'] as Obj)['name'] === name);
	if (!found) throw new Error(`${kind} ${name} not rendered`);
	return found;
}

function configData(rendered: RenderedManifests): Record<string, unknown> {
	return find(rendered.documents, 'ConfigMap', 'cilium-config')['data'] as Record<string, unknown>;
}

function podSpecIn(documents: readonly Obj[], kind: string, name: string): Obj {
	return ((find(documents, kind, name)['spec'] as Obj)['template'] as Obj)['spec'] as Obj;
}

function podSpecOf(rendered: RenderedManifests, kind: string, name: string): Obj {
	return podSpecIn(rendered.documents, kind, name);
}

function container(pod: Obj, name: string, list = 'containers'): Obj {
	const found = (pod[list] as Obj[]).find((c) => c['name'] === name);
	if (!found) throw new Error(`container ${name} missing`);
	return found;
}

function envOf(c: Obj): Record<string, unknown> {
	return Object.fromEntries((c['env'] as Obj[]).map((e) => [e['name'], e['value']]));
}

const sorted = (paths: string[]): string[] => [...paths].sort();

test('the fixture is a valid spec', (t) => {
	t.deepEqual(validateCluster(clusterFixture()), []);
	t.deepEqual(validateCluster(eniFixture()), []);
});

test('defaults: only the cluster name, the pod CIDR placeholder and the operator replicas change', (t) => {
	t.deepEqual(changes(clusterFixture()), sorted([
		`${CONFIG}: data.cluster-name`,
		`${CONFIG}: data.cluster-pool-ipv4-cidr`,
		`${OPERATOR}: spec.replicas`,
	]));
	const rendered = renderManifests(clusterFixture());
	t.is(configData(rendered)['cluster-pool-ipv4-cidr'], '10.244.0.0/16');
	t.is(configData(rendered)['cluster-name'], 'demo');
	t.is((find(rendered.documents, 'Deployment', 'cilium-operator')['spec'] as Obj)['replicas'], 2);
	t.false(rendered.text.includes('{{'), 'no template placeholder is left');
});

test('geneve changes the tunnel protocol only', (t) => {
	t.deepEqual(changes(clusterFixture({ spec: { network: { cilium: { tunnel: 'geneve' } } } })), sorted([
		`${CONFIG}: data.cluster-name`,
		`${CONFIG}: data.cluster-pool-ipv4-cidr`,
		`${OPERATOR}: spec.replicas`,
		`${CONFIG}: data.tunnel-protocol`,
	]));
});

test('native routing: routing-mode native, tunnel keys gone, direct routes and the native CIDR', (t) => {
	const cluster = clusterFixture({ spec: { network: { cilium: { tunnel: 'disabled', nativeRoutingCIDR: '10.0.0.0/8' } }, kubernetes: { podSubnet: '10.244.0.0/16' } } });
	t.deepEqual(validateCluster(cluster), []);
	t.deepEqual(changes(cluster), sorted([
		`${CONFIG}: data.cluster-name`,
		`${CONFIG}: data.cluster-pool-ipv4-cidr`,
		`${OPERATOR}: spec.replicas`,
		`${CONFIG}: data.routing-mode`,
		`${CONFIG}: data.tunnel-protocol`,
		`${CONFIG}: data.tunnel-source-port-range`,
		`${CONFIG}: data.auto-direct-node-routes`,
		`${CONFIG}: data.ipv4-native-routing-cidr`,
	]));
	const data = configData(renderManifests(cluster));
	t.is(data['routing-mode'], 'native');
	t.false('tunnel-protocol' in data, 'never "disabled": the key is removed (cilium/cilium#42648)');
	t.is(data['auto-direct-node-routes'], 'true');
	t.is(data['ipv4-native-routing-cidr'], '10.0.0.0/8');
	const keys = Object.keys(data);
	t.is(keys.indexOf('ipv4-native-routing-cidr'), keys.indexOf('direct-routing-skip-unreachable') + 1, 'placed beside the routing keys');
});

test('policy mode and masquerade are written as strings', (t) => {
	const cluster = clusterFixture({ spec: { network: { cilium: { enablePolicy: 'always', disableMasquerade: true } } } });
	t.deepEqual(changes(cluster), sorted([
		`${CONFIG}: data.cluster-name`,
		`${CONFIG}: data.cluster-pool-ipv4-cidr`,
		`${OPERATOR}: spec.replicas`,
		`${CONFIG}: data.enable-policy`,
		`${CONFIG}: data.enable-ipv4-masquerade`,
	]));
	const data = configData(renderManifests(cluster));
	t.is(data['enable-policy'], 'always');
	t.is(data['enable-ipv4-masquerade'], 'false');
});

for (const ipam of ['kubernetes', 'crd'] as const) {
	test(`ipam ${ipam} drops the cluster-pool keys`, (t) => {
		t.deepEqual(changes(clusterFixture({ spec: { network: { cilium: { ipam } } } })), sorted([
			`${CONFIG}: data.cluster-name`,
			`${CONFIG}: data.ipam`,
			`${CONFIG}: data.cluster-pool-ipv4-cidr`,
			`${CONFIG}: data.cluster-pool-ipv4-mask-size`,
			`${OPERATOR}: spec.replicas`,
		]));
	});
}

test('kube-proxy replacement: config keys and the API server env on the chart\'s containers', (t) => {
	const cluster = clusterFixture({ spec: { network: { cilium: { kubeProxyReplacement: true } } } });
	const env = ['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT'];
	const containers = [
		`${AGENT_POD}.containers[cilium-agent]`,
		`${AGENT_POD}.initContainers[config]`,
		`${AGENT_POD}.initContainers[clean-cilium-state]`,
		`${ENVOY}: spec.template.spec.containers[cilium-envoy]`,
		`${OPERATOR_POD}.containers[cilium-operator]`,
	];
	t.deepEqual(changes(cluster), sorted([
		`${CONFIG}: data.cluster-name`,
		`${CONFIG}: data.cluster-pool-ipv4-cidr`,
		`${OPERATOR}: spec.replicas`,
		`${CONFIG}: data.kube-proxy-replacement`,
		`${CONFIG}: data.kube-proxy-replacement-healthz-bind-address`,
		...containers.flatMap((c) => env.map((e) => `${c}.env[${e}]`)),
	]));
	const rendered = renderManifests(cluster);
	t.is(configData(rendered)['kube-proxy-replacement'], 'true');
	t.is(configData(rendered)['kube-proxy-replacement-healthz-bind-address'], '');
	const agent = podSpecOf(rendered, 'DaemonSet', 'cilium');
	for (const c of [container(agent, 'cilium-agent'), container(agent, 'config', 'initContainers'), container(podSpecOf(rendered, 'Deployment', 'cilium-operator'), 'cilium-operator')]) {
		t.is(envOf(c)['KUBERNETES_SERVICE_HOST'], '192.0.2.10');
		t.is(envOf(c)['KUBERNETES_SERVICE_PORT'], '6443');
	}
	t.false('KUBERNETES_SERVICE_HOST' in envOf(container(agent, 'mount-cgroup', 'initContainers')), 'init containers that never reach the API server are left alone');
});

test('kube-proxy replacement uses controlPlaneEndpoint when set', (t) => {
	const rendered = renderManifests(clusterFixture({ spec: { kubernetes: { controlPlaneEndpoint: 'api.example.net:8443' }, network: { cilium: { kubeProxyReplacement: true } } } }));
	const env = envOf(container(podSpecOf(rendered, 'Deployment', 'cilium-operator'), 'cilium-operator'));
	t.is(env['KUBERNETES_SERVICE_HOST'], 'api.example.net');
	t.is(env['KUBERNETES_SERVICE_PORT'], '8443');
});

test('kube-proxy replacement off adds no env and keeps "false"', (t) => {
	const rendered = renderManifests(clusterFixture());
	t.is(configData(rendered)['kube-proxy-replacement'], 'false');
	t.false(rendered.text.includes('KUBERNETES_SERVICE_HOST'));
});

test('Hubble off: enable-hubble "false", no hubble-* keys, no peer Service, no TLS volume or hostPort', (t) => {
	const cluster = clusterFixture({ spec: { network: { cilium: { hubble: false } } } });
	const hubbleKeys = Object.keys((find(upstream, 'ConfigMap', 'cilium-config')['data'] as Obj)).filter((k) => k.startsWith('hubble-'));
	t.true(hubbleKeys.length >= 7);
	t.deepEqual(changes(cluster), sorted([
		`${CONFIG}: data.cluster-name`,
		`${CONFIG}: data.cluster-pool-ipv4-cidr`,
		`${OPERATOR}: spec.replicas`,
		`${CONFIG}: data.enable-hubble`,
		...hubbleKeys.map((k) => `${CONFIG}: data.${k}`),
		'-Service kube-system/hubble-peer',
		`${AGENT_POD}.volumes[hubble-tls]`,
		`${AGENT_POD}.containers[cilium-agent].volumeMounts[hubble-tls]`,
		`${AGENT_POD}.containers[cilium-agent].ports[peer-service]`,
	]));
	const rendered = renderManifests(cluster);
	t.is(configData(rendered)['enable-hubble'], 'false');
	t.false(rendered.text.includes('hubble-server-certs'));
});

test('Hubble on keeps the peer Service, the TLS volume and TLS itself', (t) => {
	const rendered = renderManifests(clusterFixture());
	t.is(configData(rendered)['hubble-disable-tls'], 'false');
	t.notThrows(() => find(rendered.documents, 'Service', 'hubble-peer'));
	const volumes = podSpecOf(rendered, 'DaemonSet', 'cilium')['volumes'] as Obj[];
	t.truthy(volumes.find((v) => v['name'] === 'hubble-tls'));
});

test('ENI on AWS: ipam eni, endpoint routes, node resources, operator-aws on control planes', (t) => {
	const cluster = eniFixture();
	t.deepEqual(changes(cluster), sorted([
		`${CONFIG}: data.cluster-name`,
		`${CONFIG}: data.ipam`,
		`${CONFIG}: data.cluster-pool-ipv4-cidr`,
		`${CONFIG}: data.cluster-pool-ipv4-mask-size`,
		`${CONFIG}: data.routing-mode`,
		`${CONFIG}: data.tunnel-protocol`,
		`${CONFIG}: data.tunnel-source-port-range`,
		`${CONFIG}: data.enable-ipv4-masquerade`,
		`${CONFIG}: data.enable-endpoint-routes`,
		`${CONFIG}: data.auto-create-cilium-node-resource`,
		`${CONFIG}: data.ec2-api-endpoint`,
		`${CONFIG}: data.eni-tags`,
		`${OPERATOR}: spec.strategy.rollingUpdate.maxUnavailable`,
		`${OPERATOR_POD}.containers[cilium-operator].image`,
		`${OPERATOR_POD}.containers[cilium-operator].command`,
		`${OPERATOR_POD}.nodeSelector.node-role.kubernetes.io/control-plane`,
		`${OPERATOR_POD}.tolerations`,
	]));
	const rendered = renderManifests(cluster);
	const data = configData(rendered);
	t.is(data['ipam'], 'eni');
	t.is(data['enable-endpoint-routes'], 'true');
	t.is(data['auto-create-cilium-node-resource'], 'true');
	t.is(data['routing-mode'], 'native');
	t.is(data['enable-ipv4-masquerade'], 'false');
	t.is(data['auto-direct-node-routes'], 'false', 'the VPC routes pod addresses in ENI mode');
	t.is(data['eni-tags'], '{}');
	t.is(data['ec2-api-endpoint'], '');
	for (const key of ['subnet-ids-filter', 'subnet-tags-filter', 'instance-tags-filter']) t.false(key in data, `${key} is only written by the chart when set`);

	const deployment = find(rendered.documents, 'Deployment', 'cilium-operator');
	t.is((deployment['spec'] as Obj)['replicas'], 1, 'one control plane before discovery');
	const pod = podSpecOf(rendered, 'Deployment', 'cilium-operator');
	const operator = container(pod, 'cilium-operator');
	t.is(operator['image'], 'quay.io/cilium/operator-aws:v1.20.1@sha256:7cf0cb0e6584f72ca8de951a1be03829f69fcaeba69dc6c7856fc4470545acd7');
	t.deepEqual(operator['command'], ['cilium-operator-aws']);
	t.deepEqual(pod['nodeSelector'], { 'kubernetes.io/os': 'linux', 'node-role.kubernetes.io/control-plane': '' });
	const upstreamTolerations = podSpecIn(upstream, 'Deployment', 'cilium-operator')['tolerations'] as Obj[];
	t.deepEqual(pod['tolerations'], eniOperatorTolerations(upstreamTolerations));
	t.is((pod['tolerations'] as Obj[]).length, upstreamTolerations.length + 1, 'upstream\'s list plus the unreachable entry');
});

/** Whether `tolerations` tolerate a taint, and for how long (Infinity = forever), per Kubernetes' rules. */
function tolerated(tolerations: readonly Obj[], taint: { key: string; effect: string }): number | undefined {
	const matching = tolerations.filter((t) => (t['key'] === undefined || t['key'] === taint.key) && (t['effect'] === undefined || t['effect'] === taint.effect) && (t['operator'] === 'Exists' || t['operator'] === undefined));
	if (matching.length === 0) return undefined;
	if (taint.effect !== 'NoExecute') return Infinity;
	return Math.min(...matching.map((t) => (typeof t['tolerationSeconds'] === 'number' ? t['tolerationSeconds'] : Infinity)));
}

test('ENI operator tolerations: the seed\'s control-plane and unreachable taints, and not-ready without eviction', (t) => {
	const pod = podSpecOf(renderManifests(eniFixture()), 'Deployment', 'cilium-operator');
	const tolerations = pod['tolerations'] as Obj[];
	t.is(tolerated(tolerations, { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }), Infinity);
	t.is(tolerated(tolerations, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }), 300);
	t.is(tolerated(tolerations, { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }), Infinity, 'schedules before the CNI makes the node Ready');
	t.is(tolerated(tolerations, { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }), Infinity, 'not evicted during a slow ENI bootstrap');
	t.is(tolerated(tolerations, { key: 'node.cilium.io/agent-not-ready', effect: 'NoSchedule' }), Infinity);
});

test('ENI with discovered hosts: two operator replicas for three control planes', (t) => {
	const cluster = eniFixture();
	// As instance discovery will fill them in.
	cluster.spec.hosts = [
		{ address: '198.51.100.1', privateAddress: '10.1.0.1', role: 'control-plane' },
		{ address: '198.51.100.2', privateAddress: '10.1.0.2', role: 'control-plane' },
		{ address: '198.51.100.3', privateAddress: '10.1.0.3', role: 'control-plane' },
		{ address: '198.51.100.4', privateAddress: '10.1.0.4', role: 'worker' },
	];
	const rendered = renderManifests(cluster);
	const spec = find(rendered.documents, 'Deployment', 'cilium-operator')['spec'] as Obj;
	t.is(spec['replicas'], 2);
	t.is(((spec['strategy'] as Obj)['rollingUpdate'] as Obj)['maxUnavailable'], '50%', 'upstream strategy kept for two replicas');
});

test('a single node runs one operator replica with the chart\'s one-replica update strategy', (t) => {
	const cluster = clusterFixture({ spec: { hosts: [{ address: '192.0.2.10', role: 'control-plane' }] } });
	t.deepEqual(changes(cluster), sorted([
		`${CONFIG}: data.cluster-name`,
		`${CONFIG}: data.cluster-pool-ipv4-cidr`,
		`${OPERATOR}: spec.strategy.rollingUpdate.maxUnavailable`,
	]));
});

test('every cilium-config value is a string in every mode', (t) => {
	for (const cluster of [clusterFixture(), eniFixture(), clusterFixture({ spec: { network: { cilium: { kubeProxyReplacement: true, hubble: false, tunnel: 'disabled', nativeRoutingCIDR: '10.0.0.0/8' } } } })]) {
		for (const [key, value] of Object.entries(configData(renderManifests(cluster)))) t.is(typeof value, 'string', key);
	}
});

test('Hubble TLS Secrets are included only when given, before the ConfigMaps', (t) => {
	const hubbleTls = { caCert: 'CA CERT\n', caKey: 'CA KEY\n', serverCert: 'SERVER CERT\n', serverKey: 'SERVER KEY\n' };
	const without = renderManifests(clusterFixture());
	t.false(without.documents.some((o) => o['kind'] === 'Secret'));
	t.regex(without.text, /^# The Hubble TLS Secrets cilium-ca and hubble-server-certs are not printed: kubestrap install generates them\.$/m);

	const withTls = renderManifests(clusterFixture(), { hubbleTls });
	t.deepEqual(diffObjects(without.documents, withTls.documents), ['+Secret kube-system/cilium-ca', '+Secret kube-system/hubble-server-certs']);
	const kinds = withTls.documents.map((o) => o['kind']);
	t.true(kinds.indexOf('Secret') < kinds.indexOf('ConfigMap'));
	t.true(kinds.lastIndexOf('ServiceAccount') < kinds.indexOf('Secret'));
	t.regex(withTls.text, /^# Includes the Hubble TLS Secrets cilium-ca and hubble-server-certs generated for this install\.$/m);

	const off = renderManifests(clusterFixture({ spec: { network: { cilium: { hubble: false } } } }), { hubbleTls });
	t.false(off.documents.some((o) => o['kind'] === 'Secret'), 'no Secrets when Hubble is off');
	t.false(off.text.includes('Hubble TLS'));
});

test('the same spec renders byte-identical text', (t) => {
	const cluster = eniFixture();
	t.is(renderManifests(cluster).text, renderManifests(structuredClone(cluster)).text);
});

test('the text reads back as the same objects under YAML 1.1 (kubectl), octal file modes included', (t) => {
	const rendered = renderManifests(clusterFixture({ spec: { network: { cilium: { kubeProxyReplacement: true } } } }));
	const back = parseAllDocuments(rendered.text, { version: '1.1' }).map((d) => d.toJS() as unknown);
	t.deepEqual(back, rendered.documents);
	const volumes = podSpecOf(rendered, 'DaemonSet', 'cilium')['volumes'] as Obj[];
	const hubbleTls = volumes.find((v) => v['name'] === 'hubble-tls')?.['projected'] as Obj;
	t.is(hubbleTls['defaultMode'], 0o400, 'upstream `0400` is octal: 256, printed as 256');
	t.regex(rendered.text, /defaultMode: 256$/m);
	t.regex(rendered.text, /^# kubestrap: Cilium 1\.20\.1 CNI manifests for cluster "demo"\n# Edited from the pinned upstream manifests\/cilium\/cilium-1\.20\.1\.yaml/);
});

test('golden: cilium default', async (t) => {
	await assertGolden(t, 'cilium-default.yaml', goldenView(renderManifests(clusterFixture()), upstream));
});

test('golden: cilium ENI on AWS', async (t) => {
	await assertGolden(t, 'cilium-eni-aws.yaml', goldenView(renderManifests(eniFixture()), upstream));
});

test('golden: cilium native routing with kube-proxy replacement', async (t) => {
	const cluster = clusterFixture({
		spec: {
			hosts: [
				{ address: '192.0.2.10', privateAddress: '10.0.0.10', role: 'control-plane' },
				{ address: '192.0.2.11', privateAddress: '10.0.0.11', role: 'worker' },
			],
			network: { cilium: { tunnel: 'disabled', nativeRoutingCIDR: '10.244.0.0/16', kubeProxyReplacement: true } },
		},
	});
	t.deepEqual(validateCluster(cluster), []);
	await assertGolden(t, 'cilium-native-kpr.yaml', goldenView(renderManifests(cluster), upstream));
});

test('golden: cilium Hubble off', async (t) => {
	await assertGolden(t, 'cilium-hubble-off.yaml', goldenView(renderManifests(clusterFixture({ spec: { network: { cilium: { hubble: false } } } })), upstream));
});
