// Opens the one SSH connection each host keeps for the whole run.
import type { Step } from '../types.js';

export const connectStep: Step = {
	id: 'connect',
	title: 'Connect',
	// Every host must be reachable and known before anything changes on any of them.
	gate: true,
	parallel: true,
	targets: (ctx) => ctx.hosts,
	shouldRun: async (_ctx, host) => host.remote === undefined,
	async run(ctx, host) {
		host.remote = await ctx.connect(host);
	},
};
