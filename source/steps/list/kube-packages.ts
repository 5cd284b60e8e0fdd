// kubeadm, kubelet and kubectl of the chosen version from pkgs.k8s.io (one repository per minor),
// held at that version, following the official install-kubeadm instructions for apt and dnf.
import { resolveKubernetesVersion } from '../../spec/versions.js';
import { read, run, write } from '../exec.js';
import type { RunContext, Step, StepHost } from '../types.js';

export const APT_KEYRING = '/etc/apt/keyrings/kubernetes-apt-keyring.gpg';
export const APT_SOURCE = '/etc/apt/sources.list.d/kubernetes.list';
export const DNF_REPO = '/etc/yum.repos.d/kubernetes.repo';
const PACKAGES = ['kubelet', 'kubeadm', 'kubectl'];

export function targetVersion(ctx: RunContext): { minor: string; patch: string } {
	const resolved = resolveKubernetesVersion(ctx.cluster.spec.kubernetes.version, ctx.cluster.spec.network.cni);
	if (typeof resolved === 'string') throw new Error(`spec.kubernetes.version: ${resolved}`);
	return { minor: resolved.minor.minor, patch: resolved.patch };
}

function repoUrl(minor: string, kind: 'deb' | 'rpm'): string {
	return `https://pkgs.k8s.io/core:/stable:/v${minor}/${kind}/`;
}

async function installApt(ctx: RunContext, host: StepHost, minor: string, patch: string): Promise<void> {
	const apt = ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get'];
	await run(ctx, 'packages', host, [...apt, 'install', '-y', '-q', 'apt-transport-https', 'ca-certificates', 'curl', 'gpg'], { sudo: true });
	await run(ctx, 'packages', host, ['mkdir', '-p', '-m', '755', '/etc/apt/keyrings'], { sudo: true });
	// The release key is fetched on the host (it reaches pkgs.k8s.io anyway) and dearmored there.
	const key = ctx.dryRun ? '' : await read(ctx, 'packages', host, ['curl', '-fsSL', `${repoUrl(minor, 'deb')}Release.key`]);
	await run(ctx, 'packages', host, ['gpg', '--batch', '--yes', '--dearmor', '-o', APT_KEYRING], { sudo: true, stdin: key });
	await write(ctx, 'packages', host, APT_SOURCE, `deb [signed-by=${APT_KEYRING}] ${repoUrl(minor, 'deb')} /\n`, 0o644);
	await run(ctx, 'packages', host, [...apt, 'update', '-q'], { sudo: true });
	await run(ctx, 'packages', host, [...apt, 'install', '-y', '-q', '--allow-change-held-packages', ...PACKAGES.map((p) => `${p}=${patch}-1.1`)], { sudo: true });
	await run(ctx, 'packages', host, ['apt-mark', 'hold', ...PACKAGES], { sudo: true });
}

async function installDnf(ctx: RunContext, host: StepHost, minor: string, patch: string): Promise<void> {
	const repo = [
		'[kubernetes]',
		'name=Kubernetes',
		`baseurl=${repoUrl(minor, 'rpm')}`,
		'enabled=1',
		'gpgcheck=1',
		`gpgkey=${repoUrl(minor, 'rpm')}repodata/repomd.xml.key`,
		'exclude=kubelet kubeadm kubectl cri-tools kubernetes-cni',
		'',
	].join('\n');
	await write(ctx, 'packages', host, DNF_REPO, repo, 0o644);
	await run(ctx, 'packages', host, ['dnf', 'install', '-y', ...PACKAGES.map((p) => `${p}-${patch}`), '--disableexcludes=kubernetes'], { sudo: true });
}

export const kubePackagesStep: Step = {
	id: 'packages',
	title: 'kubeadm, kubelet and kubectl',
	parallel: true,
	targets: (ctx) => ctx.hosts,
	async shouldRun(ctx, host) {
		return host.facts?.kubeadmVersion !== `v${targetVersion(ctx).patch}`;
	},
	async run(ctx, host) {
		const { minor, patch } = targetVersion(ctx);
		if (host.facts?.packageManager === 'dnf') await installDnf(ctx, host, minor, patch);
		else await installApt(ctx, host, minor, patch);
		await run(ctx, 'packages', host, ['systemctl', 'enable', '--now', 'kubelet'], { sudo: true });
	},
};
