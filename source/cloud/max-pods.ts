// kubelet maxPods in Cilium ENI mode. Every pod takes a secondary address of one of the node's ENIs, so
// a node can run only as many pods as its instance type has addresses; kubelet's default of 110 lets the
// scheduler place pods that then wait forever for an IP (the pain point kops users know). The formula is
// EKS's: ENIs × (IPv4 addresses per ENI − 1) + 2 (each ENI's primary address is not for pods; the 2 are
// host-network pods), capped like EKS's max-pods calculator at 110, or 250 with 30 or more vCPUs.
import { DescribeInstanceTypesCommand, type _InstanceType, type DescribeInstanceTypesCommandOutput } from '@aws-sdk/client-ec2';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { callEc2, type CallOptions } from './call.js';

export interface TypeLimits {
	enis: number;
	ipv4PerEni: number;
	vcpus: number;
	maxPods: number;
}

export function eniMaxPods(enis: number, ipv4PerEni: number, vcpus: number): number {
	const formula = enis * (ipv4PerEni - 1) + 2;
	return Math.min(formula, vcpus >= 30 ? 250 : 110);
}

/** ENI limits and maxPods per instance type, from DescribeInstanceTypes (100 types per call, paginated). */
export async function instanceTypeLimits(client: EC2Client, types: readonly string[], options: CallOptions): Promise<Map<string, TypeLimits>> {
	const out = new Map<string, TypeLimits>();
	const unique = [...new Set(types)].filter((t) => t !== '');
	for (let i = 0; i < unique.length; i += 100) {
		let token: string | undefined;
		do {
			const page = await callEc2<DescribeInstanceTypesCommandOutput>(client, new DescribeInstanceTypesCommand({ InstanceTypes: unique.slice(i, i + 100) as _InstanceType[], ...(token ? { NextToken: token } : {}) }), options);
			for (const info of page.InstanceTypes ?? []) {
				const enis = info.NetworkInfo?.MaximumNetworkInterfaces;
				const ipv4PerEni = info.NetworkInfo?.Ipv4AddressesPerInterface;
				const vcpus = info.VCpuInfo?.DefaultVCpus ?? 0;
				if (info.InstanceType === undefined || enis === undefined || ipv4PerEni === undefined) continue;
				out.set(info.InstanceType, { enis, ipv4PerEni, vcpus, maxPods: eniMaxPods(enis, ipv4PerEni, vcpus) });
			}
			token = page.NextToken;
		} while (token);
	}
	return out;
}
