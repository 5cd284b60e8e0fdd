// Reads a test host's state the way a person would list it before and after a reset: the files
// Kubernetes, the CNI and kubestrap put there, its links, its iptables chains and nftables tables, and
// its BPF pins — from the host's own simulated network state and bpf dir on the test machine.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TestHosts } from '../_helpers/sshd-hosts.js';

export const WATCHED_PATHS = [
	'/etc/kubernetes', '/var/lib/kubelet', '/var/lib/etcd', '/var/lib/cni', '/var/lib/calico', '/etc/cni/net.d/05-cilium.conflist',
	'/etc/cni/net.d/10-calico.conflist', '/opt/cni/bin/cilium-cni', '/etc/kubestrap', '/etc/modules-load.d/kubestrap.conf',
	'/etc/sysctl.d/99-kubestrap.conf', '/etc/containerd/config.toml',
];

export interface HostState {
	files: string[];
	links: string[];
	chains: string[];
	rules: string[];
	nft: string[];
	pins: string[];
}

function walk(dir: string): string[] {
	if (!existsSync(dir)) return [];
	const out: string[] = [];
	for (const entry of readdirSync(dir)) {
		const path = join(dir, entry);
		if (statSync(path).isDirectory()) out.push(...walk(path));
		else out.push(path);
	}
	return out;
}

/** A file exists for the host when its upper layer holds it (the lower layers never have these paths). */
function hostHas(hosts: TestHosts, index: number, path: string): boolean {
	const upper = hosts.hostPath(index, path);
	if (!existsSync(upper)) return false;
	// An overlay whiteout (character device 0:0) means "deleted".
	const info = statSync(upper);
	return !(info.isCharacterDevice() && info.rdev === 0);
}

export function hostState(hosts: TestHosts, index: number): HostState {
	const root = hosts.hosts[index]!.root;
	const net = join(root, 'sim', 'state', 'net');
	const chains: string[] = [];
	const rules: string[] = [];
	for (const family of ['ipt4', 'ipt6']) {
		for (const table of existsSync(join(net, family)) ? readdirSync(join(net, family)) : []) {
			for (const line of readFileSync(join(net, family, table, 'chains'), 'utf8').split('\n').filter(Boolean)) {
				const [name, policy] = line.split(' ');
				if (policy === '-') chains.push(`${family === 'ipt4' ? '' : 'ip6 '}${table}/${name}`);
			}
			rules.push(...readFileSync(join(net, family, table, 'rules'), 'utf8').split('\n').filter(Boolean).map((r) => `${table}: ${r}`));
		}
	}
	const bpf = join(root, 'sim', 'bpf');
	return {
		files: WATCHED_PATHS.filter((path) => hostHas(hosts, index, path)),
		links: readFileSync(join(net, 'links'), 'utf8').split('\n').filter(Boolean).map((line) => line.split(' ')[0]!),
		chains,
		rules,
		nft: readFileSync(join(net, 'nft'), 'utf8').split('\n').filter(Boolean),
		pins: walk(bpf).map((path) => `/sys/fs/bpf/${relative(bpf, path)}`),
	};
}

/** Anything of Kubernetes, the CNI or kubestrap left in a state. */
export function leftovers(state: HostState): string[] {
	return [
		...state.files,
		...state.links.filter((l) => /^(cilium_|lxc|cali|tunl0|vxlan\.calico)/.test(l)),
		...state.chains.filter((c) => /\/(KUBE-|CILIUM_|cali-)/.test(c)),
		...state.rules.filter((r) => /KUBE-|CILIUM_|cali-|cali:|cilium/.test(r)),
		...state.nft.filter((n) => /kube-proxy|calico/.test(n)),
		...state.pins.filter((p) => /cilium|cali_/.test(p)),
	];
}

/** The host's own firewall and pins every test host starts with. */
export const HOST_OWN = {
	iptables: { filter: { chains: ['HOST-FW'], rules: ['-A INPUT -j HOST-FW', '-A HOST-FW -p tcp -m tcp --dport 22 -j ACCEPT'] } },
	nftTables: ['inet hostfw'],
	bpfPins: ['hostfw/allow'],
	links: ['br-lan'],
	files: { '/etc/cni/net.d/87-podman-bridge.conflist': '{"cniVersion":"0.4.0","name":"podman"}\n' },
};

/** The host's own firewall chain and rules, nftables table, BPF pin and links are all still there. */
export function ownIntact(t: { true: (v: boolean, m?: string) => void }, state: HostState): void {
	t.true(state.chains.includes('filter/HOST-FW'), 'the host\'s own chain stays');
	t.true(state.rules.includes('filter: -A INPUT -j HOST-FW') && state.rules.includes('filter: -A HOST-FW -p tcp -m tcp --dport 22 -j ACCEPT'), 'and its rules');
	t.true(state.nft.includes('inet hostfw'), 'its own nftables table stays');
	t.true(state.pins.includes('/sys/fs/bpf/hostfw/allow'), 'its own BPF pin stays');
	t.true(state.links.includes('br-lan') && state.links.includes('eth0'), 'its own links stay');
}

export function formatState(state: HostState): string {
	return [
		`files: ${state.files.join(' ') || '(none)'}`,
		`links: ${state.links.join(' ')}`,
		`chains: ${state.chains.join(' ')}`,
		`nft tables: ${state.nft.join(', ') || '(none)'}`,
		`BPF pins: ${state.pins.join(' ') || '(none)'}`,
	].join('\n');
}

/** Logs in once (as a person looking at the host would): the simulated CNI agent's state is brought up to date. */
export function visit(hosts: TestHosts, index: number): void {
	const host = hosts.hosts[index]!;
	execFileSync('ssh', ['-i', hosts.identityFile, '-o', `UserKnownHostsFile=${hosts.knownHostsFile}`, '-o', 'BatchMode=yes', '-p', String(host.port), `${hosts.user}@${host.address}`, 'true'], { stdio: 'ignore' });
}
