// Every object kubestrap renders or creates, validated against the Kubernetes API schema and, for
// custom resources, their CRD's schema: the CNI manifests of every example and of each CNI option (with
// Hubble's TLS Secrets), the default IPPool calico-node creates from the values kubestrap sets, and the
// network check's objects. Types, enums and required fields are checked against the newest minor on npm
// (test/_helpers/k8s-schema.ts reads which one from the installed packages; a supported minor newer than
// them fails the first test); unknown fields and kinds against every supported minor, the older ones from
// the field tables in test/_helpers/k8s-fields/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { parseAllDocuments } from 'yaml';
import { clientPod, echoDaemonSet, echoService, leaseObject, namespaceObject } from '../../../source/cluster/check/objects.js';
import { planProbes } from '../../../source/cluster/check/plan.js';
import { seededRandom } from '../../../source/cluster/check/pairs.js';
import { renderManifests } from '../../../source/cluster/render.js';
import { generateHubbleTls } from '../../../source/cluster/hubble-tls.js';
import { resolveSpec } from '../../../source/spec/resolve.js';
import { KUBERNETES_MINORS } from '../../../source/spec/versions.js';
import type { Cluster } from '../../../source/spec/types.js';
import { apiSchemaSources, fieldTable, fieldTableMinors, minorsBehind, schemaMinor, validateFieldsAt, validateObjects } from '../../_helpers/k8s-schema.js';
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

// The minors the pinned CNI releases are tested on: every one a new cluster may get, or be upgraded to.
const SUPPORTED = KUBERNETES_MINORS.filter((m) => m.cnis.length === 2).map((m) => m.minor);

test('the API schemas cover every supported Kubernetes minor (source/spec/versions.ts)', (t) => {
	const sources = apiSchemaSources();
	const minor = schemaMinor(sources);
	const behind = minorsBehind(SUPPORTED, minor);
	t.deepEqual(behind, [], `the Kubernetes API schemas are ${minor} (${sources.map((s) => `${s.name}@${s.version}: ${s.kubernetes ?? '?'}`).join(', ')}) but source/spec/versions.ts supports ${behind.join(', ')}: update kubernetes-models and @kubernetes/client-node to releases generated from ${behind.at(-1) ?? ''} (and KUBERNETES_MODELS_MINOR in test/_helpers/k8s-schema.ts)`);
	t.log(`API schemas: Kubernetes ${minor}, for the supported minors ${SUPPORTED.join(', ')}`);
});

test('every supported minor has its own field table, or is the packages\' minor', (t) => {
	const own = new Set([...fieldTableMinors(), schemaMinor()]);
	t.deepEqual(SUPPORTED.filter((m) => !own.has(m)), [], 'make its table with test/_helpers/k8s-fields/generate.ts');
	for (const minor of fieldTableMinors()) {
		const table = fieldTable(minor);
		t.is(table.minor, minor);
		t.regex(table.source.openapi, new RegExp(`^(v|release-)${minor.replace('.', '\\.')}`), `${minor}.json is generated from ${table.source.openapi}`);
	}
});

test('the coverage check fails when the table moves past the schemas, or a schema package is of an unknown minor', (t) => {
	t.deepEqual(minorsBehind(['1.35', '1.36', '1.37'], '1.36'), ['1.37']);
	t.deepEqual(minorsBehind(['1.35', '1.36'], '1.36'), []);
	t.deepEqual(minorsBehind(['1.9', '1.10'], '1.9'), ['1.10'], 'minors compare as numbers');
	t.is(schemaMinor([{ name: 'a', version: '1', kubernetes: '1.36' }, { name: 'b', version: '2', kubernetes: '1.35' }]), '1.35', 'the oldest source is what is covered');
	t.throws(() => schemaMinor([{ name: 'kubernetes-models', version: '6.0.0', kubernetes: undefined }]), { message: /kubernetes-models@6\.0\.0 is not known/ });
});

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

function calicoCrds(): Obj[] {
	return documents(renderManifests(clusterFixture({ spec: { network: { cni: 'calico' } } })).text).filter((o) => o['kind'] === 'CustomResourceDefinition');
}

