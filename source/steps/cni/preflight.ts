// Cilium's pre-flight check before its agents move to a new release: the `cilium-pre-flight-check`
// DaemonSet pulls the new image on every node; once it is ready wherever an agent runs, it is deleted
// and the agents are upgraded (Documentation/operations/upgrade.rst). Runs only when the running
// release is not the pinned one.
import { preflightDaemonSet, PREFLIGHT } from '../../cluster/cni/preflight.js';
import { kubectl } from '../../cluster/kubectl.js';
import { renderManifests } from '../../cluster/render.js';
import { printStream } from '../../cluster/yaml-stream.js';
import { CILIUM_VERSION } from '../../spec/versions.js';
import { probe, run, write } from '../exec.js';
import { CONFIG_DIR, firstControlPlane } from '../list/init-control-plane.js';
import type { RunContext, Step, StepHost } from '../types.js';
import { liveState, upgradeCompatibility } from './live.js';
import { pause } from './wait.js';

export const PREFLIGHT_STEP = 'cilium-preflight';
export const PREFLIGHT_FILE = `${CONFIG_DIR}/cilium-preflight.yaml`;
export const PREFLIGHT_TIMEOUT_MS = 10 * 60_000;

interface Counts { desired: number; ready: number }

/** desired/ready of the pre-flight DaemonSet and the agents' desired count, from `get daemonset A B -o json` (pure). */
export function preflightCounts(text: string): { preflight?: Counts; agents?: number } {
	const parsed = JSON.parse(text) as { items?: Array<{ metadata?: { name?: string }; status?: { desiredNumberScheduled?: number; numberReady?: number } }> };
	const out: { preflight?: Counts; agents?: number } = {};
	for (const item of parsed.items ?? []) {
		if (item.metadata?.name === PREFLIGHT) out.preflight = { desired: item.status?.desiredNumberScheduled ?? 0, ready: item.status?.numberReady ?? 0 };
		if (item.metadata?.name === 'cilium') out.agents = item.status?.desiredNumberScheduled ?? 0;
	}
	return out;
}

function deleteCommand(): string[] {
	return kubectl('-n', 'kube-system', 'delete', 'daemonset', PREFLIGHT, '--ignore-not-found');
}

async function waitReady(ctx: RunContext, host: StepHost, timeoutMs: number): Promise<string | undefined> {
	const deadline = ctx.now() + timeoutMs;
	let last = 'not listed yet';
	while (!ctx.signal.aborted) {
		const result = await probe(ctx, PREFLIGHT_STEP, host, kubectl('-n', 'kube-system', 'get', 'daemonset', PREFLIGHT, 'cilium', '-o', 'json'), { sudo: true });
		if (result.code === 0) {
			const counts = preflightCounts(result.stdout);
			if (counts.preflight) {
				last = `${counts.preflight.ready} of ${counts.agents ?? '?'} nodes ready`;
				if (counts.agents !== undefined && counts.preflight.desired === counts.agents && counts.preflight.ready === counts.agents) return undefined;
			}
		}
		if (ctx.now() > deadline) return last;
		await pause(1000, ctx.signal);
	}
	return 'interrupted';
}

export const ciliumPreflightStep: Step = {
	id: PREFLIGHT_STEP,
	title: 'Cilium pre-flight check (pull the new image on every node)',
	parallel: false,
	targets: (ctx) => [firstControlPlane(ctx)],
	async shouldRun(ctx, host) {
		if (ctx.cluster.spec.network.cni !== 'cilium') return 'not Cilium';
		if (host.facts?.hasAdminConf !== true) return 'no cluster yet';
		const live = await liveState(ctx, PREFLIGHT_STEP, host);
		if (live.release === undefined) return 'Cilium is not installed yet';
		return live.release === CILIUM_VERSION ? `Cilium runs the pinned ${CILIUM_VERSION}` : true;
	},
	async run(ctx, host) {
		const live = await liveState(ctx, PREFLIGHT_STEP, host);
		const rendered = renderManifests(ctx.cluster, { ciliumUpgradeCompatibility: upgradeCompatibility(live) }).documents;
		const daemonSet = preflightDaemonSet(rendered);
		await write(ctx, PREFLIGHT_STEP, host, PREFLIGHT_FILE, printStream([`kubestrap: Cilium ${CILIUM_VERSION} pre-flight check`], [daemonSet]), 0o644);
		await run(ctx, PREFLIGHT_STEP, host, kubectl('apply', '--server-side', '--field-manager=kubestrap', '-f', PREFLIGHT_FILE), { sudo: true });
		if (ctx.dryRun) {
			ctx.emit({ kind: 'plan', step: PREFLIGHT_STEP, host: host.id, action: `wait until ${PREFLIGHT} is ready on every node that runs a Cilium agent` });
			await run(ctx, PREFLIGHT_STEP, host, deleteCommand(), { sudo: true });
			return;
		}
		ctx.emit({ kind: 'note', step: PREFLIGHT_STEP, host: host.id, line: `pre-flight: pulling Cilium ${CILIUM_VERSION} on every node` });
		const problem = await waitReady(ctx, host, PREFLIGHT_TIMEOUT_MS);
		// Removed whether it became ready or not: it is only a check, and the next run creates it again.
		await host.remote?.exec(deleteCommand(), { sudo: true, timeoutMs: 120_000 }).catch(() => undefined);
		await host.remote?.exec(['rm', '-f', PREFLIGHT_FILE], { sudo: true, timeoutMs: 30_000 }).catch(() => undefined);
		if (problem === 'interrupted') throw new Error('interrupted during the Cilium pre-flight check; it was removed, nothing else changed');
		if (problem !== undefined) {
			throw new Error(`${host.id}: step "${PREFLIGHT_STEP}" failed: the pre-flight DaemonSet did not become ready on every node within ${PREFLIGHT_TIMEOUT_MS / 60_000} min (${problem}): the new Cilium image could not be pulled everywhere (kubectl -n kube-system describe pods -l k8s-app=${PREFLIGHT} names the nodes); it was removed and the agents were not touched`);
		}
		ctx.emit({ kind: 'note', step: PREFLIGHT_STEP, host: host.id, line: `pre-flight: ready on every node, removed` });
	},
};
