import test from 'ava';
import { operatorReplicas } from '../../source/cluster/cilium-operator.js';
import { nodeCounts } from '../../source/cluster/counts.js';
import { apiServerEndpoint } from '../../source/cluster/endpoint.js';
import { clusterFixture, eniFixture, manyHosts } from './_fixtures.js';

test('nodeCounts from hosts', (t) => {
	t.deepEqual(nodeCounts(clusterFixture()), { controlPlanes: 1, nodes: 2 });
	t.deepEqual(nodeCounts(clusterFixture({ spec: { hosts: manyHosts(7) } })), { controlPlanes: 1, nodes: 7 });
	const three = clusterFixture({ spec: { hosts: [
		{ address: '192.0.2.1', role: 'control-plane' },
		{ address: '192.0.2.2', role: 'control-plane' },
		{ address: '192.0.2.3', role: 'control-plane' },
	] } });
	t.deepEqual(nodeCounts(three), { controlPlanes: 3, nodes: 3 });
});

test('nodeCounts on aws before discovery: one control plane, one node per instance id (at least one)', (t) => {
	t.deepEqual(nodeCounts(eniFixture()), { controlPlanes: 1, nodes: 3 });
	const byTag = eniFixture();
	byTag.spec.aws = { region: 'eu-west-1', instanceIds: [], instanceTags: { 'kubestrap.dev/cluster': 'demo' }, addressType: 'public' };
	t.deepEqual(nodeCounts(byTag), { controlPlanes: 1, nodes: 1 });
});

test('operator replicas: at most 2, never more than eligible nodes', (t) => {
	const table: Array<[number, number, boolean, number]> = [
		// controlPlanes, nodes, eni, replicas
		[1, 1, false, 1],
		[1, 2, false, 2],
		[1, 10, false, 2],
		[1, 10, true, 1],
		[3, 10, true, 2],
	];
	for (const [controlPlanes, nodes, eni, replicas] of table) {
		const cluster = eni ? eniFixture() : clusterFixture();
		t.is(operatorReplicas(cluster, { controlPlanes, nodes }), replicas, `${controlPlanes}/${nodes} eni=${eni}`);
	}
});

test('apiServerEndpoint: controlPlaneEndpoint first, port 6443 by default', (t) => {
	const at = (controlPlaneEndpoint: string): unknown => apiServerEndpoint(clusterFixture({ spec: { kubernetes: { controlPlaneEndpoint } } }));
	t.deepEqual(at('api.example.net'), { host: 'api.example.net', port: '6443' });
	t.deepEqual(at('api.example.net:443'), { host: 'api.example.net', port: '443' });
	t.deepEqual(at('203.0.113.7:6443'), { host: '203.0.113.7', port: '6443' });
	t.deepEqual(at('[2001:db8::1]:8443'), { host: '2001:db8::1', port: '8443' });
	t.deepEqual(at('[2001:db8::1]'), { host: '2001:db8::1', port: '6443' });
});

test('apiServerEndpoint: else the first control plane, private address preferred', (t) => {
	t.deepEqual(apiServerEndpoint(clusterFixture()), { host: '192.0.2.10', port: '6443' });
	const cluster = clusterFixture({ spec: { hosts: [
		{ address: '192.0.2.11', role: 'worker' },
		{ address: '192.0.2.10', privateAddress: '10.0.0.10', role: 'control-plane' },
	] } });
	t.deepEqual(apiServerEndpoint(cluster), { host: '10.0.0.10', port: '6443' });
	t.is(apiServerEndpoint(eniFixture()), undefined, 'aws before discovery without an endpoint');
});

test('nodeCounts on aws after discovery: the discovered hosts and their roles, so ENI operator replicas follow them', (t) => {
	const cluster = eniFixture();
	cluster.spec.hosts = [
		{ address: '198.51.100.1', privateAddress: '10.0.1.1', role: 'control-plane' },
		{ address: '198.51.100.2', privateAddress: '10.0.1.2', role: 'control-plane' },
		{ address: '198.51.100.3', privateAddress: '10.0.1.3', role: 'control-plane' },
		{ address: '198.51.100.4', privateAddress: '10.0.1.4', role: 'worker' },
	];
	t.deepEqual(nodeCounts(cluster), { controlPlanes: 3, nodes: 4 });
	t.is(operatorReplicas(cluster, nodeCounts(cluster)), 2);
	cluster.spec.hosts = cluster.spec.hosts.slice(2);
	t.deepEqual(nodeCounts(cluster), { controlPlanes: 1, nodes: 2 });
	t.is(operatorReplicas(cluster, nodeCounts(cluster)), 1, 'ENI: one control plane, one operator');
});
