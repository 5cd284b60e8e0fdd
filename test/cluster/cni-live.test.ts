// The pure parts of changing the CNI of a running cluster: the diff and its refusals (Cilium and Calico),
// Cilium's upgrade path, upgradeCompatibility edits and the pre-flight DaemonSet built from the agent's.
import test from 'ava';
import { calicoNodeEnvOf, changeLines, cniChange, configMapFrom } from '../../source/cluster/cni/change.js';
import { applyUpgradeCompatibility, FIRST_INSTALLED } from '../../source/cluster/cni/compat.js';
import { ciliumPathProblem } from '../../source/cluster/cni/path.js';
import { preflightDaemonSet } from '../../source/cluster/cni/preflight.js';
import { findObject, podSpec } from '../../source/cluster/objects.js';
import { renderManifests } from '../../source/cluster/render.js';
import { specCluster } from '../steps/_step-harness.js';

const cilium = (changes: Record<string, unknown> = {}) => renderManifests(specCluster(changes), { ciliumUpgradeCompatibility: '1.20' }).documents;
const calico = (changes: Record<string, unknown> = {}) => renderManifests(specCluster({ 'spec.network.cni': 'calico', 'spec.network.cilium': undefined, ...changes })).documents;

test('Cilium: the same spec changes nothing; a changed policy mode is a key old → new that needs the agents and the operator restarted', (t) => {
	const live = { ciliumConfig: configMapFrom(cilium(), 'cilium-config')! };
	t.deepEqual(cniChange('cilium', live, cilium()), { changes: [], refusals: [], restartAgents: false, restartOperator: false });
	const change = cniChange('cilium', live, cilium({ 'spec.network.cilium.enablePolicy': 'always' }));
	t.deepEqual(changeLines(change), ['cilium-config enable-policy: "default" → "always"']);
	t.true(change.restartAgents && change.restartOperator);
	t.deepEqual(change.refusals, []);
});

test('Cilium: IPAM, kube-proxy replacement, the pod CIDR and the CNI itself cannot change live', (t) => {
	const live = { ciliumConfig: configMapFrom(cilium(), 'cilium-config')!, otherCni: 'calico-node' };
	const change = cniChange('cilium', live, cilium({ 'spec.network.cilium.ipam': 'kubernetes', 'spec.network.cilium.kubeProxyReplacement': true, 'spec.kubernetes.controlPlaneEndpoint': '192.0.2.10:6443' }));
	t.deepEqual(change.refusals.map((r) => r.split(':')[0]), ['spec.network.cni', 'spec.network.cilium.ipam', 'spec.network.cilium.kubeProxyReplacement']);
	const cidr = cniChange('cilium', { ciliumConfig: live.ciliumConfig }, cilium({ 'spec.kubernetes.podSubnet': '10.200.0.0/16' }));
	t.regex(cidr.refusals[0] ?? '', /^spec\.kubernetes\.podSubnet: the cluster runs cluster-pool-ipv4-cidr "10\.244\.0\.0\/16", the spec asks for "10\.200\.0\.0\/16"/);
});

test('Calico: an MTU change restarts calico-node (not kube-controllers); a changed encapsulation is refused', (t) => {
	const before = calico();
	const live = { calicoConfig: configMapFrom(before, 'calico-config')!, calicoNodeEnv: calicoNodeEnvOf(before) };
	const mtu = cniChange('calico', live, calico({ 'spec.network.calico.mtu': 1400 }));
	t.deepEqual(changeLines(mtu), ['calico-config veth_mtu: "0" → "1400"']);
	t.true(mtu.restartAgents);
	t.false(mtu.restartOperator);
	const vxlan = cniChange('calico', live, calico({ 'spec.network.calico.encapsulation': 'vxlan' }));
	t.is(vxlan.refusals.length, 1);
	t.regex(vxlan.refusals[0] ?? '', /^spec\.network\.calico\.encapsulation: .*Calico creates its IP pool once/);
});

test("Cilium's path: one minor at a time from the newest known patch; never a downgrade", (t) => {
	t.is(ciliumPathProblem('1.20.1'), undefined);
	t.is(ciliumPathProblem('1.20.0'), undefined, 'a patch upgrade');
	t.is(ciliumPathProblem('1.19.5'), undefined);
	t.is(ciliumPathProblem('1.19.8'), undefined, 'a later 1.19 patch than kubestrap knows is at least as far along');
	t.regex(ciliumPathProblem('1.19.2') ?? '', /newest patch of the current minor first \(1\.19\.5 or later\)/);
	t.regex(ciliumPathProblem('1.18.14') ?? '', /one minor at a time, and this kubestrap pins no 1\.19 release/);
	t.regex(ciliumPathProblem('1.20.3') ?? '', /newer than the 1\.20\.1 this kubestrap pins/);
});

test('upgradeCompatibility: recorded on cilium-config; below 1.20 the 1.19 xDS mode and Envoy bootstrap stay', (t) => {
	const fresh = cilium();
	const config = findObject(fresh, 'ConfigMap', 'cilium-config') as { metadata: { annotations: Record<string, string> }; data: Record<string, string> };
	t.is(config.metadata.annotations[FIRST_INSTALLED], '1.20');
	t.is(config.data['envoy-xds-mode'], 'ads');
	const upgraded = renderManifests(specCluster()).documents;
	applyUpgradeCompatibility(upgraded, '1.19');
	const old = findObject(upgraded, 'ConfigMap', 'cilium-config') as typeof config;
	t.is(old.metadata.annotations[FIRST_INSTALLED], '1.19');
	t.false('envoy-xds-mode' in old.data);
	const bootstrap = JSON.parse((findObject(upgraded, 'ConfigMap', 'cilium-envoy-config') as typeof config).data['bootstrap-config.json']!) as { dynamicResources: Record<string, Record<string, unknown>> };
	t.deepEqual(Object.keys(bootstrap.dynamicResources), ['cdsConfig', 'ldsConfig']);
	t.deepEqual(Object.keys(bootstrap.dynamicResources['cdsConfig']!), ['apiConfigSource', 'initialFetchTimeout', 'resourceApiVersion']);
});

test('the pre-flight DaemonSet: the agent image, node selection and tolerations, no anti-affinity or volumes', (t) => {
	const rendered = cilium();
	const pre = preflightDaemonSet(rendered) as { metadata: { name: string }; spec: { selector: unknown } };
	const spec = podSpec(pre) as { containers: Array<{ name: string; image: string; readinessProbe: unknown }>; initContainers: unknown[]; tolerations: unknown; affinity?: unknown; volumes?: unknown; hostNetwork: boolean };
	const agent = podSpec(findObject(rendered, 'DaemonSet', 'cilium')) as { containers: Array<{ name: string; image: string }>; tolerations: unknown };
	t.is(pre.metadata.name, 'cilium-pre-flight-check');
	t.deepEqual(pre.spec.selector, { matchLabels: { 'k8s-app': 'cilium-pre-flight-check', 'kubernetes.io/cluster-service': 'true' } });
	t.is(spec.containers[0]!.image, agent.containers.find((c) => c.name === 'cilium-agent')!.image);
	t.deepEqual(spec.tolerations, agent.tolerations);
	t.is(spec.affinity, undefined);
	t.is(spec.volumes, undefined);
	t.true(spec.hostNetwork);
	t.truthy(spec.containers[0]!.readinessProbe);
	t.is((findObject(rendered, 'DaemonSet', 'cilium') as { metadata: { name: string } }).metadata.name, 'cilium', 'the agent itself is untouched');
});
