// What Kubernetes, the CNI and kubestrap leave on a host, and how to tell it from what the host had
// before: pure functions over the text `ip -o link show`, `iptables-save` and `nft list tables` print,
// so the clean step and the verification after it judge by the same rules.
import { APT_KEYRING, APT_SOURCE, DNF_KEY, DNF_REPO } from '../list/kube-packages.js';
import { CONTAINERD_CONFIG, DOCKER_KEY, DOCKER_REPO } from '../list/container-runtime.js';
import { CONFIG_DIR } from '../list/init-control-plane.js';
import { ENI_UNMANAGED_FILE, MODULES_FILE, SYSCTL_FILE } from '../list/prepare-host.js';

/**
 * Links Cilium and Calico create (cilium_host/cilium_net veth pair, the tunnel devices, the lxc and cali pod
 * veths, Calico's tunl0 and vxlan.calico) and kube-proxy's IPVS dummy. Nothing else is ever deleted.
 */
const OWNED_LINK = /^(cilium_host|cilium_net|cilium_vxlan|cilium_geneve|cilium_wg0|lxc_health|lxc[0-9a-f]{6,}|cali[0-9a-f]{6,}|tunl0|vxlan\.calico|vxlan-v6\.calico|kube-ipvs0)$/;

/** Chains owned by kube-proxy and the kubelet (KUBE-), Cilium (CILIUM_) and Calico (cali-). */
const OWNED_CHAIN = /^(KUBE-|CILIUM_|cali-)/;
/** Rules those programs put in the built-in chains, recognised by their comments. */
const OWNED_COMMENT = /--comment "?(cali:|cilium-feeder:|cilium:|kubernetes )/;

/** Native nftables tables of kube-proxy's nftables mode and Calico's nftables data plane. */
const OWNED_NFT = /^(ip|ip6|inet) (kube-proxy|calico)$/;

export const BPF_ROOT = '/sys/fs/bpf';

/** The CNI's own files in /etc/cni/net.d (other tools' configs there are left alone). */
export const CNI_CONFIG_FILES = ['/etc/cni/net.d/05-cilium.conflist', '/etc/cni/net.d/10-calico.conflist', '/etc/cni/net.d/calico-kubeconfig'];
/** CNI plugin binaries the CNI installed; the bridge/loopback/… plugins belong to the kubernetes-cni package. */
export const CNI_BINARIES = ['/opt/cni/bin/cilium-cni', '/opt/cni/bin/calico', '/opt/cni/bin/calico-ipam'];
/** State directories of Kubernetes and the CNIs (kubeadm reset only empties some of them). */
export const STATE_DIRS = ['/etc/kubernetes', '/var/lib/kubelet', '/var/lib/etcd', '/var/lib/cni', '/var/lib/calico', '/var/run/calico', '/var/run/cilium', '/var/lib/cilium'];
/** What kubestrap itself wrote during install (prepare-host, containerd, kubeadm configs). */
export const KUBESTRAP_FILES = [CONFIG_DIR, MODULES_FILE, SYSCTL_FILE, ENI_UNMANAGED_FILE, CONTAINERD_CONFIG];
/** Package sources kubestrap added; removed with the packages only. */
export const PACKAGE_SOURCES = [APT_SOURCE, APT_KEYRING, DNF_REPO, DNF_KEY, DOCKER_REPO, DOCKER_KEY];
/** What `dnf remove` takes on RPM hosts: the Kubernetes packages and containerd.io (or a distribution's containerd). */
export const DNF_PACKAGES = ['kubeadm', 'kubelet', 'kubectl', 'cri-tools', 'kubernetes-cni', 'containerd.io', 'containerd'];

/** Every path the clean step removes (and the verification checks), in order. */
export function pathsToRemove(removePackages: boolean): string[] {
	return [...CNI_CONFIG_FILES, ...CNI_BINARIES, ...STATE_DIRS, ...KUBESTRAP_FILES, ...(removePackages ? PACKAGE_SOURCES : [])];
}

/** Link names from `ip -o link show` ("3: cilium_host@cilium_net: <…> …"). */
export function linkNames(ipOutput: string): string[] {
	return ipOutput.split('\n').map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1]).filter((name): name is string => name !== undefined);
}

export function ownedLinks(ipOutput: string): string[] {
	return linkNames(ipOutput).filter((name) => OWNED_LINK.test(name));
}

export interface IptablesFilter {
	/** the iptables-save text without the owned chains and rules (what iptables-restore gets) */
	kept: string;
	/** the lines taken out */
	removed: string[];
	/** tables that changed: only these are restored, the others are left untouched */
	tables: string[];
}

function ownedRule(line: string): boolean {
	const parts = line.split(/\s+/);
	const chain = parts[1] ?? '';
	if (OWNED_CHAIN.test(chain)) return true;
	const jump = parts.findIndex((part) => part === '-j' || part === '-g');
	if (jump >= 0 && OWNED_CHAIN.test(parts[jump + 1] ?? '')) return true;
	return OWNED_COMMENT.test(line);
}

/**
 * Strips the chains and rules owned by Kubernetes and the CNI from `iptables-save` output (the RKE2
 * pattern, not a flush): a rule of the host's own, in its own chain or a built-in one, stays as it was.
 * Only tables that changed are kept in the output, so iptables-restore replaces nothing else.
 */
export function filterIptables(save: string): IptablesFilter {
	const removed: string[] = [];
	const tables: string[] = [];
	const out: string[] = [];
	let block: string[] = [];
	let changed = false;
	let table = '';
	for (const line of save.split('\n')) {
		if (line.startsWith('*')) {
			table = line.slice(1).trim();
			block = [line];
			changed = false;
			continue;
		}
		if (table === '') continue;
		if (line === 'COMMIT') {
			if (changed) {
				out.push(...block, 'COMMIT');
				tables.push(table);
			}
			table = '';
			continue;
		}
		const declared = /^:(\S+)/.exec(line)?.[1];
		if ((declared !== undefined && OWNED_CHAIN.test(declared)) || (line.startsWith('-A ') && ownedRule(line))) {
			removed.push(`${table}: ${line}`);
			changed = true;
			continue;
		}
		if (!line.startsWith('#')) block.push(line);
	}
	return { kept: out.length > 0 ? `${out.join('\n')}\n` : '', removed, tables };
}

/** Owned native nftables tables from `nft list tables` ("table ip kube-proxy"), as "family name". */
export function ownedNftTables(nftOutput: string): string[] {
	return nftOutput.split('\n').map((line) => /^table\s+(\S+)\s+(\S+)/.exec(line.trim())).filter((m): m is RegExpExecArray => m !== null)
		.map((m) => `${m[1]} ${m[2]}`).filter((table) => OWNED_NFT.test(table));
}

/** Kinds of leftovers the verification looks for. */
export interface Residue {
	paths: string[];
	links: string[];
	rules: string[];
	nftTables: string[];
	bpfPins: string[];
}