test('custom resources: refused when malformed, against the CRD schema of the pinned Calico manifest', async (t) => {
	const crds = calicoCrds();
	t.is(crds.length, 23);
	const pool = { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'p' }, spec: { cidr: '10.244.0.0/16', ipipMode: 'Always', vxlanMode: 'Never', natOutgoing: true, blockSize: 26, nodeSelector: 'all()' } };
	const good = await validateObjects([pool], crds);
	t.deepEqual(good.problems, []);
	t.is(good.custom, 1);
	const cases: Array<[string, Obj, RegExp]> = [
		['enum', { ...pool, spec: { ...pool.spec, ipipMode: 'always' } }, /IPPool\/p: \/spec\/ipipMode must be equal to one of the allowed values/],
		['type', { ...pool, spec: { ...pool.spec, blockSize: '26' } }, /IPPool\/p: \/spec\/blockSize must be integer/],
		['required', { ...pool, spec: { ipipMode: 'Always' } }, /IPPool\/p: \/spec must have required property 'cidr'/],
		['format', { ...pool, spec: { ...pool.spec, cidr: '10.244.0.0' } }, /IPPool\/p: \/spec\/cidr must match format "cidr"/],
		['unknown field', { ...pool, spec: { ...pool.spec, ipipmode: 'Always' } }, /IPPool\/p: spec\.ipipmode: unknown field/],
		['version', { ...pool, apiVersion: 'crd.projectcalico.org/v2' }, /IPPool\/p: version crd\.projectcalico\.org\/v2 is not served by its CRD/],
	];
	for (const [what, object, expected] of cases) {
		const result = await validateObjects([object], crds);
		t.regex(result.problems.join('\n'), expected, what);
	}
});

test('CRDs: validated against apiextensions.k8s.io/v1 and the API server\'s CRD rules; a broken one is refused', async (t) => {
	const crds = calicoCrds();
	t.deepEqual((await validateObjects(crds)).problems, [], 'the pinned CRDs');
	const ippools = crds.find((c) => (c['metadata'] as Obj)['name'] === 'ippools.crd.projectcalico.org') as Obj;
	type Crd = { metadata: { name: string }; spec: { versions: Array<Obj & { schema: { openAPIV3Schema: { properties: { spec: { properties: Record<string, Obj> } } } } }>; names: Obj } };
	const broken = structuredClone(ippools) as unknown as Crd;
	const specProps = broken.spec.versions[0]!.schema.openAPIV3Schema.properties.spec.properties;
	delete specProps['cidr']!['type'];
	specProps['blockSize']!['type'] = 5;
	broken.spec.versions[0]!['storage'] = false;
	broken.metadata.name = 'ippool.crd.projectcalico.org';
	(broken.spec as unknown as Obj)['scop'] = 'Cluster';
	const problems = (await validateObjects([broken as unknown as Obj])).problems.join('\n');
	t.regex(problems, /CustomResourceDefinition\/ippool\.crd\.projectcalico\.org: spec\.scop: unknown field/);
	t.regex(problems, /spec\.versions\[v1\]\.schema\.openAPIV3Schema\.properties\.spec\.properties\.cidr: type is required in a structural schema/);
	t.regex(problems, /blockSize/);
	t.regex(problems, /exactly one version must be the storage version/);
	t.regex(problems, /metadata\.name: must be spec\.names\.plural \+ "\." \+ spec\.group \(ippools\.crd\.projectcalico\.org\)/);
});

/**
 * The IPPool calico-node creates at its first start from the CALICO_IPV4POOL_* variables kubestrap sets
 * (Calico's "Configuring calico/node": CIDR, IPIP and VXLAN modes Always | CrossSubnet | Never, NAT
 * outgoing, block size 26, node selector all()): kubestrap creates it through calico-node, so it is
 * validated like an object kubestrap applies.
 */
function defaultPool(objects: readonly Obj[]): Obj {
	const ds = objects.find((o) => o['kind'] === 'DaemonSet' && (o['metadata'] as Obj)['name'] === 'calico-node') as { spec: { template: { spec: { containers: Array<{ name: string; env?: Array<{ name: string; value?: string }> }> } } } };
	const env = new Map((ds.spec.template.spec.containers.find((c) => c.name === 'calico-node')?.env ?? []).map((e) => [e.name, e.value]));
	const value = (name: string, fallback: string): string => env.get(name) ?? fallback;
	return {
		apiVersion: 'crd.projectcalico.org/v1',
		kind: 'IPPool',
		metadata: { name: 'default-ipv4-ippool' },
		spec: {
			cidr: value('CALICO_IPV4POOL_CIDR', '192.168.0.0/16'),
			ipipMode: value('CALICO_IPV4POOL_IPIP', 'Always'),
			vxlanMode: value('CALICO_IPV4POOL_VXLAN', 'Never'),
			natOutgoing: value('CALICO_IPV4POOL_NAT_OUTGOING', 'true') === 'true',
			blockSize: Number(value('CALICO_IPV4POOL_BLOCK_SIZE', '26')),
			nodeSelector: value('CALICO_IPV4POOL_NODE_SELECTOR', 'all()'),
		},
	};
}

