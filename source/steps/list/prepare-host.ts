// Swap off (now and in fstab), overlay and br_netfilter loaded at boot, the bridge and forwarding
// sysctls kubeadm's preflight requires; SELinux permissive on hosts that enforce it (RHEL family), as the
// kubeadm install page asks; in Cilium ENI mode also the network manager kept off the ENIs cilium-operator
// attaches.
import { probe, run, write } from '../exec.js';
import type { RunContext, Step, StepHost } from '../types.js';

export const MODULES_FILE = '/etc/modules-load.d/kubestrap.conf';
export const SYSCTL_FILE = '/etc/sysctl.d/99-kubestrap.conf';
/**
 * Cilium's ENI prerequisite (docs ipam/eni.rst): systemd-networkd must not manage the secondary
 * interfaces (eth1 and up) the operator attaches, or it fights Cilium over their addresses and routes.
 */
export const ENI_UNMANAGED_FILE = '/etc/systemd/network/99-kubestrap-eni-unmanaged.network';
const MODULES = 'overlay\nbr_netfilter\n';
const SYSCTLS = 'net.bridge.bridge-nf-call-iptables = 1\nnet.bridge.bridge-nf-call-ip6tables = 1\nnet.ipv4.ip_forward = 1\n';
const ENI_UNMANAGED = '# kubestrap: Cilium ENI mode manages the secondary ENIs\n[Match]\nName=eth[1-9]*\n\n[Link]\nUnmanaged=yes\n';

export const SELINUX_CONFIG = '/etc/selinux/config';
/** The kubeadm install page's edit: permissive from the next boot on too. */
export const SELINUX_PERMISSIVE_SED = ['sed', '-i', 's/^SELINUX=enforcing$/SELINUX=permissive/', SELINUX_CONFIG];

/**
 * Whether SELinux enforces now (getenforce; hosts without SELinux have no getenforce) and whether its config
 * enforces at boot. The kubeadm install page sets it permissive for containers to reach the host's files
 * (CNI agents and static pods mount host paths) until the kubelet's SELinux support covers them.
 */
async function selinuxEnforcing(ctx: RunContext, host: StepHost): Promise<{ now: boolean; atBoot: boolean }> {
	const mode = await probe(ctx, 'prepare', host, ['getenforce']);
	const config = await probe(ctx, 'prepare', host, ['grep', '-qx', 'SELINUX=enforcing', SELINUX_CONFIG]);
	return { now: mode.code === 0 && mode.stdout.trim() === 'Enforcing', atBoot: config.code === 0 };
}

function eni(ctx: RunContext): boolean {
	const { network } = ctx.cluster.spec;
	return network.cni === 'cilium' && network.cilium.ipam === 'eni';
}

export const prepareHostStep: Step = {
	id: 'prepare',
	title: 'Prepare hosts (swap, kernel modules, sysctls)',
	parallel: true,
	targets: (ctx) => ctx.hosts,
	async shouldRun(ctx, host) {
		const files = await probe(ctx, 'prepare', host, ['test', '-f', MODULES_FILE, '-a', '-f', SYSCTL_FILE, ...(eni(ctx) ? ['-a', '-f', ENI_UNMANAGED_FILE] : [])]);
		if (host.facts?.swapOn === true || files.code !== 0) return true;
		const selinux = await selinuxEnforcing(ctx, host);
		return selinux.now || selinux.atBoot;
	},
	async run(ctx, host) {
		await run(ctx, 'prepare', host, ['swapoff', '-a'], { sudo: true });
		await run(ctx, 'prepare', host, ['sed', '-i', '-E', 's@^([^#].*[[:space:]]swap[[:space:]].*)$@# \\1@', '/etc/fstab'], { sudo: true });
		await write(ctx, 'prepare', host, MODULES_FILE, MODULES, 0o644);
		await run(ctx, 'prepare', host, ['modprobe', 'overlay'], { sudo: true });
		await run(ctx, 'prepare', host, ['modprobe', 'br_netfilter'], { sudo: true });
		await write(ctx, 'prepare', host, SYSCTL_FILE, SYSCTLS, 0o644);
		await run(ctx, 'prepare', host, ['sysctl', '--system'], { sudo: true });
		const selinux = await selinuxEnforcing(ctx, host);
		if (selinux.now) await run(ctx, 'prepare', host, ['setenforce', '0'], { sudo: true });
		if (selinux.atBoot) await run(ctx, 'prepare', host, SELINUX_PERMISSIVE_SED, { sudo: true });
		if (eni(ctx)) {
			await run(ctx, 'prepare', host, ['mkdir', '-p', '/etc/systemd/network'], { sudo: true });
			await write(ctx, 'prepare', host, ENI_UNMANAGED_FILE, ENI_UNMANAGED, 0o644);
			// networkd reads .network files when it starts or reloads; ENIs attached later must find this one.
			const networkd = await probe(ctx, 'prepare', host, ['systemctl', 'is-active', '--quiet', 'systemd-networkd']);
			if (networkd.code === 0) await run(ctx, 'prepare', host, ['networkctl', 'reload'], { sudo: true });
		}
	},
};
