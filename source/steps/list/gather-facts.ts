// Reads OS, kernel, architecture, host name, cgroup version, swap and existing Kubernetes state.
import { read } from '../exec.js';
import { FACTS_SCRIPT, parseFacts } from '../rules/facts-script.js';
import type { Step } from '../types.js';

export const gatherFactsStep: Step = {
	id: 'facts',
	title: 'Gather facts',
	// Every host must be reachable and known before anything changes on any of them.
	gate: true,
	parallel: true,
	targets: (ctx) => ctx.hosts,
	shouldRun: async () => true,
	async run(ctx, host) {
		host.facts = parseFacts(await read(ctx, 'facts', host, ['sh', '-c', FACTS_SCRIPT]));
	},
};
