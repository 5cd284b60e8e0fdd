// Joins the other control planes one at a time (etcd grows one member at a time), then the workers
// in parallel. The JoinConfiguration holding the credentials is a 0600 file removed after use.
import { joinConfig, type JoinCredentials } from '../kubeadm-config.js';
import { probe, run, stageSecretFile } from '../exec.js';
import type { RunContext, Step, StepHost } from '../types.js';
import { CONFIG_DIR, firstControlPlane, writeKubeletPatch } from './init-control-plane.js';
import { CREDENTIALS } from './join-credentials.js';

export const JOIN_CONFIG = `${CONFIG_DIR}/kubeadm-join.yaml`;

async function notJoined(ctx: RunContext, step: string, host: StepHost): Promise<boolean> {
	const joined = await probe(ctx, step, host, ['test', '-f', '/etc/kubernetes/kubelet.conf'], { sudo: true });
	return joined.code !== 0;
}

async function join(ctx: RunContext, step: string, host: StepHost): Promise<void> {
	const credentials = ctx.shared.get(CREDENTIALS) as JoinCredentials | undefined;
	const config = credentials ? joinConfig(ctx.cluster, host.host, credentials) : '';
	if (!credentials && !ctx.dryRun) throw new Error(`${host.id}: no join credentials (the credentials step did not run)`);
	await run(ctx, step, host, ['mkdir', '-p', '-m', '700', CONFIG_DIR], { sudo: true });
	const remove = await stageSecretFile(ctx, step, host, JOIN_CONFIG, config);
	try {
		await writeKubeletPatch(ctx, step, host);
		await run(ctx, step, host, ['kubeadm', 'join', '--config', JOIN_CONFIG], { sudo: true, timeoutMs: 20 * 60_000 });
	} finally {
		await remove().catch(() => undefined);
	}
}

export const joinControlPlanesStep: Step = {
	id: 'join-control-planes',
	title: 'Join control planes',
	parallel: false,
	targets: (ctx) => ctx.hosts.filter((h) => h.host.role === 'control-plane' && h !== firstControlPlane(ctx)),
	shouldRun: (ctx, host) => notJoined(ctx, 'join-control-planes', host),
	run: (ctx, host) => join(ctx, 'join-control-planes', host),
};

export const joinWorkersStep: Step = {
	id: 'join-workers',
	title: 'Join workers',
	parallel: true,
	targets: (ctx) => ctx.hosts.filter((h) => h.host.role === 'worker'),
	shouldRun: (ctx, host) => notJoined(ctx, 'join-workers', host),
	run: (ctx, host) => join(ctx, 'join-workers', host),
};
