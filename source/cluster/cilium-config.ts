// The cilium-config ConfigMap for a spec: the keys the Cilium chart would write for the matching
// Helm values. ConfigMap values are strings, so every value is set as a string.
import type { Cluster } from '../spec/types.js';
import { setAfter, setAllAfter } from './fields-order.js';
import type { Fields } from './objects.js';

// Keys that only mean something for an overlay; with native routing they go, and tunnel-protocol
// is never set to "disabled" (removed in Cilium 1.15; cilium/cilium#42648).
const TUNNEL_ONLY_KEYS = ['tunnel-protocol', 'tunnel-port', 'tunnel-source-port-range'];

// What the chart writes under `eni.enabled` with its default values (eni.ec2APIEndpoint "",
// eni.eniTags {} → "{}"); the subnet/instance filters are only written when set, so they are absent.
const ENI_KEYS = {
	'enable-endpoint-routes': 'true',
	'auto-create-cilium-node-resource': 'true',
	'ec2-api-endpoint': '',
	'eni-tags': '{}',
};

function deleteKeys(data: Fields, matches: (key: string) => boolean): void {
	for (const key of Object.keys(data)) if (matches(key)) delete data[key];
}

export function editCiliumConfig(data: Fields, cluster: Cluster): void {
	const c = cluster.spec.network.cilium;
	data['cluster-name'] = cluster.metadata.name;

	data['ipam'] = c.ipam;
	if (c.ipam === 'cluster-pool') {
		// The release's only placeholder ({{ .PodSubnet }}, put there by minikube in place of 10.0.0.0/8).
		data['cluster-pool-ipv4-cidr'] = cluster.spec.kubernetes.podSubnet;
	} else {
		deleteKeys(data, (key) => key.startsWith('cluster-pool-'));
	}

	if (c.tunnel === 'disabled') {
		data['routing-mode'] = 'native';
		deleteKeys(data, (key) => TUNNEL_ONLY_KEYS.includes(key));
		// Nodes learn each other's pod CIDRs as direct routes (nodes share an L2 segment). In ENI mode
		// pod addresses are VPC addresses and the VPC routes them, so the chart default (false) stays.
		if (c.ipam !== 'eni') data['auto-direct-node-routes'] = 'true';
	} else {
		data['routing-mode'] = 'tunnel';
		data['tunnel-protocol'] = c.tunnel;
	}
	// Written whenever set, as the chart does: traffic to this CIDR is never masqueraded.
	if (c.nativeRoutingCIDR !== '') setAfter(data, 'direct-routing-skip-unreachable', 'ipv4-native-routing-cidr', c.nativeRoutingCIDR);

	if (c.ipam === 'eni') setAllAfter(data, 'policy-deny-response', ENI_KEYS);

	data['enable-policy'] = c.enablePolicy;
	data['enable-ipv4-masquerade'] = String(!c.disableMasquerade);

	data['kube-proxy-replacement'] = String(c.kubeProxyReplacement);
	if (c.kubeProxyReplacement) setAfter(data, 'kube-proxy-replacement', 'kube-proxy-replacement-healthz-bind-address', '');
	else delete data['kube-proxy-replacement-healthz-bind-address'];

	data['enable-hubble'] = String(c.hubble);
	if (!c.hubble) deleteKeys(data, (key) => key.startsWith('hubble-'));
}
