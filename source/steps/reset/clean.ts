// Leaves a host clean of Kubernetes, the CNI and kubestrap, in the order that works: kubeadm reset
// (stops the kubelet, empties /etc/kubernetes, /var/lib/kubelet and /var/lib/etcd; on a control plane
// it also leaves etcd), then what kubeadm reset leaves by design: the CNI's links, the iptables chains
// and rules of kube-proxy, the kubelet and the CNI (stripped one by one, never a flush, so the host's
// own rules stay), their nftables tables, Cilium's BPF pins, the CNI's files and state directories, and
// the files kubestrap wrote. Packages go only when asked. Every action follows what the host has now,
// so a re-run after an interruption does only what is left.
import { change } from '../runner.js';
import { probe, run } from '../exec.js';
import { StepError, type RunContext, type Step, type StepHost } from '../types.js';
import { IPTABLES_FAMILIES, inspectHost, type HostInventory } from './inspect.js';
import { DNF_PACKAGES } from './residue.js';
import { scopeOf, targetHosts, unreachableAdvice } from './scope.js';

const STEP = 'clean';

export function kubeadmResetCommand(whole: boolean): string[] {
	// In a whole reset etcd goes with every control plane: leaving members one by one would only lose quorum midway.
	return ['kubeadm', 'reset', '-f', '--cleanup-tmp-dir', ...(whole ? ['--skip-phases=remove-etcd-member'] : [])];
}

/** Runs a change whose "already gone" answer is fine (a veth's peer went with it, a re-run). */
async function runGone(ctx: RunContext, host: StepHost, argv: string[], gone: RegExp): Promise<void> {
	await change(ctx, STEP, host, `sudo ${argv.join(' ')}`, async () => {
		const result = await probe(ctx, STEP, host, argv, { sudo: true, timeoutMs: 60_000 });
		if (result.code !== 0 && !gone.test(result.stderr)) {
			throw new StepError(host.id, STEP, `sudo ${argv.join(' ')}`, result.code, result.stderr.trim().split('\n').slice(-5));
		}
	});
}

async function removeLinks(ctx: RunContext, host: StepHost, links: string[]): Promise<void> {
	// Pod veths first, then the CNI's own devices; deleting cilium_host takes cilium_net with it.
	const order = (name: string): number => (/^(lxc|cali)/.test(name) ? 0 : name === 'tunl0' ? 2 : 1);
	for (const link of [...links].sort((a, b) => order(a) - order(b))) {
		await runGone(ctx, host, ['ip', 'link', 'delete', link], /Cannot find device/);
	}
	if (links.includes('tunl0')) {
		// tunl0 is the ipip module's fallback device: the kernel keeps it while the module is loaded.
		const still = ctx.dryRun ? { code: 0 } : await probe(ctx, STEP, host, ['ip', 'link', 'show', 'tunl0'], { sudo: true });
		if (still.code === 0) await run(ctx, STEP, host, ['modprobe', '-r', 'ipip'], { sudo: true });
	}
}

async function stripRules(ctx: RunContext, host: StepHost, inventory: HostInventory): Promise<void> {
	for (const [index, family] of IPTABLES_FAMILIES.entries()) {
		const filter = inventory.iptables[index];
		if (!filter || filter.removed.length === 0) continue;
		const action = `sudo ${family.restore} < (${family.save} of tables ${filter.tables.join(', ')} without ${filter.removed.length} KUBE-/CILIUM_/cali- line(s); the host's own chains and rules kept)`;
		await change(ctx, STEP, host, action, async () => {
			const result = await probe(ctx, STEP, host, [family.restore], { sudo: true, stdin: filter.kept, timeoutMs: 60_000 });
			if (result.code !== 0) throw new StepError(host.id, STEP, family.restore, result.code, result.stderr.trim().split('\n').slice(-5));
		});
	}
	for (const table of inventory.nftTables) {
		const [familyName = '', name = ''] = table.split(' ');
		await runGone(ctx, host, ['nft', 'delete', 'table', familyName, name], /No such file or directory/);
	}
}

async function removePackages(ctx: RunContext, host: StepHost, inventory: HostInventory): Promise<void> {
	if (inventory.packages.length === 0) return;
	const dnf = (await probe(ctx, STEP, host, ['sh', '-c', 'command -v apt-get'])).code !== 0;
	if (dnf) {
		// No hold to lift: dnf's is the repo file's exclude= line, gone with the repo file above. Names that are
		// not installed are not an error for dnf remove (containerd.io from Docker's repository, or a distribution containerd).
		await run(ctx, STEP, host, ['dnf', 'remove', '-y', ...DNF_PACKAGES], { sudo: true });
		return;
	}
	await run(ctx, STEP, host, ['apt-mark', 'unhold', 'kubeadm', 'kubelet', 'kubectl'], { sudo: true });
	await run(ctx, STEP, host, ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'remove', '-y', '-q', 'kubeadm', 'kubelet', 'kubectl', 'cri-tools', 'kubernetes-cni', 'containerd'], { sudo: true });
}

export const cleanStep: Step = {
	id: STEP,
	title: 'Clean the hosts (kubeadm reset, CNI links, rules, BPF pins, files)',
	parallel: true,
	targets: targetHosts,
	async shouldRun(ctx, host) {
		return unreachableAdvice(ctx, host) ?? true;
	},
	async run(ctx, host) {
		const scope = scopeOf(ctx);
		const inventory = await inspectHost(ctx, STEP, host, scope.removePackages);
		if (inventory.kubeadm && (inventory.joined || inventory.kubeletActive)) {
			await run(ctx, STEP, host, kubeadmResetCommand(scope.whole), { sudo: true, timeoutMs: 10 * 60_000 });
		} else if (inventory.kubeletActive) {
			await run(ctx, STEP, host, ['systemctl', 'stop', 'kubelet'], { sudo: true });
		}
		await removeLinks(ctx, host, inventory.links);
		await stripRules(ctx, host, inventory);
		if (inventory.bpfPins.length > 0) await run(ctx, STEP, host, ['rm', '-rf', '--', ...inventory.bpfPins], { sudo: true });
		if (inventory.paths.length > 0) await run(ctx, STEP, host, ['rm', '-rf', '--', ...inventory.paths], { sudo: true });
		// The package sources were among the paths removed above (pathsToRemove includes them with --remove-packages).
		if (scope.removePackages) {
			await removePackages(ctx, host, inventory);
		} else if (inventory.containerdActive && inventory.paths.some((path) => path.startsWith('/etc/containerd/'))) {
			// containerd keeps the removed config (systemd cgroups) in memory until it restarts.
			await run(ctx, STEP, host, ['systemctl', 'restart', 'containerd'], { sudo: true });
		}
	},
};
