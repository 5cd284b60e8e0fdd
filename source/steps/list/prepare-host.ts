// Swap off (now and in fstab), overlay and br_netfilter loaded at boot, the bridge and forwarding
// sysctls kubeadm's preflight requires.
import { probe, run, write } from '../exec.js';
import type { Step } from '../types.js';

export const MODULES_FILE = '/etc/modules-load.d/kubestrap.conf';
export const SYSCTL_FILE = '/etc/sysctl.d/99-kubestrap.conf';
const MODULES = 'overlay\nbr_netfilter\n';
const SYSCTLS = 'net.bridge.bridge-nf-call-iptables = 1\nnet.bridge.bridge-nf-call-ip6tables = 1\nnet.ipv4.ip_forward = 1\n';

export const prepareHostStep: Step = {
	id: 'prepare',
	title: 'Prepare hosts (swap, kernel modules, sysctls)',
	parallel: true,
	targets: (ctx) => ctx.hosts,
	async shouldRun(ctx, host) {
		const files = await probe(ctx, 'prepare', host, ['test', '-f', MODULES_FILE, '-a', '-f', SYSCTL_FILE]);
		return host.facts?.swapOn === true || files.code !== 0;
	},
	async run(ctx, host) {
		await run(ctx, 'prepare', host, ['swapoff', '-a'], { sudo: true });
		await run(ctx, 'prepare', host, ['sed', '-i', '-E', 's@^([^#].*[[:space:]]swap[[:space:]].*)$@# \\1@', '/etc/fstab'], { sudo: true });
		await write(ctx, 'prepare', host, MODULES_FILE, MODULES, 0o644);
		await run(ctx, 'prepare', host, ['modprobe', 'overlay'], { sudo: true });
		await run(ctx, 'prepare', host, ['modprobe', 'br_netfilter'], { sudo: true });
		await write(ctx, 'prepare', host, SYSCTL_FILE, SYSCTLS, 0o644);
		await run(ctx, 'prepare', host, ['sysctl', '--system'], { sudo: true });
	},
};
