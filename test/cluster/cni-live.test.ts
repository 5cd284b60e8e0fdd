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

test('Calico: an MTU change restarts calico-node (not kube-controllers) and leaves the pool alone', (t) => {
	const before = calico();
	const live = { calicoConfig: configMapFrom(before, 'calico-config')!, calicoNodeEnv: calicoNodeEnvOf(before), ipPools: [pool('Always', 'Never')] };
	t.deepEqual(cniChange('calico', live, before), { changes: [], refusals: [], restartAgents: false, restartOperator: false });
	const mtu = cniChange('calico', live, calico({ 'spec.network.calico.mtu': 1400 }));
	t.deepEqual(changeLines(mtu), ['calico-config veth_mtu: "0" → "1400"']);
	t.true(mtu.restartAgents);
	t.false(mtu.restartOperator);
	t.is(mtu.pool, undefined);
});

function pool(ipipMode: string, vxlanMode: string, name = 'default-ipv4-ippool', cidr = '10.244.0.0/16') {
	return { name, cidr, ipipMode, vxlanMode };
}

function liveCalico(changes: Record<string, unknown>, pools: ReturnType<typeof pool>[]) {
	const objects = calico(changes);
	return { calicoConfig: configMapFrom(objects, 'calico-config')!, calicoNodeEnv: calicoNodeEnvOf(objects), ipPools: pools };
}

test('Calico ipip → vxlan: the pool edit first (BIRD still runs), the backend and env in the plan, calico-node restarted', (t) => {
	const change = cniChange('calico', liveCalico({}, [pool('Always', 'Never')]), calico({ 'spec.network.calico.encapsulation': 'vxlan' }));
	t.deepEqual(change.refusals, []);
	t.deepEqual(change.pool, { name: 'default-ipv4-ippool', from: { ipipMode: 'Always', vxlanMode: 'Never' }, to: { ipipMode: 'Never', vxlanMode: 'Always' }, order: 'before' });
	const lines = changeLines(change);
	t.true(lines.includes('calico-config calico_backend: "bird" → "vxlan"'), lines.join('\n'));
	t.true(lines.includes('calico-node env CALICO_IPV4POOL_IPIP: "Always" → "Never"'));
	t.true(lines.includes('IPPool default-ipv4-ippool ipipMode: "Always" → "Never"'));
	t.true(lines.includes('IPPool default-ipv4-ippool vxlanMode: "Never" → "Always"'));
	t.true(change.restartAgents);
});

test('Calico vxlan → none: BIRD turns on, so the pool changes only after the restarts; vxlan → ipip likewise', (t) => {
	const live = liveCalico({ 'spec.network.calico.encapsulation': 'vxlan' }, [pool('Never', 'Always')]);
	const none = cniChange('calico', live, calico({ 'spec.network.calico.encapsulation': 'none' }));
	t.deepEqual(none.refusals, []);
	t.deepEqual(none.pool, { name: 'default-ipv4-ippool', from: { ipipMode: 'Never', vxlanMode: 'Always' }, to: { ipipMode: 'Never', vxlanMode: 'Never' }, order: 'after' });
	t.deepEqual(changeLines(none).filter((l) => l.startsWith('IPPool')), ['IPPool default-ipv4-ippool vxlanMode: "Always" → "Never"']);
	t.is(cniChange('calico', live, calico()).pool?.order, 'after');
	// ipip → none keeps BIRD: the pool first.
	t.is(cniChange('calico', liveCalico({}, [pool('Always', 'Never')]), calico({ 'spec.network.calico.encapsulation': 'none' })).pool?.order, 'before');
});

test('Calico crossSubnet toggle: only the mode of the running encapsulation changes', (t) => {
	const on = cniChange('calico', liveCalico({}, [pool('Always', 'Never')]), calico({ 'spec.network.calico.crossSubnet': true }));
	t.deepEqual(on.pool?.to, { ipipMode: 'CrossSubnet', vxlanMode: 'Never' });
	t.deepEqual(changeLines(on).filter((l) => l.startsWith('IPPool')), ['IPPool default-ipv4-ippool ipipMode: "Always" → "CrossSubnet"']);
	const off = cniChange('calico', liveCalico({ 'spec.network.calico.encapsulation': 'vxlan', 'spec.network.calico.crossSubnet': true }, [pool('Never', 'CrossSubnet')]), calico({ 'spec.network.calico.encapsulation': 'vxlan' }));
	t.deepEqual(off.pool, { name: 'default-ipv4-ippool', from: { ipipMode: 'Never', vxlanMode: 'CrossSubnet' }, to: { ipipMode: 'Never', vxlanMode: 'Always' }, order: 'before' });
});

test('Calico: a pool edited by hand is brought back to the spec; the pool is found by its CIDR, whatever its name', (t) => {
	const change = cniChange('calico', liveCalico({}, [pool('Never', 'Always', 'my-pool')]), calico());
	t.deepEqual(change.pool, { name: 'my-pool', from: { ipipMode: 'Never', vxlanMode: 'Always' }, to: { ipipMode: 'Always', vxlanMode: 'Never' }, order: 'before' });
});

test('Calico: no pool with the pod subnet, or several pools, refuse an encapsulation change (but not a re-run that changes nothing)', (t) => {
	const vxlan = calico({ 'spec.network.calico.encapsulation': 'vxlan' });
	const other = cniChange('calico', liveCalico({}, [pool('Always', 'Never', 'other', '10.250.0.0/16')]), vxlan);
	t.is(other.pool, undefined);
	t.deepEqual(other.refusals, ['spec.network.calico.encapsulation: no IPPool has spec.cidr 10.244.0.0/16 (the pod subnet) to change (found: other 10.250.0.0/16); kubestrap changes the encapsulation only on the pool it installed; keep the running encapsulation (ipip) or change the pools with calicoctl as Calico\'s docs describe']);
	const two = cniChange('calico', liveCalico({}, [pool('Always', 'Never'), pool('Always', 'Never', 'extra', '10.250.0.0/16')]), vxlan);
	t.is(two.pool, undefined);
	t.is(two.refusals.length, 1);
	t.regex(two.refusals[0] ?? '', /^spec\.network\.calico\.encapsulation: the cluster has 2 IP pools \(default-ipv4-ippool 10\.244\.0\.0\/16, extra 10\.250\.0\.0\/16\); .* keep the running encapsulation \(ipip\)/);
	t.deepEqual(cniChange('calico', liveCalico({}, [pool('Always', 'Never'), pool('Always', 'Never', 'extra', '10.250.0.0/16')]), calico()).refusals, []);
	// calico-node has not created a pool yet: it will, from the env the apply sets.
	t.deepEqual(cniChange('calico', liveCalico({}, []), vxlan).refusals, []);
});

test('Calico: the pod CIDR still cannot change live (and no pool is looked for)', (t) => {
	const change = cniChange('calico', liveCalico({}, [pool('Always', 'Never')]), calico({ 'spec.kubernetes.podSubnet': '10.200.0.0/16', 'spec.network.calico.encapsulation': 'vxlan' }));
	t.deepEqual(change.refusals.map((r) => r.split(':')[0]), ['spec.kubernetes.podSubnet']);
	t.is(change.pool, undefined);
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
