// The upgrade plan as lines (pure): per node current → target, the hops, the CNI change, and the refusals.
import type { NodeVersion, UpgradePlan } from './plan.js';

export function planLines(plan: UpgradePlan, nodes: NodeVersion[], apiServer: string, target: string, cniName: string): string[] {
	const lines = [`control plane: v${apiServer} → ${target}`];
	const width = Math.max(4, ...nodes.map((n) => n.name.length));
	for (const node of nodes) {
		const role = node.controlPlane ? 'control-plane' : 'worker';
		lines.push(`  ${node.name.padEnd(width)}  ${role.padEnd(13)}  v${node.kubelet} → ${target}${node.ready ? '' : '  (NotReady)'}${node.unschedulable ? '  (cordoned)' : ''}`);
	}
	if (plan.hops.length === 0) lines.push('hops: none');
	for (const [i, hop] of plan.hops.entries()) {
		const what = hop.from === hop.to ? `newest ${hop.to} patch` : `${hop.from} → ${hop.to}`;
		lines.push(`hop ${i + 1}: ${what}${hop.patch ? ` (v${hop.patch})` : ''}: ${hop.cniBefore ? `${cniName} first (its running release is not tested on ${hop.to}), then ` : ''}first control plane (kubeadm upgrade apply), other control planes (kubeadm upgrade node), then each node drained, upgraded, Ready, uncordoned`);
	}
	if (plan.cni) lines.push(`${cniName}: ${plan.cni.from} → ${plan.cni.to} (${plan.cni.when === 'before-first-hop' ? 'before the first hop' : 'after the first control-plane upgrade'})`);
	else lines.push(`${cniName}: already at the pinned release`);
	return lines;
}
