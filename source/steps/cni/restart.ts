// Makes a changed CNI configuration live: Cilium and calico-node read their configuration once, at
// start, so after the apply the agents restart one node at a time (the agent pod deleted, its
// replacement Ready, then the next node — as the upgrade's workers), then the operator, and success is
// reported only when every agent on every node started after the change. The moment of the change is
// kept in the journal, so an interrupted run restarts the rest on the next run. First waits for the agent
// DaemonSet's own rollout (a new release changes the pod template, and the DaemonSet rolls the pods itself).
import type { CniChange } from '../../cluster/cni/change.js';
import { kubectl } from '../../cluster/kubectl.js';
import { probe, read, run } from '../exec.js';
import { firstControlPlane } from '../list/init-control-plane.js';
import type { RunContext, Step, StepHost } from '../types.js';
import { CNI_CHANGE, CNI_RELEASE_CHANGE } from './check.js';
import { pause } from './wait.js';

export const RESTART_STEP = 'restart-cni-agents';
/** journal values: the API server's clock (epoch seconds) just before the changed configuration was applied */
export const RESTART_SINCE = 'cni-restart-since';
export const RESTART_OPERATOR = 'cni-restart-operator';
export const AGENT_TIMEOUT_MS = 5 * 60_000;

export interface AgentPod {
	name: string;
	node: string;
	/** epoch seconds */
	created: number;
	ready: boolean;
	terminating: boolean;
}

interface Agent { daemonSet: string; label: string; name: string; operator?: string }

export function agentOf(ctx: RunContext): Agent {
	return ctx.cluster.spec.network.cni === 'cilium'
		? { daemonSet: 'cilium', label: 'k8s-app=cilium', name: 'Cilium agent', operator: 'cilium-operator' }
		: { daemonSet: 'calico-node', label: 'k8s-app=calico-node', name: 'calico-node' };
}

