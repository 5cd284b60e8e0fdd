// kubeadm init on the first control plane from a generated config file (0600). The join token and
// certificate key are never printed (--skip-token-print, --skip-certificate-key-print).
import { initConfig, KUBELET_PATCH, kubeletPatch, PATCHES_DIR } from '../kubeadm-config.js';
import { probe, run, write } from '../exec.js';
import { exactVersion } from '../package-versions.js';
import type { RunContext, Step, StepHost } from '../types.js';

export const CONFIG_DIR = '/etc/kubestrap';
export const INIT_CONFIG = `${CONFIG_DIR}/kubeadm-init.yaml`;

/** Writes the node's kubelet patch (maxPods) where the kubeadm config's patches.directory points, when it has one. */
export async function writeKubeletPatch(ctx: RunContext, step: string, host: StepHost): Promise<void> {
	const patch = kubeletPatch(host.host);
	if (patch === undefined) return;
	await run(ctx, step, host, ['mkdir', '-p', '-m', '700', PATCHES_DIR], { sudo: true });
	await write(ctx, step, host, KUBELET_PATCH, patch, 0o600);
}

export function firstControlPlane(ctx: RunContext): StepHost {
	const first = ctx.hosts.find((h) => h.host.role === 'control-plane');
	if (!first) throw new Error('spec.hosts: no control-plane host');
	return first;
}

export const initControlPlaneStep: Step = {
	id: 'init',
	title: 'kubeadm init (first control plane)',
	parallel: false,
	targets: (ctx) => [firstControlPlane(ctx)],
	async shouldRun(ctx, host) {
		const done = await probe(ctx, 'init', host, ['test', '-f', '/etc/kubernetes/admin.conf'], { sudo: true });
		return done.code !== 0;
	},
	async run(ctx, host) {
		await run(ctx, 'init', host, ['mkdir', '-p', '-m', '700', CONFIG_DIR], { sudo: true });
		await write(ctx, 'init', host, INIT_CONFIG, initConfig(ctx.cluster, host.host, exactVersion(ctx)), 0o600);
		await writeKubeletPatch(ctx, 'init', host);
		const several = ctx.cluster.spec.hosts.filter((h) => h.role === 'control-plane').length > 1;
		await run(ctx, 'init', host, ['kubeadm', 'init', '--config', INIT_CONFIG, ...(several ? ['--upload-certs'] : []), '--skip-token-print', '--skip-certificate-key-print'], { sudo: true, timeoutMs: 20 * 60_000 });
	},
};
