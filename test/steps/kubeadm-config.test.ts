import test from 'ava';
import { parseAllDocuments, parse } from 'yaml';
import { initConfig, joinConfig, apiEndpoint, kubeletPatch } from '../../source/steps/kubeadm-config.js';
import { resolveSpec } from '../../source/spec/resolve.js';
import type { Cluster } from '../../source/spec/types.js';
import { stringify } from 'yaml';
import { baremetalBase, withPaths } from '../spec/_base.js';

function cluster(changes: Record<string, unknown> = {}): Cluster {
	const result = resolveSpec({ file: { content: stringify(withPaths(baremetalBase(), changes)), name: 'c.yaml' } });
	if (!result.ok) throw new Error(JSON.stringify(result.problems));
	return result.cluster;
}

const credentials = { token: 'abcdef.0123456789abcdef', caCertHash: `sha256:${'a'.repeat(64)}`, certificateKey: 'f'.repeat(64) };

test('init config: v1beta4 documents with subnets, version, node-ip and SANs', (t) => {
	const c = cluster();
	const docs = parseAllDocuments(initConfig(c, c.spec.hosts[0]!));
	t.true(Array.isArray(docs));
	const [init, clusterConfig, kubelet] = (docs as ReturnType<typeof parseAllDocuments> & unknown[]).map((d) => (d as { toJS(): Record<string, any> }).toJS());
	t.is(init?.apiVersion, 'kubeadm.k8s.io/v1beta4');
	t.is(init?.kind, 'InitConfiguration');
	t.deepEqual(init?.nodeRegistration, { criSocket: 'unix:///var/run/containerd/containerd.sock', name: 'cp-1', kubeletExtraArgs: [{ name: 'node-ip', value: '10.0.0.10' }] });
	t.deepEqual(init?.localAPIEndpoint, { advertiseAddress: '10.0.0.10', bindPort: 6443 });
	t.is(init?.skipPhases, undefined);
	t.is(clusterConfig?.kubernetesVersion, 'v1.35.8');
	t.is(clusterConfig?.clusterName, 'demo');
	t.deepEqual(clusterConfig?.networking, { podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12' });
	t.deepEqual(clusterConfig?.apiServer, { certSANs: ['192.0.2.10', '10.0.0.10'] });
	t.is(clusterConfig?.controlPlaneEndpoint, undefined);
	t.is(kubelet?.cgroupDriver, 'systemd');
});

test('kube-proxy replacement skips the kube-proxy addon', (t) => {
	const c = cluster({ 'spec.network.cilium.kubeProxyReplacement': true });
	const text = initConfig(c, c.spec.hosts[0]!);
	t.regex(text, /skipPhases:\n {2}- addon\/kube-proxy/);
	t.regex(text, /proxy:\n {2}disabled: true/);
});

test('several control planes: endpoint in the config, control-plane join carries the certificate key', (t) => {
	const c = cluster({
		'spec.hosts': [
			{ address: '192.0.2.1', role: 'control-plane' },
			{ address: '192.0.2.2', role: 'control-plane' },
			{ address: '192.0.2.3', role: 'control-plane' },
		],
		'spec.kubernetes.controlPlaneEndpoint': 'api.lab.example',
	});
	t.deepEqual(apiEndpoint(c), { host: 'api.lab.example', port: 6443 });
	const init = initConfig(c, c.spec.hosts[0]!);
	t.regex(init, /controlPlaneEndpoint: api\.lab\.example:6443/);
	t.regex(init, /taints: \[\]/, 'no workers: control planes take workloads');
	const join = parse(joinConfig(c, c.spec.hosts[1]!, credentials)) as Record<string, any>;
	t.deepEqual(join.discovery.bootstrapToken, { apiServerEndpoint: 'api.lab.example:6443', token: credentials.token, caCertHashes: [credentials.caCertHash] });
	t.is(join.controlPlane.certificateKey, credentials.certificateKey);
	t.throws(() => joinConfig(c, c.spec.hosts[1]!, { ...credentials, certificateKey: undefined }));
});

test('worker join points at the first control plane without an endpoint', (t) => {
	const c = cluster();
	const join = parse(joinConfig(c, c.spec.hosts[1]!, credentials)) as Record<string, any>;
	t.is(join.discovery.bootstrapToken.apiServerEndpoint, '10.0.0.10:6443');
	t.is(join.controlPlane, undefined);
	t.deepEqual(join.nodeRegistration.kubeletExtraArgs, [{ name: 'node-ip', value: '10.0.0.11' }]);
});

test('maxPods: the init host\'s value in the KubeletConfiguration (cluster default), and a patches directory on every host that has one', (t) => {
	const c = cluster();
	const [cp, worker] = c.spec.hosts as [Cluster['spec']['hosts'][number], Cluster['spec']['hosts'][number]];
	const init = parseAllDocuments(initConfig(c, { ...cp, maxPods: 17 })).map((d) => d.toJS() as Record<string, any>);
	t.deepEqual(init[0]?.patches, { directory: '/etc/kubestrap/patches' });
	t.is(init[2]?.maxPods, 17);
	const join = parse(joinConfig(c, { ...worker, maxPods: 29 }, credentials)) as Record<string, any>;
	t.deepEqual(join.patches, { directory: '/etc/kubestrap/patches' });
	t.is(kubeletPatch({ ...worker, maxPods: 29 }), 'maxPods: 29\n');
	const plain = parseAllDocuments(initConfig(c, cp)).map((d) => d.toJS() as Record<string, any>);
	t.is(plain[0]?.patches, undefined);
	t.is(plain[2]?.maxPods, undefined);
	t.is(kubeletPatch(worker), undefined);
});
