// Which CNI, which release and which datapath, from the agent DaemonSet and cilium-config.
import test from 'ava';
import { cniInfo, parseSnapshot, releaseOf, SnapshotError } from '../../../source/cluster/health/index.js';
import { renderManifests } from '../../../source/cluster/render.js';
import { CALICO_VERSION, CILIUM_VERSION } from '../../../source/spec/versions.js';
import { clusterFixture } from '../_fixtures.js';
import { fixtureList, fixtureText } from './_fixtures.js';

function configMap(data: Record<string, string>): string {
	return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' }, data });
}

test('releaseOf reads the tag of an image reference', (t) => {
	const table: Array<[string, string | undefined]> = [
		['quay.io/cilium/cilium:v1.20.1@sha256:ae9ea21f7427fe24bc6ea7247eb552157a1b0a431744045d3f641545ca71d11b', '1.20.1'],
		['quay.io/calico/node:v3.32.1', '3.32.1'],
		['localhost:5000/cilium/cilium:v1.19.5', '1.19.5'],
		['localhost:5000/cilium/cilium', undefined],
		['quay.io/cilium/cilium@sha256:ae9ea21f', undefined],
		['registry.example/cilium:latest', 'latest'],
	];
	for (const [image, release] of table) t.is(releaseOf(image), release, image);
});

test('a healthy Cilium cluster: release and datapath from cilium-config', (t) => {
	const snapshot = parseSnapshot(fixtureText('cilium-healthy.json'));
	t.deepEqual(cniInfo(snapshot, fixtureText('cilium-config.json')), {
		cni: 'cilium',
		release: '1.20.1',
		datapath: { ipam: 'cluster-pool', routing: 'tunnel vxlan', kubeProxyReplacement: 'false' },
	});
	t.deepEqual(cniInfo(snapshot, ''), { cni: 'cilium', release: '1.20.1', datapath: {} }, 'without the ConfigMap');
	t.throws(() => cniInfo(snapshot, 'Error from server (Forbidden)'), { instanceOf: SnapshotError });
});

test('Cilium datapath variants', (t) => {
	const snapshot = parseSnapshot(fixtureText('cilium-healthy.json'));
	const table: Array<[Record<string, string>, Record<string, string>]> = [
		[{ ipam: 'eni', 'routing-mode': 'native', 'kube-proxy-replacement': 'true' }, { ipam: 'eni', routing: 'native', kubeProxyReplacement: 'true' }],
		[{ ipam: 'kubernetes', 'routing-mode': 'tunnel', 'tunnel-protocol': 'geneve' }, { ipam: 'kubernetes', routing: 'tunnel geneve' }],
		[{ 'routing-mode': 'native', 'ipv4-native-routing-cidr': '10.244.0.0/16' }, { routing: 'native', nativeRoutingCIDR: '10.244.0.0/16' }],
		// before Cilium 1.14 a single "tunnel" key
		[{ tunnel: 'disabled' }, { routing: 'native' }],
		[{ tunnel: 'geneve' }, { routing: 'tunnel geneve' }],
	];
	for (const [data, datapath] of table) t.deepEqual(cniInfo(snapshot, configMap(data)).datapath, datapath, JSON.stringify(data));
});

test('a healthy Calico cluster: encapsulation from the calico-node environment kubestrap renders', (t) => {
	t.deepEqual(cniInfo(parseSnapshot(fixtureText('calico-healthy.json')), ''), { cni: 'calico', release: '3.32.1', datapath: { encapsulation: 'ipip', crossSubnet: 'true' } });
});

