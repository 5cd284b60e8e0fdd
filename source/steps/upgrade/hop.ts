// One hop of an upgrade (one Kubernetes minor, or the newest patch of the current one), as ordered steps,
// in kubeadm's documented order: the package repository of the new minor on every host; the exact version;
// the first control plane (`kubeadm upgrade plan`, `kubeadm upgrade apply`); the other control planes
// (`kubeadm upgrade node`); then every node's kubelet — control planes one by one, workers
// --max-unavailable at a time — drained, upgraded, restarted, Ready at the new version, uncordoned.
import type { Hop } from '../../cluster/upgrade/plan.js';
import { probe, read, run, write } from '../exec.js';
import { kubectl } from '../../cluster/kubectl.js';
import { configureRepo, installKubePackages, newestPublished, repoNamesMinor } from '../list/kube-packages.js';
import { firstControlPlane, CONFIG_DIR } from '../list/init-control-plane.js';
import { StepError, type RunContext, type Step, type StepHost } from '../types.js';
import { apiServerVersion, nodeNameOf, plainVersion } from './cluster-state.js';
import { blockingPods, drainBlockOf, drainCommand, uncordonCommand } from './drain.js';
import { clearCordoned, markCordoned } from './cordoned.js';
import { UPGRADE_CONFIG, upgradeConfig } from './upgrade-config.js';
import { waitNodeAt } from './wait-node.js';

/** ctx.shared key: the node whose kubelet upgrade failed; later nodes are not started */
const STOPPED = 'upgrade-stopped-at';

/** ctx.shared key of the exact version of the hop to `minor` */
export function hopVersionKey(minor: string): string {
	return `upgrade-version-${minor}`;
}

export function hopVersion(ctx: RunContext, hop: Hop): string {
	const version = ctx.shared.get(hopVersionKey(hop.to));
	if (typeof version === 'string') return version;
	if (ctx.dryRun) return `${hop.to}.<newest>`;
	throw new Error(`the exact version of the ${hop.to} hop was not settled`);
}

async function kubeadmVersion(ctx: RunContext, step: string, host: StepHost): Promise<string | undefined> {
	const result = await probe(ctx, step, host, ['kubeadm', 'version', '-o', 'short']);
	return result.code === 0 ? plainVersion(result.stdout.trim()) : undefined;
}

/** The node's kubelet version as the API server reports it. */
async function kubeletOf(ctx: RunContext, step: string, first: StepHost, node: string): Promise<{ version: string; unschedulable: boolean }> {
	const text = await read(ctx, step, first, kubectl('get', 'node', node, '-o', 'json'), { sudo: true });
	const parsed = JSON.parse(text) as { spec?: { unschedulable?: boolean }; status?: { nodeInfo?: { kubeletVersion?: string } } };
	return { version: plainVersion(parsed.status?.nodeInfo?.kubeletVersion ?? ''), unschedulable: parsed.spec?.unschedulable === true };
}

function repoStep(hop: Hop): Step {
	const id = `repo-${hop.to}`;
	return {
		id, title: `pkgs.k8s.io ${hop.to} repository`, parallel: true,
		targets: (ctx) => ctx.hosts,
		shouldRun: async (ctx, host) => !(await repoNamesMinor(ctx, id, host, hop.to)) || 'already points at this minor',
		run: (ctx, host) => configureRepo(ctx, id, host, hop.to),
	};
}

/**
 * The exact version of a hop: the spec's patch, the one an earlier run chose (journal), else the newest patch
 * the first control plane's repository offers — asked in a plan too whenever the repository already points
 * at the hop's minor (reads only; `refresh` allows the apt-get update a real run may need).
 */
export async function hopTarget(ctx: RunContext, step: string, host: StepHost, hop: Hop, refresh: boolean): Promise<{ version?: string; why: string }> {
	if (hop.patch) return { version: hop.patch, why: 'named in the spec' };
	const recorded = ctx.journal?.value(hopVersionKey(hop.to));
	if (recorded !== undefined) return { version: recorded, why: 'chosen by the earlier run (journal)' };
	return newestPublished(ctx, step, host, hop.to, refresh);
}

function versionStep(hop: Hop): Step {
	const id = `version-${hop.to}`;
	return {
		id, title: `Kubernetes ${hop.to}: exact version`, parallel: false, gate: true,
		targets: (ctx) => [firstControlPlane(ctx)],
		shouldRun: async () => true,
		async run(ctx, host) {
			const { version, why } = await hopTarget(ctx, id, host, hop, !ctx.dryRun);
			if (version === undefined) {
				if (ctx.dryRun) return ctx.emit({ kind: 'plan', step: id, host: host.id, action: `Kubernetes ${why}` });
				throw new Error(`${host.id}: the package repository offers no Kubernetes ${hop.to} release`);
			}
			ctx.shared.set(hopVersionKey(hop.to), version);
			ctx.emit({ kind: 'log', step: id, host: host.id, stream: 'stdout', line: `target v${version} (${why})` });
			if (ctx.dryRun) ctx.emit({ kind: 'plan', step: id, host: host.id, action: `Kubernetes v${version} (${why})` });
			else await ctx.journal?.remember(hopVersionKey(hop.to), version);
		},
	};
}

