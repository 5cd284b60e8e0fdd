// Applies the rendered CNI manifests on the first control plane with server-side apply, so a re-run
// updates the objects in place (and changes nothing when the spec did not change) instead of failing
// on objects that exist. Before anything is applied it refuses what would break a live cluster:
// another CNI already running, or a different Cilium IPAM mode (Cilium cannot migrate IPAM in place).
import { generateHubbleTls } from '../../cluster/hubble-tls.js';
import { renderManifests, type HubbleTls } from '../../cluster/render.js';
import type { Cluster } from '../../spec/types.js';
import { read, run, stageSecretFile } from '../exec.js';
import { ciliumConfigCommand, kubectl } from '../../cluster/kubectl.js';
import type { RunContext, Step, StepHost } from '../types.js';
import { CONFIG_DIR, firstControlPlane } from './init-control-plane.js';
import { forgetLive, liveState, upgradeCompatibility } from '../cni/live.js';
import { markRestart } from '../cni/restart.js';
import { recordPoolEdit } from '../cni/pool.js';

export const CNI_MANIFEST = `${CONFIG_DIR}/cni.yaml`;
const STEP = 'apply-cni';
// Cilium's ENI guide: keep the AWS VPC CNI off every node, reversibly, before Cilium starts.
const AWS_NODE_OFF = JSON.stringify({ spec: { template: { spec: { nodeSelector: { 'io.cilium/aws-node-enabled': 'true' } } } } });

/** A refusal names the field to change and why, like a validation problem. */
export class CniRefusal extends Error {
	constructor(host: string, field: string, reason: string) {
		super(`${host}: step "${STEP}" refused: ${field}: ${reason}`);
	}
}

export function applyCommand(): string[] {
	return kubectl('apply', '--server-side', '--field-manager=kubestrap', '--force-conflicts', '-f', CNI_MANIFEST);
}

async function exists(ctx: RunContext, host: StepHost, kind: string, name: string): Promise<boolean> {
	const out = await read(ctx, STEP, host, kubectl('-n', 'kube-system', 'get', kind, name, '--ignore-not-found', '-o', 'name'), { sudo: true });
	return out.trim() !== '';
}

/** The other CNI's DaemonSet, if the cluster already runs one: two CNIs on one node break pod networking. */
function otherCni(cluster: Cluster): { daemonSet: string; name: string } {
	return cluster.spec.network.cni === 'cilium' ? { daemonSet: 'calico-node', name: 'Calico' } : { daemonSet: 'cilium', name: 'Cilium' };
}

async function checkLiveCluster(ctx: RunContext, host: StepHost): Promise<void> {
	const { network } = ctx.cluster.spec;
	const other = otherCni(ctx.cluster);
	if (await exists(ctx, host, 'daemonset', other.daemonSet)) {
		throw new CniRefusal(host.id, 'spec.network.cni', `the cluster already runs ${other.name} (DaemonSet kube-system/${other.daemonSet}); switching the CNI of a live cluster is not supported — keep cni: ${network.cni === 'cilium' ? 'calico' : 'cilium'} or reinstall the cluster`);
	}
	if (network.cni !== 'cilium') return;
	const text = (await read(ctx, STEP, host, ciliumConfigCommand(), { sudo: true })).trim();
	if (text === '') return;
	let live: unknown;
	try {
		live = (JSON.parse(text) as { data?: Record<string, unknown> }).data?.['ipam'];
	} catch {
		return;
	}
	if (typeof live === 'string' && live !== network.cilium.ipam) {
		throw new CniRefusal(host.id, 'spec.network.cilium.ipam', `the live cluster runs Cilium with ipam "${live}"; Cilium cannot change the IPAM mode of a running cluster (pods would lose their addresses) — set ipam: ${live}, or reinstall the cluster to use "${network.cilium.ipam}"`);
	}
}

/** Hubble's TLS Secrets are made once: regenerating them on a re-run would rotate the CA under running clients. */
async function hubbleTls(ctx: RunContext, host: StepHost): Promise<HubbleTls | undefined> {
	const { network } = ctx.cluster.spec;
	if (network.cni !== 'cilium' || !network.cilium.hubble) return undefined;
	if (await exists(ctx, host, 'secret', 'hubble-server-certs')) return undefined;
	const tls = await generateHubbleTls(ctx.cluster.metadata.name, new Date(ctx.now()));
	ctx.secret(tls.caKey);
	ctx.secret(tls.serverKey);
	return tls;
}

async function disableAwsNode(ctx: RunContext, host: StepHost): Promise<void> {
	const { network } = ctx.cluster.spec;
	if (network.cni !== 'cilium' || network.cilium.ipam !== 'eni') return;
	if (!(await exists(ctx, host, 'daemonset', 'aws-node'))) return;
	await run(ctx, STEP, host, kubectl('-n', 'kube-system', 'patch', 'daemonset', 'aws-node', '--type=strategic', '-p', AWS_NODE_OFF), { sudo: true });
}

export const applyCniStep: Step = {
	id: STEP,
	title: 'Apply the CNI manifests',
	parallel: false,
	targets: (ctx) => [firstControlPlane(ctx)],
	// Always runs: server-side apply is idempotent, and a changed spec must reach the cluster.
	shouldRun: async () => true,
	async run(ctx, host) {
		// A plan for a host without a cluster yet cannot ask the API anything: show what install will do.
		const live = !ctx.dryRun || host.facts?.hasAdminConf === true;
		// Each read fails the step when kubectl cannot reach the API, so silence always means "not found".
		if (live) await checkLiveCluster(ctx, host);
		const tls = live ? await hubbleTls(ctx, host) : undefined;
		if (live) await disableAwsNode(ctx, host);
		else if (ctx.cluster.spec.network.cilium.ipam === 'eni' && ctx.cluster.spec.network.cni === 'cilium') {
			ctx.emit({ kind: 'plan', step: STEP, host: host.id, action: 'patch daemonset kube-system/aws-node off (nodeSelector io.cilium/aws-node-enabled=true), if it exists' });
		}
		// Cilium's upgradeCompatibility: the minor this cluster was first installed with, recorded on cilium-config.
		const compat = ctx.cluster.spec.network.cni === 'cilium' ? upgradeCompatibility(await liveState(ctx, STEP, host)) : undefined;
		if (compat !== undefined && !ctx.dryRun) await ctx.journal?.remember('cilium-upgrade-compatibility', compat);
		const rendered = renderManifests(ctx.cluster, { ...(tls ? { hubbleTls: tls } : {}), ...(compat !== undefined ? { ciliumUpgradeCompatibility: compat } : {}) });
		await markRestart(ctx, STEP, host);
		await recordPoolEdit(ctx);
		// 0600: with Hubble the file holds the CA's private key. Removed whether the apply worked or not
		// (and by the session's close if a signal ended the step first).
		const remove = await stageSecretFile(ctx, STEP, host, CNI_MANIFEST, rendered.text);
		try {
			await run(ctx, STEP, host, applyCommand(), { sudo: true, timeoutMs: 5 * 60_000 });
			forgetLive(ctx);
		} finally {
			await remove();
		}
	},
};
