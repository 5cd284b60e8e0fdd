// Reads what a host has of Kubernetes, the CNI and kubestrap, with read-only commands (they run in dry
// runs too): the paths that exist, the owned links, iptables rules, nftables tables and BPF pins.
import { probe } from '../exec.js';
import type { RunContext, StepHost } from '../types.js';
import { BPF_ROOT, filterIptables, ownedLinks, ownedNftTables, pathsToRemove, type IptablesFilter, type Residue } from './residue.js';

export const IPTABLES_FAMILIES = [
	{ save: 'iptables-save', restore: 'iptables-restore' },
	{ save: 'ip6tables-save', restore: 'ip6tables-restore' },
] as const;

export interface HostInventory extends Residue {
	/** per family (same order as IPTABLES_FAMILIES): the filtered rules, when the program exists */
	iptables: Array<IptablesFilter | undefined>;
	kubeadm: boolean;
	/** kubeadm init/join state that `kubeadm reset` undoes */
	joined: boolean;
	kubeletActive: boolean;
	containerdActive: boolean;
	packages: string[];
}

const JOIN_STATE = ['/etc/kubernetes/kubelet.conf', '/etc/kubernetes/admin.conf', '/etc/kubernetes/manifests/kube-apiserver.yaml', '/var/lib/kubelet/config.yaml'];

/** `find` arguments for Cilium's (and Calico eBPF's) pins under the BPF filesystem. */
export function bpfFindCommand(): string[] {
	return ['find', BPF_ROOT, '-mindepth', '1', '(',
		'-path', `${BPF_ROOT}/tc/globals/cilium_*`, '-o', '-path', `${BPF_ROOT}/xdp/globals/cilium_*`, '-o',
		'-path', `${BPF_ROOT}/tc/globals/cali_*`, '-o', '-path', `${BPF_ROOT}/cilium`, ')', '-prune', '-print'];
}

function lines(text: string): string[] {
	return text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
}

export async function inspectHost(ctx: RunContext, step: string, host: StepHost, removePackages: boolean): Promise<HostInventory> {
	const sudo = { sudo: true };
	const paths = pathsToRemove(removePackages);
	const existing = await probe(ctx, step, host, ['ls', '-d', '--', ...paths, ...JOIN_STATE], sudo);
	const found = new Set(lines(existing.stdout));
	const links = await probe(ctx, step, host, ['ip', '-o', 'link', 'show'], sudo);
	const iptables: HostInventory['iptables'] = [];
	for (const family of IPTABLES_FAMILIES) {
		const save = await probe(ctx, step, host, [family.save], sudo);
		iptables.push(save.code === 0 ? filterIptables(save.stdout) : undefined);
	}
	const nft = await probe(ctx, step, host, ['nft', 'list', 'tables'], sudo);
	const pins = await probe(ctx, step, host, bpfFindCommand(), sudo);
	const kubeadm = await probe(ctx, step, host, ['sh', '-c', 'command -v kubeadm']);
	const kubelet = await probe(ctx, step, host, ['systemctl', 'is-active', '--quiet', 'kubelet']);
	const containerd = await probe(ctx, step, host, ['systemctl', 'is-active', '--quiet', 'containerd']);
	const packages: string[] = [];
	if (removePackages) {
		const installed = await probe(ctx, step, host, ['sh', '-c', 'for p in kubeadm kubelet kubectl containerd; do command -v "$p" >/dev/null 2>&1 && echo "$p"; done; true']);
		packages.push(...lines(installed.stdout));
	}
	return {
		paths: paths.filter((path) => found.has(path)),
		links: links.code === 0 ? ownedLinks(links.stdout) : [],
		rules: iptables.flatMap((filter) => filter?.removed ?? []),
		nftTables: nft.code === 0 ? ownedNftTables(nft.stdout) : [],
		bpfPins: lines(pins.stdout).filter((line) => line.startsWith(`${BPF_ROOT}/`)),
		iptables,
		kubeadm: kubeadm.code === 0,
		joined: JOIN_STATE.some((path) => found.has(path)),
		kubeletActive: kubelet.code === 0,
		containerdActive: containerd.code === 0,
		packages,
	};
}

/** What is still there that should not be, one line per kind (empty: the host is clean). */
export function leftovers(inventory: HostInventory): string[] {
	const out: string[] = [];
	if (inventory.joined) out.push('kubeadm state: the host is still initialized or joined');
	if (inventory.kubeletActive) out.push('kubelet is still running');
	if (inventory.packages.length > 0) out.push(`packages: ${inventory.packages.join(' ')}`);
	const { paths, links, rules, nftTables, bpfPins } = inventory;
	if (paths.length > 0) out.push(`files: ${paths.join(' ')}`);
	if (links.length > 0) out.push(`links: ${links.join(' ')}`);
	if (rules.length > 0) out.push(`iptables: ${rules.length} line(s) of Kubernetes or the CNI, e.g. ${rules[0]}`);
	if (nftTables.length > 0) out.push(`nftables tables: ${nftTables.join(', ')}`);
	if (bpfPins.length > 0) out.push(`BPF pins: ${bpfPins.slice(0, 4).join(' ')}${bpfPins.length > 4 ? ` (+${bpfPins.length - 4} more)` : ''}`);
	return out;
}