for (const [name, spec] of options.filter(([n]) => n.startsWith('calico'))) {
	test(`the default IPPool calico-node creates: ${name}`, async (t) => {
		const objects = documents(renderManifests(clusterFixture({ spec })).text);
		const pool = defaultPool(objects);
		const modes = pool['spec'] as { ipipMode: string; vxlanMode: string };
		// Calico's CRD also refuses both encapsulations at once (a CEL rule ajv does not run): checked here.
		t.true(modes.ipipMode === 'Never' || modes.vxlanMode === 'Never', JSON.stringify(modes));
		const result = await validateObjects([pool], objects);
		t.deepEqual(result.problems, []);
		t.is(result.custom, 1);
	});
}

test('CNI manifests: cilium with Hubble\'s TLS Secrets (made at install)', async (t) => {
	const cluster = clusterFixture({ spec: { network: { cni: 'cilium', cilium: { hubble: true } } } });
	const tls = await generateHubbleTls(cluster.metadata.name, new Date('2026-01-01T00:00:00Z'));
	const objects = documents(renderManifests(cluster, { hubbleTls: tls }).text);
	t.true(objects.filter((o) => o['kind'] === 'Secret').length >= 2);
	await assertValid(t, objects, 'hubble tls');
});

test('no rendered object is a custom resource without its CRD: each is either in the Kubernetes API or checked against a CRD', async (t) => {
	for (const [name, spec] of options) {
		const objects = documents(renderManifests(clusterFixture({ spec })).text);
		const result = await validateObjects(objects);
		t.deepEqual(result.problems, [], name);
		// Cilium's CRDs are created by cilium-operator, Calico's pools by calico-node: the manifests hold none.
		t.is(result.custom, 0, name);
	}
});

/** Every object kubestrap renders or creates, once: the check's objects, each example and each option. */
function everyObject(): Array<[string, Obj[]]> {
	const nodes = [{ name: 'cp-1', address: '10.0.0.1' }, { name: 'w-1', address: '10.0.0.2' }];
	const plan = planProbes({ namespace: 'kubestrap-check-abc123', nodes, echoIps: new Map([['cp-1', '10.244.0.5'], ['w-1', '10.244.1.5']]), clusterIp: '10.96.0.20', nodePort: 31000 }, seededRandom(1));
	const check: Obj[] = [
		namespaceObject('kubestrap-check-abc123'),
		leaseObject('kubestrap-check-abc123', 'kubestrap-check/x', new Date('2026-01-01T00:00:00Z'), 240),
		echoDaemonSet('kubestrap-check-abc123'), echoService('kubestrap-check-abc123', true), echoService('kubestrap-check-abc123', false),
		...plan.flatMap((p) => [clientPod('kubestrap-check-abc123', p.node, p.pod, false, 120), clientPod('kubestrap-check-abc123', p.node, p.host, true, 120)]),
	];
	return [['check', check], ...options.map(([name, spec]) => [name, documents(renderManifests(clusterFixture({ spec })).text)] as [string, Obj[]])];
}

for (const minor of fieldTableMinors()) {
	test(`unknown fields and kinds at Kubernetes ${minor}: every object kubestrap renders or creates`, (t) => {
		const table = fieldTable(minor);
		for (const [name, objects] of everyObject()) t.deepEqual(validateFieldsAt(table, objects), [], `${name} at ${minor}`);
	});
}

test('a field newer than a minor is refused at that minor: Pod spec.schedulingGroup (1.36) at 1.35', (t) => {
	const pod = clientPod('ns', 'cp-1', [], false, 60) as { spec: Obj };
	const newer = { ...pod, spec: { ...pod.spec, schedulingGroup: { podGroupName: 'g' } } };
	t.deepEqual(validateFieldsAt(fieldTable('1.35'), [newer]), ['Pod/' + String(((pod as unknown as Obj)['metadata'] as Obj)['name']) + ': spec.schedulingGroup: unknown field in Kubernetes 1.35']);
	t.deepEqual(validateFieldsAt(fieldTable('1.35'), [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', imagePullPolcy: 'Always' }] } }]), ['Pod/p: spec.containers[0].imagePullPolcy: unknown field in Kubernetes 1.35']);
	t.regex(validateFieldsAt(fieldTable('1.35'), [{ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' } }])[0] ?? '', /no batch\/v1 CronJob in the Kubernetes 1\.35 field table/);
});
