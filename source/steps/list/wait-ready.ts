// The install's last step: wait until the cluster is really ready (every node, the CNI, CoreDNS,
// every system pod, and /readyz through the fetched kubeconfig from this machine). It follows the
// cluster from the first control plane, as apply-cni acts on it, with the list-then-watch reader
// `status --watch` uses, and emits the verdict each round so a view can draw it. Success is only reported once every condition holds in the same round.
import { formatDuration } from '../../spec/durations.js';
import { watchReadiness, type ReadinessResult } from '../readiness.js';
import { checkReadyz } from '../readyz.js';
import type { RunContext, Step } from '../types.js';
import { KUBECONFIG } from './fetch-kubeconfig.js';
import { firstControlPlane } from './init-control-plane.js';

export const WAIT_READY = 'wait-ready';
/** the watch's result (ReadinessResult), for the command's closing lines */
export const READINESS = 'readiness';
export const DEFAULT_READY_TIMEOUT_MS = 10 * 60_000;

/** Why the cluster is not ready; the watch's result is in ctx.shared under READINESS. */
export class NotReadyError extends Error {
	constructor(host: string, readonly result: ReadinessResult) {
		super(result.outcome === 'aborted' ? `${host}: interrupted while waiting for readiness` : `${host}: the cluster is not ready after ${formatDuration(result.elapsedMs)}${result.outcome === 'timeout' && result.lastError ? `: ${result.lastError}` : ''}`);
	}
}

/** kubeadm's node names: the spec's name, else the host's hostname in lower case. */
export function nodeNames(ctx: RunContext): string[] | undefined {
	const names = ctx.hosts.map((h) => h.host.name ?? h.facts?.hostname.toLowerCase());
	return names.every((name): name is string => typeof name === 'string' && name !== '') ? names : undefined;
}

export const waitReadyStep: Step = {
	id: WAIT_READY,
	title: 'Wait until the cluster is ready',
	parallel: false,
	// Waiting is pointless while a host is missing from the cluster: the run stops with that failure.
	wholeCluster: true,
	// A plan changes nothing, so there is nothing to wait for.
	targets: (ctx) => (ctx.dryRun ? [] : [firstControlPlane(ctx)]),
	shouldRun: async () => true,
	async run(ctx, host) {
		const kubeconfig = ctx.shared.get(KUBECONFIG);
		if (typeof kubeconfig !== 'string') throw new Error(`${host.id}: step "${WAIT_READY}": no kubeconfig was fetched`);
		if (!host.remote) throw new Error(`${host.id}: not connected`);
		const timeoutMs = ctx.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
		const cni = ctx.cluster.spec.network.cni;
		ctx.emit({ kind: 'note', step: WAIT_READY, host: host.id, line: `waiting up to ${formatDuration(timeoutMs)} for the cluster to be ready: every node, ${cni === 'cilium' ? 'Cilium' : 'Calico'}, CoreDNS, the system pods and the API through the new kubeconfig` });
		const names = nodeNames(ctx);
		const checkApi = ctx.checkApi ?? checkReadyz;
		const result = await watchReadiness({
			remote: host.remote,
			host: host.id,
			cni,
			...(names ? { nodeNames: names } : {}),
			timeoutMs,
			signal: ctx.signal,
			onVerdict: (verdict, elapsedMs) => ctx.emit({ kind: 'health', step: WAIT_READY, host: host.id, verdict, elapsedMs }),
			apiCheck: () => checkApi(kubeconfig),
			// The route and the follow's lists and renewed watches go to the run's log.
			onNote: (line) => ctx.emit({ kind: 'log', step: WAIT_READY, host: host.id, stream: 'stdout', line }),
		});
		ctx.shared.set(READINESS, result);
		if (result.outcome !== 'ready') throw new NotReadyError(host.id, result);
	},
};
