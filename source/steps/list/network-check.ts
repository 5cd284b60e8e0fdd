// The install's last step, after wait-ready: the network check (source/steps/check/run.ts) from the
// first control plane. Each path's result is a note as it arrives, then the grid and the causes; the
// install reports success only when every path passes. `install --skip-check` leaves the step out.
import { datapathFromSpec } from '../../cluster/check/datapath.js';
import { gridLines, summaryLines } from '../../cluster/check/report.js';
import type { ProbeResult } from '../../cluster/check/types.js';
import { sshKubectl } from '../check/kubectl-runner.js';
import { runCheck, type CheckOptions } from '../check/run.js';
import { sleep } from '../sleep.js';
import type { Step } from '../types.js';
import { firstControlPlane } from './init-control-plane.js';

export const NETWORK_CHECK = 'network-check';
/** the CheckReport, for the command's closing lines */
export const CHECK_REPORT = 'check-report';
/** target aws: the reader of EC2's facts install puts in ctx.shared (CheckOptions['aws']) */
export const AWS_FACTS = 'aws-facts';
const TIMEOUT_MS = 3 * 60_000;

function line(r: ProbeResult): string {
	const pair = r.probe.to !== undefined && r.probe.to !== r.probe.from ? `${r.probe.from} → ${r.probe.to}` : r.probe.from;
	return `${r.outcome === 'pass' ? '✓' : '✗'} ${r.probe.path} ${pair}${r.outcome === 'fail' ? `: ${r.detail}` : ''}`;
}

export const networkCheckStep: Step = {
	id: NETWORK_CHECK,
	title: 'Check the network (pod to pod per node pair, services, DNS)',
	parallel: false,
	wholeCluster: true,
	targets: (ctx) => (ctx.dryRun ? [] : [firstControlPlane(ctx)]),
	shouldRun: async () => true,
	async run(ctx, host) {
		if (!host.remote) throw new Error(`${host.id}: not connected`);
		const { network } = ctx.cluster.spec;
		const note = (text: string): void => ctx.emit({ kind: 'note', step: NETWORK_CHECK, host: host.id, line: text });
		const printed = new Set<string>();
		const outcome = await runCheck({
			kubectl: sshKubectl(host.remote, host.id),
			datapath: datapathFromSpec(ctx.cluster, !(network.cni === 'cilium' && network.cilium.kubeProxyReplacement)),
			timeoutMs: TIMEOUT_MS,
			keep: false,
			signal: ctx.signal,
			now: () => Date.now(),
			sleep,
			onProgress: (p) => {
				for (const r of p.results) {
					if (r.outcome === 'pending' || printed.has(r.probe.id)) continue;
					printed.add(r.probe.id);
					note(`check: ${line(r)}`);
				}
			},
			log: (text) => note(`check: ${text}`),
			...(ctx.shared.has(AWS_FACTS) ? { aws: ctx.shared.get(AWS_FACTS) as NonNullable<CheckOptions['aws']> } : {}),
		});
		if (outcome.kind === 'aborted') throw new Error(`${host.id}: step "${NETWORK_CHECK}": interrupted; the check namespace was deleted`);
		if (outcome.kind !== 'report') throw new Error(`${host.id}: step "${NETWORK_CHECK}": ${outcome.message}`);
		ctx.shared.set(CHECK_REPORT, outcome.report);
		const report = outcome.report;
		const results: ProbeResult[] = report.paths.map((p) => ({ probe: { id: p.id, path: p.path, from: p.from, ...(p.to !== undefined ? { to: p.to } : {}), target: p.target, how: 'connect', hostNetwork: p.path === 'node-to-pod' }, outcome: p.result === 'not-run' ? 'pending' : p.result, detail: p.detail ?? '' }));
		for (const text of [...gridLines(report.nodes, results), report.nodes.map((n, i) => `${i + 1}=${n.name}`).join('  ')]) note(text);
		const summary = summaryLines(report);
		if (report.result === 'pass') {
			for (const text of summary) note(text);
			return;
		}
		throw new Error(`${host.id}: step "${NETWORK_CHECK}" failed: ${summary.join('\n  ')}\n  run it again with: kubestrap check --config <cluster.yaml> (--keep leaves its namespace for debugging)`);
	},
};
