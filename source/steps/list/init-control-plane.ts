// kubeadm init on the first control plane from a generated config file (0600). The join token and
// certificate key are never printed (--skip-token-print, --skip-certificate-key-print).
import { initConfig } from '../kubeadm-config.js';
import { probe, run, write } from '../exec.js';
import type { RunContext, Step, StepHost } from '../types.js';

export const CONFIG_DIR = '/etc/kubestrap';
export const INIT_CONFIG = `${CONFIG_DIR}/kubeadm-init.yaml`;

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
		await write(ctx, 'init', host, INIT_CONFIG, initConfig(ctx.cluster, host.host), 0o600);
		const several = ctx.cluster.spec.hosts.filter((h) => h.role === 'control-plane').length > 1;
		await run(ctx, 'init', host, ['kubeadm', 'init', '--config', INIT_CONFIG, ...(several ? ['--upload-certs'] : []), '--skip-token-print', '--skip-certificate-key-print'], { sudo: true, timeoutMs: 20 * 60_000 });
	},
};
