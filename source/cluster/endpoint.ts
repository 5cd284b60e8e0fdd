// The API server address pods use when kube-proxy is not there to translate the kubernetes Service IP.
import { splitHostPort } from '../spec/addresses.js';
import type { Cluster } from '../spec/types.js';

export interface ApiServerEndpoint {
	host: string;
	port: string;
}

const API_SERVER_PORT = '6443';

/**
 * spec.kubernetes.controlPlaneEndpoint (host[:port], port 6443 when absent), else the first
 * control-plane host's private address (the API server advertises it; kubeadm's default port 6443),
 * else its SSH address. Undefined when neither is known (target aws before discovery; validation
 * requires controlPlaneEndpoint there whenever kube-proxy replacement is on).
 */
export function apiServerEndpoint(cluster: Cluster): ApiServerEndpoint | undefined {
	const { controlPlaneEndpoint } = cluster.spec.kubernetes;
	if (controlPlaneEndpoint !== '') {
		const { host, port } = splitHostPort(controlPlaneEndpoint);
		return { host, port: port === undefined || port === '' ? API_SERVER_PORT : port };
	}
	const first = cluster.spec.hosts.find((h) => h.role === 'control-plane');
	if (!first) return undefined;
	return { host: first.privateAddress ?? first.address, port: API_SERVER_PORT };
}
