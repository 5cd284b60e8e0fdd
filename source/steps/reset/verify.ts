// Success only when it is true: after the clean, every host is read again and must have nothing left
// of Kubernetes, the CNI or kubestrap (files, links, rules, nftables tables, BPF pins, a running
// kubelet, the packages when they were to go). A leftover fails the host, naming what is left.
import { StepError, type Step } from '../types.js';
import { inspectHost, leftovers } from './inspect.js';
import { scopeOf, targetHosts, unreachableAdvice } from './scope.js';

export const verifyCleanStep: Step = {
	id: 'verify',
	title: 'Verify the hosts are clean',
	parallel: true,
	targets: targetHosts,
	async shouldRun(ctx, host) {
		if (ctx.dryRun) return 'dry run: nothing was cleaned';
		return unreachableAdvice(ctx, host) ?? true;
	},
	async run(ctx, host) {
		const left = leftovers(await inspectHost(ctx, 'verify', host, scopeOf(ctx).removePackages));
		if (left.length > 0) throw new StepError(host.id, 'verify', 'the check after cleaning', 1, ['still on the host:', ...left]);
		ctx.emit({ kind: 'log', step: 'verify', host: host.id, stream: 'stdout', line: 'clean: no Kubernetes, CNI or kubestrap files, links, rules or BPF pins left' });
	},
};
