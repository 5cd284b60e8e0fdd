// Spec values that bypassed validation (shell and YAML metacharacters, line breaks, template
// markers) must never change the structure of the rendered stream: same objects, each value one
// scalar where it was put, nothing a YAML 1.1 reader (kubectl) would read as a line break.
import assert from 'node:assert/strict';
import test from 'ava';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { renderManifests, type RenderedManifests } from '../../source/cluster/render.js';
import type { Cluster } from '../../source/spec/types.js';
import { objectId } from './_diff.js';
import { clusterFixture } from './_fixtures.js';

type Obj = Record<string, unknown>;

const FRAGMENTS = [
	'\n', '\r\n', '\r', '\t', ': ', ':', '- ', '? ', '#', ' #', '---', '...', '{{', '}}', '{{ .PodSubnet }}', '%YAML 1.1',
	'$(reboot)', '`id`', ';', '&&', '|', '>', '&a', '*a', '!!binary', '<<', "'", '"', '\\', '[', ']', '{', '}', ',', '@',
	'on', 'yes', 'null', '~', '0400', '1:20', '2001-12-14', '\u2028', '\u2029', '\u0085', '\ufeff', '\u0000', '\u001b', '\u00a0', 'é', '😀',
];

const hostile = fc.oneof(
	fc.constantFrom(...FRAGMENTS),
	fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 8 }).map((parts) => parts.join('')),
	fc.string({ unit: 'binary', maxLength: 12 }),
);

// Characters a YAML 1.1 reader treats as line breaks or refuses; they must only appear escaped.
const UNSAFE = /[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;

function shape(documents: readonly Obj[]): string[] {
	return documents.map(objectId);
}

function readBack(rendered: RenderedManifests): Obj[] {
	const documents = parseAllDocuments(rendered.text, { version: '1.1' });
	for (const d of documents) if (d.errors.length > 0) throw d.errors[0];
	return documents.map((d) => d.toJS() as Obj);
}

function headerIsComment(text: string): boolean {
	const head = text.slice(0, text.indexOf('---\n'));
	return head.split('\n').filter((line) => line !== '').every((line) => line.startsWith('# '));
}

function find(documents: readonly Obj[], kind: string, name: string): Obj {
	return documents.find((o) => o['kind'] === kind && (o['metadata'] as Obj)['name'] === name) as Obj;
}

function hostileCilium(name: string, podSubnet: string, endpoint: string, address: string): Cluster {
	return clusterFixture({
		metadata: { name },
		spec: {
			hosts: [
				{ address, privateAddress: address, role: 'control-plane' },
				{ address: '192.0.2.11', role: 'worker' },
			],
			kubernetes: { podSubnet, controlPlaneEndpoint: endpoint },
			network: { cilium: { kubeProxyReplacement: true } },
		},
	});
}

test('Cilium: hostile strings stay single scalars and never change the objects', (t) => {
	const baseline = shape(renderManifests(clusterFixture({ spec: { network: { cilium: { kubeProxyReplacement: true } } } })).documents);
	fc.assert(
		fc.property(hostile, hostile, hostile, hostile, (name, podSubnet, endpoint, address) => {
			const rendered = renderManifests(hostileCilium(name, podSubnet, endpoint, address));
			assert.ok(!UNSAFE.test(rendered.text), 'unescaped line-break or non-printable character');
			assert.ok(headerIsComment(rendered.text), 'header is not all comment lines');
			const back = readBack(rendered);
			assert.deepEqual(shape(back), baseline);
			assert.deepEqual(back, rendered.documents);
			const data = find(back, 'ConfigMap', 'cilium-config')['data'] as Obj;
			assert.equal(data['cluster-name'], name);
			assert.equal(data['cluster-pool-ipv4-cidr'], podSubnet);
		}),
		{ numRuns: 30 },
	);
	t.pass();
});

test('Cilium native routing: a hostile nativeRoutingCIDR is one scalar', (t) => {
	fc.assert(
		// An empty nativeRoutingCIDR means "not set": the key is left out.
		fc.property(hostile.filter((s) => s !== ''), (cidr) => {
			const cluster = clusterFixture({ spec: { network: { cilium: { tunnel: 'disabled', nativeRoutingCIDR: cidr } } } });
			const rendered = renderManifests(cluster);
			assert.ok(!UNSAFE.test(rendered.text), 'unescaped line-break or non-printable character');
			const back = readBack(rendered);
			assert.equal(back.length, rendered.documents.length);
			assert.equal((find(back, 'ConfigMap', 'cilium-config')['data'] as Obj)['ipv4-native-routing-cidr'], cidr);
		}),
		{ numRuns: 15 },
	);
	t.pass();
});

test('Calico: hostile strings stay single scalars and never change the objects', (t) => {
	const benign = clusterFixture();
	benign.spec.network.cni = 'calico';
	const baseline = shape(renderManifests(benign).documents);
	fc.assert(
		fc.property(hostile, hostile, (name, podSubnet) => {
			const cluster = clusterFixture({ metadata: { name }, spec: { kubernetes: { podSubnet } } });
			cluster.spec.network.cni = 'calico';
			const rendered = renderManifests(cluster);
			assert.ok(!UNSAFE.test(rendered.text), 'unescaped line-break or non-printable character');
			assert.ok(headerIsComment(rendered.text), 'header is not all comment lines');
			const back = readBack(rendered);
			assert.deepEqual(shape(back), baseline);
			const ds = find(back, 'DaemonSet', 'calico-node');
			const pod = ((ds['spec'] as Obj)['template'] as Obj)['spec'] as Obj;
			const env = ((pod['containers'] as Obj[])[0]?.['env'] as Obj[]).filter((e) => e['name'] === 'CALICO_IPV4POOL_CIDR');
			assert.deepEqual(env, [{ name: 'CALICO_IPV4POOL_CIDR', value: podSubnet }]);
		}),
		// Each Calico render prints and re-reads ~330 KB; a few runs keep the suite fast.
		{ numRuns: 8, examples: [['x\n---\nkind: Secret', '10.0.0.0/8\n  - name: EVIL\n    value: 1'], ['\u2028a: b', '{{ .PodSubnet }}']] },
	);
	t.pass();
});
