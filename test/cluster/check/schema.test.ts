// Every object kubestrap renders or creates, validated against the Kubernetes API schema (1.34, the oldest
// supported minor; see test/_helpers/k8s-schema.ts) and, for custom resources, their CRD's schema: the CNI
// manifests of every example and of each CNI option, and the network check's objects.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { parseAllDocuments } from 'yaml';
import { clientPod, echoDaemonSet, echoService, leaseObject, namespaceObject } from '../../../source/cluster/check/objects.js';
import { planProbes } from '../../../source/cluster/check/plan.js';
import { seededRandom } from '../../../source/cluster/check/pairs.js';
import { renderManifests } from '../../../source/cluster/render.js';
import { resolveSpec } from '../../../source/spec/resolve.js';
import type { Cluster } from '../../../source/spec/types.js';
import { validateObjects } from '../../_helpers/k8s-schema.js';
import { clusterFixture, type DeepPartial } from '../_fixtures.js';
import { ROOT } from '../../e2e/_install.js';

type Obj = Record<string, unknown>;

function documents(text: string): Obj[] {
	return parseAllDocuments(text).map((d) => d.toJS() as Obj).filter((d) => d !== null && typeof d === 'object');
}

async function assertValid(t: import('ava').ExecutionContext, objects: Obj[], what: string): Promise<void> {
	const result = await validateObjects(objects);
	t.deepEqual(result.problems, [], what);
}

test('the validator refuses unknown fields, wrong types, missing fields and kinds the API does not have', async (t) => {
	const ds = echoDaemonSet('ns') as { spec: { template: { spec: { containers: Obj[] } } } };
	const typo = structuredClone(ds);
	(typo.spec.template.spec.containers[0] as Obj)['imagePullPolcy'] = 'Always';
	const wrong = structuredClone(ds);
	(wrong.spec.template.spec.containers[0] as Obj)['ports'] = [{ containerPort: '8080' }];
	const missing = structuredClone(ds) as { spec: Obj };
	delete missing.spec['selector'];
	const result = await validateObjects([typo, wrong, missing, { apiVersion: 'apps/v1', kind: 'Daemonset', metadata: { name: 'x' } }]);
	t.deepEqual(result.problems.map((p) => p.replace(/:.*?(unknown field|must be|no schema|must have).*/, ': $1')), ['DaemonSet/echo: unknown field', 'DaemonSet/echo: must be', 'DaemonSet/echo: must have', 'Daemonset/x: no schema']);
});

test('the network check\'s objects', async (t) => {
	const nodes = [{ name: 'cp-1', address: '10.0.0.1' }, { name: 'w-1', address: '10.0.0.2' }];
	const plan = planProbes({ namespace: 'kubestrap-check-abc123', nodes, echoIps: new Map([['cp-1', '10.244.0.5'], ['w-1', '10.244.1.5']]), clusterIp: '10.96.0.20', nodePort: 31000, external: 'example.com' }, seededRandom(1));
	await assertValid(t, [
		namespaceObject('kubestrap-check-abc123'),
		leaseObject('kubestrap-check-abc123', 'kubestrap-check/x', new Date('2026-01-01T00:00:00Z'), 240),
		echoDaemonSet('kubestrap-check-abc123'),
		echoService('kubestrap-check-abc123', true),
		echoService('kubestrap-check-abc123', false),
		...plan.flatMap((p) => [clientPod('kubestrap-check-abc123', p.node, p.pod, false, 120), clientPod('kubestrap-check-abc123', p.node, p.host, true, 120)]),
	], 'check objects');
});

const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.yaml'));

for (const file of examples) {
	test(`CNI manifests of examples/${file}`, async (t) => {
		const resolved = resolveSpec({ file: { content: readFileSync(join(ROOT, 'examples', file), 'utf8'), name: file } });
		if (!resolved.ok) return t.fail(JSON.stringify(resolved.problems));
		let cluster = resolved.cluster;
		if (cluster.spec.hosts.length === 0) cluster = { ...cluster, spec: { ...cluster.spec, hosts: [{ address: '10.0.0.10', role: 'control-plane' }, { address: '10.0.0.11', role: 'worker' }] } };
		const objects = documents(renderManifests(cluster).text);
		t.true(objects.length > 10);
		await assertValid(t, objects, file);
	});
}

const options: Array<[string, DeepPartial<Cluster['spec']>]> = [
	['cilium vxlan', { network: { cni: 'cilium', cilium: { tunnel: 'vxlan' } } }],
	['cilium geneve, policy always, no hubble', { network: { cni: 'cilium', cilium: { tunnel: 'geneve', enablePolicy: 'always', hubble: false } } }],
	['cilium native routing, kube-proxy replacement', { kubernetes: { controlPlaneEndpoint: '10.0.0.10:6443' }, network: { cni: 'cilium', cilium: { tunnel: 'disabled', nativeRoutingCIDR: '10.244.0.0/16', kubeProxyReplacement: true } } }],
	['cilium ipam kubernetes, masquerade off', { network: { cni: 'cilium', cilium: { ipam: 'kubernetes', disableMasquerade: true } } }],
	['cilium eni', { target: 'aws', network: { cni: 'cilium', cilium: { ipam: 'eni', tunnel: 'disabled', disableMasquerade: true } } }],
	['calico ipip', { network: { cni: 'calico', calico: { encapsulation: 'ipip' } } }],
	['calico ipip cross-subnet, mtu 1400', { network: { cni: 'calico', calico: { encapsulation: 'ipip', crossSubnet: true, mtu: 1400 } } }],
	['calico vxlan', { network: { cni: 'calico', calico: { encapsulation: 'vxlan' } } }],
	['calico none', { network: { cni: 'calico', calico: { encapsulation: 'none' } } }],
];

for (const [name, spec] of options) {
	test(`CNI manifests: ${name}`, async (t) => {
		const cluster = clusterFixture({ spec });
		await assertValid(t, documents(renderManifests(cluster).text), name);
	});
}

test('CNI manifests: calico with Typha (more than 50 nodes)', async (t) => {
	const hosts = Array.from({ length: 60 }, (_, i) => ({ address: `10.0.${Math.floor(i / 200)}.${(i % 200) + 10}`, role: i === 0 ? 'control-plane' as const : 'worker' as const }));
	const cluster = clusterFixture({ spec: { hosts, network: { cni: 'calico' } } });
	const objects = documents(renderManifests(cluster).text);
	t.true(objects.some((o) => (o['metadata'] as Obj)['name'] === 'calico-typha'));
	await assertValid(t, objects, 'typha');
});