/** The agent pods from `kubectl get pods -l … -o json` (pure), in node order. */
export function agentPods(text: string): AgentPod[] {
	const parsed = JSON.parse(text) as { items?: Array<{ metadata?: { name?: string; creationTimestamp?: string; deletionTimestamp?: string }; spec?: { nodeName?: string }; status?: { conditions?: Array<{ type?: string; status?: string }> } }> };
	return (parsed.items ?? []).map((pod) => ({
		name: pod.metadata?.name ?? '',
		node: pod.spec?.nodeName ?? '',
		created: Math.floor(Date.parse(pod.metadata?.creationTimestamp ?? '') / 1000),
		ready: (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
		terminating: pod.metadata?.deletionTimestamp !== undefined,
	})).sort((a, b) => a.node.localeCompare(b.node) || a.name.localeCompare(b.name));
}

/** Whether a DaemonSet or Deployment finished rolling out, from its JSON (pure). */
export function rolledOut(text: string): boolean {
	const o = JSON.parse(text) as { kind?: string; metadata?: { generation?: number }; spec?: { replicas?: number }; status?: Record<string, number | undefined> };
	const s = o.status ?? {};
	if ((s['observedGeneration'] ?? 0) < (o.metadata?.generation ?? 0)) return false;
	if (o.kind === 'DaemonSet') {
		const desired = s['desiredNumberScheduled'] ?? 0;
		return (s['updatedNumberScheduled'] ?? 0) === desired && (s['numberReady'] ?? 0) === desired && (s['numberUnavailable'] ?? 0) === 0;
	}
	const wanted = o.spec?.replicas ?? 1;
	return (s['updatedReplicas'] ?? 0) === wanted && (s['readyReplicas'] ?? 0) === wanted && (s['replicas'] ?? 0) === wanted;
}

/** Called by the apply step just before a changed configuration is applied: remembers the moment. */
export async function markRestart(ctx: RunContext, step: string, host: StepHost): Promise<void> {
	const change = ctx.shared.get(CNI_CHANGE) as CniChange | undefined;
	if (ctx.dryRun || !change?.restartAgents) return;
	const since = (await read(ctx, step, host, ['date', '+%s'])).trim();
	ctx.shared.set(RESTART_SINCE, since);
	await ctx.journal?.remember(RESTART_SINCE, since);
	if (change.restartOperator) await ctx.journal?.remember(RESTART_OPERATOR, 'yes');
}

function pending(ctx: RunContext): { since?: number; operator: boolean } {
	const since = (ctx.shared.get(RESTART_SINCE) as string | undefined) ?? ctx.journal?.value(RESTART_SINCE);
	const operator = (ctx.shared.get(CNI_CHANGE) as CniChange | undefined)?.restartOperator === true || ctx.journal?.value(RESTART_OPERATOR) === 'yes';
	return { ...(since ? { since: Number(since) } : {}), operator };
}

async function waitRolledOut(ctx: RunContext, host: StepHost, kind: string, name: string): Promise<void> {
	const deadline = ctx.now() + AGENT_TIMEOUT_MS * 2;
	while (!ctx.signal.aborted) {
		const result = await probe(ctx, RESTART_STEP, host, kubectl('-n', 'kube-system', 'get', kind, name, '-o', 'json'), { sudo: true });
		if (result.code === 0 && rolledOut(result.stdout)) return;
		if (ctx.now() > deadline) throw new Error(`${host.id}: step "${RESTART_STEP}" failed: ${kind} kube-system/${name} did not finish rolling out within ${(AGENT_TIMEOUT_MS * 2) / 60_000} min (kubestrap status names the pods that are not ready); re-run to continue`);
		await pause(1000, ctx.signal);
	}
	throw new Error(`interrupted while ${kind} ${name} rolled out; re-run to continue`);
}

async function listAgents(ctx: RunContext, host: StepHost, agent: Agent): Promise<AgentPod[]> {
	return agentPods(await read(ctx, RESTART_STEP, host, kubectl('-n', 'kube-system', 'get', 'pods', '-l', agent.label, '-o', 'json'), { sudo: true }));
}

/** Waits until the node has a Ready agent pod that started after `since` (the replacement). */
async function waitReplacement(ctx: RunContext, host: StepHost, agent: Agent, node: string, since: number): Promise<void> {
	const deadline = ctx.now() + AGENT_TIMEOUT_MS;
	while (!ctx.signal.aborted) {
		const pods = (await listAgents(ctx, host, agent)).filter((p) => p.node === node);
		if (pods.some((p) => p.created >= since && p.ready && !p.terminating)) return;
		if (ctx.now() > deadline) {
			throw new Error(`${host.id}: step "${RESTART_STEP}" failed: the ${agent.name} on ${node} was restarted but is not ready after ${AGENT_TIMEOUT_MS / 60_000} min (${pods.map((p) => p.name).join(', ') || 'no pod'}); the nodes after it were not restarted: fix it (kubestrap status), then re-run`);
		}
		await pause(1000, ctx.signal);
	}
	throw new Error(`interrupted while the ${agent.name} on ${node} restarted; re-run to restart the rest`);
}

export const restartAgentsStep: Step = {
	id: RESTART_STEP,
	title: 'Restart the CNI agents node by node so a changed configuration takes effect',
	parallel: false,
	targets: (ctx) => [firstControlPlane(ctx)],
	async shouldRun(ctx) {
		if (pending(ctx).since !== undefined || ctx.shared.has(CNI_RELEASE_CHANGE)) return true;
		if ((ctx.shared.get(CNI_CHANGE) as CniChange | undefined)?.restartAgents) return true;
		return 'no CNI configuration changed';
	},
	async run(ctx, host) {
		const agent = agentOf(ctx);
		const { since, operator } = pending(ctx);
		if (ctx.dryRun) {
			ctx.emit({ kind: 'plan', step: RESTART_STEP, host: host.id, action: `wait for DaemonSet kube-system/${agent.daemonSet} to roll out; then for each node in turn delete its ${agent.name} pod and wait until the new one is ready${agent.operator && operator ? `; then kubectl rollout restart deployment/${agent.operator}` : ''}` });
			return;
		}
		await waitRolledOut(ctx, host, 'daemonset', agent.daemonSet);
		if (since !== undefined) {
			for (const pod of await listAgents(ctx, host, agent)) {
				if (pod.created >= since || pod.terminating) continue;
				ctx.emit({ kind: 'note', step: RESTART_STEP, host: host.id, line: `restarting the ${agent.name} on ${pod.node} (${pod.name})` });
				await run(ctx, RESTART_STEP, host, kubectl('-n', 'kube-system', 'delete', 'pod', pod.name, '--wait=true'), { sudo: true });
				await waitReplacement(ctx, host, agent, pod.node, since);
				ctx.emit({ kind: 'note', step: RESTART_STEP, host: host.id, line: `the ${agent.name} on ${pod.node} is ready again` });
			}
			if (agent.operator && operator) {
				await run(ctx, RESTART_STEP, host, kubectl('-n', 'kube-system', 'rollout', 'restart', `deployment/${agent.operator}`), { sudo: true });
				await waitRolledOut(ctx, host, 'deployment', agent.operator);
				ctx.emit({ kind: 'note', step: RESTART_STEP, host: host.id, line: `${agent.operator} restarted` });
			}
			// Verified, not assumed: every agent running now started after the change.
			const stale = (await listAgents(ctx, host, agent)).filter((p) => !p.terminating && (p.created < since || !p.ready));
			if (stale.length > 0) throw new Error(`${host.id}: step "${RESTART_STEP}" failed: ${stale.map((p) => `${p.name} on ${p.node}`).join(', ')} still run${stale.length === 1 ? 's' : ''} without the new configuration or is not ready; re-run to restart ${stale.length === 1 ? 'it' : 'them'}`);
			await ctx.journal?.remember(RESTART_SINCE, '');
			await ctx.journal?.remember(RESTART_OPERATOR, '');
			ctx.shared.delete(RESTART_SINCE);
			ctx.emit({ kind: 'note', step: RESTART_STEP, host: host.id, line: `the new ${ctx.cluster.spec.network.cni === 'cilium' ? 'Cilium' : 'Calico'} configuration is live: every agent started after the change` });
		}
	},
};