/** kubeadm itself first (unhold, install, hold), as the upgrade page does on every node. */
async function upgradeKubeadm(ctx: RunContext, step: string, host: StepHost, version: string): Promise<void> {
	if ((await kubeadmVersion(ctx, step, host)) === version) return;
	await installKubePackages(ctx, step, host, version, { packages: ['kubeadm'], upgrade: true });
}

function applyStep(hop: Hop): Step {
	const id = `kubeadm-apply-${hop.to}`;
	return {
		id, title: `kubeadm upgrade apply (first control plane, ${hop.to})`, parallel: false, gate: true,
		targets: (ctx) => [firstControlPlane(ctx)],
		async shouldRun(ctx, host) {
			const target = hopVersion(ctx, hop);
			const running = await apiServerVersion(ctx, id, host);
			return running !== target || `the control plane runs v${running}`;
		},
		async run(ctx, host) {
			const version = hopVersion(ctx, hop);
			await upgradeKubeadm(ctx, id, host, version);
			// plan checks the cluster can move (and prints what moves); a refusal stops here, before apply.
			await run(ctx, id, host, ['kubeadm', 'upgrade', 'plan', `v${version}`], { sudo: true, timeoutMs: 10 * 60_000 });
			await run(ctx, id, host, ['mkdir', '-p', '-m', '700', CONFIG_DIR], { sudo: true });
			await write(ctx, id, host, UPGRADE_CONFIG, upgradeConfig(version, host.host), 0o600);
			await run(ctx, id, host, ['kubeadm', 'upgrade', 'apply', '--config', UPGRADE_CONFIG, '--yes'], { sudo: true, timeoutMs: 20 * 60_000 });
		},
	};
}

function nodeStep(hop: Hop): Step {
	const id = `kubeadm-node-${hop.to}`;
	return {
		id, title: `kubeadm upgrade node (other control planes, ${hop.to})`, parallel: false, gate: true,
		targets: (ctx) => ctx.hosts.filter((h) => h.host.role === 'control-plane' && h !== firstControlPlane(ctx)),
		async shouldRun(ctx, host) {
			const done = ctx.journal?.get(id, host.id)?.status === 'done';
			return !(done && (await kubeadmVersion(ctx, id, host)) === hopVersion(ctx, hop)) || 'already upgraded';
		},
		async run(ctx, host) {
			const version = hopVersion(ctx, hop);
			await upgradeKubeadm(ctx, id, host, version);
			await write(ctx, id, host, UPGRADE_CONFIG, upgradeConfig(version, host.host), 0o600);
			await run(ctx, id, host, ['kubeadm', 'upgrade', 'node', '--config', UPGRADE_CONFIG], { sudo: true, timeoutMs: 20 * 60_000 });
		},
	};
}