test('Calico encapsulation variants', (t) => {
	const table: Array<[Record<string, string | undefined>, Record<string, string>]> = [
		[{ CALICO_IPV4POOL_IPIP: 'Always', CALICO_IPV4POOL_VXLAN: 'Never' }, { encapsulation: 'ipip', crossSubnet: 'false' }],
		[{ CALICO_IPV4POOL_IPIP: 'Never', CALICO_IPV4POOL_VXLAN: 'CrossSubnet' }, { encapsulation: 'vxlan', crossSubnet: 'true' }],
		[{ CALICO_IPV4POOL_IPIP: 'Off', CALICO_IPV4POOL_VXLAN: 'Always' }, { encapsulation: 'vxlan', crossSubnet: 'false' }],
		[{ CALICO_IPV4POOL_IPIP: 'Never', CALICO_IPV4POOL_VXLAN: 'Never' }, { encapsulation: 'none', crossSubnet: 'false' }],
		[{}, { encapsulation: 'none', crossSubnet: 'false' }],
	];
	for (const [env, datapath] of table) {
		const list = fixtureList('calico-healthy');
		const ds = list.items.find((item) => item['kind'] === 'DaemonSet' && item['metadata']?.name === 'calico-node');
		const container = ds?.['spec'].template.spec.containers[0];
		container.env = container.env.filter((e: { name: string }) => !e.name.startsWith('CALICO_IPV4POOL_')).concat(Object.entries(env).map(([name, value]) => ({ name, value })));
		t.deepEqual(cniInfo(parseSnapshot(JSON.stringify(list)), '').datapath, datapath, JSON.stringify(env));
	}
});

test('no agent DaemonSet: no CNI', (t) => {
	const list = fixtureList('cilium-healthy');
	list.items = list.items.filter((item) => item['kind'] !== 'DaemonSet');
	t.deepEqual(cniInfo(parseSnapshot(JSON.stringify(list)), fixtureText('cilium-config.json')), { cni: 'none', datapath: {} });
});

test('cniInfo reads back what kubestrap renders for each CNI option', (t) => {
	// The rendered objects, as the API server would list them back.
	const listOf = (documents: ReadonlyArray<Record<string, unknown>>, kind: string): string =>
		JSON.stringify({ apiVersion: 'v1', kind: 'List', items: documents.filter((d) => d['kind'] === kind) });
	const calico: Array<[Parameters<typeof clusterFixture>[0], Record<string, string>]> = [
		[{ spec: { network: { cni: 'calico', calico: { encapsulation: 'ipip', crossSubnet: false } } } }, { encapsulation: 'ipip', crossSubnet: 'false' }],
		[{ spec: { network: { cni: 'calico', calico: { encapsulation: 'vxlan', crossSubnet: true } } } }, { encapsulation: 'vxlan', crossSubnet: 'true' }],
		[{ spec: { network: { cni: 'calico', calico: { encapsulation: 'none', crossSubnet: false } } } }, { encapsulation: 'none', crossSubnet: 'false' }],
	];
	for (const [overrides, datapath] of calico) {
		const { documents } = renderManifests(clusterFixture(overrides));
		t.deepEqual(cniInfo(parseSnapshot(listOf(documents, 'DaemonSet')), ''), { cni: 'calico', release: CALICO_VERSION, datapath }, JSON.stringify(overrides));
	}
	const cilium: Array<[Parameters<typeof clusterFixture>[0], Record<string, string>]> = [
		[{}, { ipam: 'cluster-pool', routing: 'tunnel vxlan', kubeProxyReplacement: 'false' }],
		[{ spec: { network: { cilium: { tunnel: 'geneve', ipam: 'kubernetes' } } } }, { ipam: 'kubernetes', routing: 'tunnel geneve', kubeProxyReplacement: 'false' }],
		[
			{ spec: { kubernetes: { controlPlaneEndpoint: '10.0.0.10:6443' }, network: { cilium: { tunnel: 'disabled', nativeRoutingCIDR: '10.244.0.0/16', kubeProxyReplacement: true } } } },
			{ ipam: 'cluster-pool', routing: 'native', kubeProxyReplacement: 'true', nativeRoutingCIDR: '10.244.0.0/16' },
		],
	];
	for (const [overrides, datapath] of cilium) {
		const { documents } = renderManifests(clusterFixture(overrides));
		const config = documents.find((d) => d['kind'] === 'ConfigMap' && (d['metadata'] as { name?: string }).name === 'cilium-config');
		t.deepEqual(cniInfo(parseSnapshot(listOf(documents, 'DaemonSet')), JSON.stringify(config)), { cni: 'cilium', release: CILIUM_VERSION, datapath }, JSON.stringify(overrides));
	}
});
