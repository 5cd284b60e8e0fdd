// Answers that decide others. The rules themselves live in spec/rules.ts; these are the values that
// satisfy them, set for the user (and their questions skipped) with a notice saying why.
import type { Cluster } from '../../spec/types.js';

export interface Forcing {
	/** the answer that forces the others */
	trigger: string;
	holds: (cluster: Cluster) => boolean;
	sets: ReadonlyArray<{ path: string; value: unknown }>;
	notice: string;
}

export const FORCINGS: readonly Forcing[] = [
	{
		trigger: 'spec.network.cilium.ipam',
		holds: (c) => c.spec.network.cni === 'cilium' && c.spec.network.cilium.ipam === 'eni',
		sets: [
			{ path: 'spec.network.cilium.tunnel', value: 'disabled' },
			{ path: 'spec.network.cilium.disableMasquerade', value: true },
		],
		notice: 'IPAM eni: tunnel set to "disabled" and masquerade turned off — pods get routable VPC addresses, which ENI mode routes natively.',
	},
	{
		trigger: 'spec.network.calico.encapsulation',
		holds: (c) => c.spec.network.cni === 'calico' && c.spec.network.calico.encapsulation === 'none',
		sets: [{ path: 'spec.network.calico.crossSubnet', value: false }],
		notice: 'Encapsulation none: cross-subnet turned off — it only applies to ipip or vxlan encapsulation.',
	},
];

/** Paths currently set by a forcing (a provided path is never overridden, so it is not among them). */
export function forcedPaths(cluster: Cluster, provided: ReadonlySet<string>): Set<string> {
	const paths = new Set<string>();
	for (const forcing of FORCINGS) {
		if (!forcing.holds(cluster)) continue;
		for (const { path } of forcing.sets) if (!provided.has(path)) paths.add(path);
	}
	return paths;
}
