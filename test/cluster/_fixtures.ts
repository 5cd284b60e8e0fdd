// A complete, valid Cluster for renderer tests, with deep overrides (lists are replaced, not merged).
import type { Cluster } from '../../source/spec/types.js';

export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

function isPlain(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(base: unknown, top: unknown): unknown {
	if (top === undefined) return base;
	if (!isPlain(base) || !isPlain(top)) return top;
	const out: Record<string, unknown> = { ...base };
	for (const [key, value] of Object.entries(top)) out[key] = merge(base[key], value);
	return out;
}

export function clusterFixture(overrides: DeepPartial<Cluster> = {}): Cluster {
	const base: Cluster = {
		apiVersion: 'kubestrap.dev/v1alpha1',
		kind: 'Cluster',
		metadata: { name: 'demo' },
		spec: {
			target: 'baremetal',
			hosts: [
				{ address: '192.0.2.10', role: 'control-plane' },
				{ address: '192.0.2.11', role: 'worker' },
			],
			ssh: { user: 'ubuntu', port: 22, knownHostsFile: '~/.ssh/known_hosts', hostKeyPolicy: 'strict' },
			kubernetes: { version: '1.35', podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12', controlPlaneEndpoint: '' },
			network: {
				cni: 'cilium',
				cilium: {
					ipam: 'cluster-pool',
					tunnel: 'vxlan',
					nativeRoutingCIDR: '',
					enablePolicy: 'default',
					disableMasquerade: false,
					kubeProxyReplacement: false,
					hubble: true,
				},
				calico: { encapsulation: 'ipip', crossSubnet: false, mtu: 0 },
			},
		},
	};
	return structuredClone(merge(base, overrides)) as Cluster;
}

/** ENI on AWS: three control planes' worth of instances, native routing, masquerade off. */
export function eniFixture(): Cluster {
	return clusterFixture({
		spec: {
			target: 'aws',
			hosts: [],
			aws: { region: 'eu-west-1', instanceIds: ['i-0abc123def4567890', 'i-0abc123def4567891', 'i-0abc123def4567892'], instanceTags: {}, addressType: 'public' },
			network: { cilium: { ipam: 'eni', tunnel: 'disabled', disableMasquerade: true } },
		},
	});
}

/** `count` hosts: one control plane (10.0.0.1) and workers 10.0.0.2… */
export function manyHosts(count: number): Cluster['spec']['hosts'] {
	return Array.from({ length: count }, (_, i) => ({
		address: `10.0.${Math.floor((i + 1) / 256)}.${(i + 1) % 256}`,
		role: i === 0 ? ('control-plane' as const) : ('worker' as const),
	}));
}