/** Drain; on a worker `kubeadm upgrade node`; kubelet and kubectl; restart; Ready at the new version; uncordon. */
async function upgradeKubelet(ctx: RunContext, step: string, host: StepHost, hop: Hop): Promise<void> {
	const first = firstControlPlane(ctx);
	const node = nodeNameOf(host);
	const version = hopVersion(ctx, hop);
	// Each node's move shows on the live view (and in the log) as it happens: drained, kubelet swapped, Ready.
	const progress = (line: string): void => {
		const detail = `${node} → v${version}: ${line}`;
		ctx.emit({ kind: 'host', step, host: host.id, state: 'running', detail });
		ctx.emit({ kind: 'log', step, host: host.id, stream: 'stdout', line: detail });
	};
	if (!ctx.dryRun) progress('draining');
	// From here the node may be cordoned by this run, until it is uncordoned: a stop names it (cordoned.ts).
	if (!ctx.dryRun) markCordoned(ctx, node);
	const drained = ctx.dryRun ? undefined : await probe(ctx, step, first, drainCommand(node), { sudo: true, timeoutMs: 7 * 60_000 });
	if (ctx.dryRun) ctx.emit({ kind: 'plan', step, host: host.id, action: `sudo ${drainCommand(node).join(' ')}` });
	if (drained && drained.code !== 0) {
		const output = `${drained.stdout}\n${drained.stderr}`;
		const pods = blockingPods(output);
		// kubectl names the pods, not the budgets: those are read from the API and matched to the pods' labels.
		const block = pods.length > 0 ? await drainBlockOf(ctx, step, first, node, pods) : undefined;
		// Nothing on the node changed yet, so it goes back into service rather than staying cordoned unseen.
		const back = await probe(ctx, step, first, uncordonCommand(node), { sudo: true });
		if (back.code === 0) clearCordoned(ctx, node);
		const state = back.code === 0 ? `node ${node} was uncordoned again and still runs v${(await kubeletOf(ctx, step, first, node)).version}` : `node ${node} is still CORDONED (uncordon failed: ${back.stderr.trim()}); run: kubectl uncordon ${node}`;
		const todo = typeof block === 'object' ? [...block.budgets, ...block.todo]
			: [`what to do: let the PodDisruptionBudget allow one more disruption (more replicas, or a lower minAvailable), or delete the stuck pod${typeof block === 'string' ? ` (the PodDisruptionBudgets could not be read: ${block})` : ''}`];
		throw new StepError(host.id, step, drainCommand(node).join(' '), drained.code, [
			...output.trim().split('\n').slice(-8),
			`the drain of ${node} could not finish${pods.length ? `; blocking pods: ${pods.join(', ')}` : ''}`,
			...todo,
			`then run kubestrap upgrade again: it resumes at ${node}`,
			state,
		]);
	}
	if (host.host.role === 'worker') {
		await upgradeKubeadm(ctx, step, host, version);
		await write(ctx, step, host, UPGRADE_CONFIG, upgradeConfig(version, host.host), 0o600);
		await run(ctx, step, host, ['kubeadm', 'upgrade', 'node', '--config', UPGRADE_CONFIG], { sudo: true, timeoutMs: 20 * 60_000 });
	}
	await installKubePackages(ctx, step, host, version, { packages: ['kubelet', 'kubectl'], upgrade: true });
	await run(ctx, step, host, ['systemctl', 'daemon-reload'], { sudo: true });
	await run(ctx, step, host, ['systemctl', 'restart', 'kubelet'], { sudo: true });
	if (!ctx.dryRun) progress('kubelet restarted, waiting until the node is Ready at the new version');
	if (!ctx.dryRun) await waitNodeAt(ctx, step, first, node, version);
	await run(ctx, step, first, uncordonCommand(node), { sudo: true });
	clearCordoned(ctx, node);
	if (!ctx.dryRun) progress('Ready, uncordoned');
}

function kubeletStep(hop: Hop, role: 'control-plane' | 'worker'): Step {
	const id = `kubelet-${role === 'worker' ? 'workers' : 'control-planes'}-${hop.to}`;
	return {
		id, title: `kubelet ${hop.to} on the ${role === 'worker' ? 'workers' : 'control planes'}: drain, upgrade, Ready, uncordon`,
		parallel: role === 'worker',
		targets: (ctx) => ctx.hosts.filter((h) => h.host.role === role),
		async shouldRun(ctx, host) {
			// After one node's failure the upgrade stops: no further node is drained behind it.
			const stopped = ctx.shared.get(STOPPED);
			if (typeof stopped === 'string') return `not started: the upgrade stopped at ${stopped}`;
			if (ctx.dryRun && ctx.shared.get(hopVersionKey(hop.to)) === undefined) return true;
			const state = await kubeletOf(ctx, id, firstControlPlane(ctx), nodeNameOf(host));
			if (state.version !== hopVersion(ctx, hop)) return true;
			// Upgraded but left cordoned by an interrupted run: finish it.
			if (state.unschedulable) {
				await run(ctx, id, firstControlPlane(ctx), uncordonCommand(nodeNameOf(host)), { sudo: true });
				return `kubelet v${state.version}; uncordoned what an earlier run left cordoned`;
			}
			return `kubelet v${state.version}`;
		},
		async run(ctx, host) {
			try {
				await upgradeKubelet(ctx, id, host, hop);
			} catch (error) {
				ctx.shared.set(STOPPED, nodeNameOf(host));
				throw error;
			}
		},
	};
}

export function hopSteps(hop: Hop, cniStep?: Step | readonly Step[]): Step[] {
	const cni: readonly Step[] = cniStep === undefined ? [] : Array.isArray(cniStep) ? cniStep : [cniStep as Step];
	return [
		repoStep(hop),
		versionStep(hop),
		...(hop.cniBefore ? cni : []),
		applyStep(hop),
		nodeStep(hop),
		...(!hop.cniBefore ? cni : []),
		kubeletStep(hop, 'control-plane'),
		kubeletStep(hop, 'worker'),
	];
}
