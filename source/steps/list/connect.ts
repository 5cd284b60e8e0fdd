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

/**
 * The readers' connection (status, check): one SSH connection to the first control plane, where kubectl
 * runs with the admin kubeconfig. Nothing else is contacted, so a reader works while other hosts are down.
 */
export const connectFirstControlPlaneStep: Step = {
	id: 'connect',
	title: 'Connect to the first control plane',
	parallel: false,
	targets: (ctx) => ctx.hosts.filter((h) => h.host.role === 'control-plane').slice(0, 1),
	shouldRun: async (_ctx, host) => host.remote === undefined,
	async run(ctx, host) {
		host.remote = await ctx.connect(host);
	},
};
