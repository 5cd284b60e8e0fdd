// Deletes the bootstrap token once the joins are done, so no join secret stays valid after the run
// (kubeadm's default lifetime is 24 hours; ours is 30 minutes, and now not even that). Only the token's
// public ID goes on the command line. A later run that joins a host makes a new token.
import type { JoinCredentials } from '../kubeadm-config.js';
import { run } from '../exec.js';
import type { Step } from '../types.js';
import { firstControlPlane } from './init-control-plane.js';
import { CREDENTIALS } from './join-credentials.js';

export function tokenId(token: string): string {
	return token.split('.')[0] ?? '';
}

export const deleteTokenStep: Step = {
	id: 'delete-token',
	title: 'Delete the bootstrap token',
	parallel: false,
	targets: (ctx) => [firstControlPlane(ctx)],
	shouldRun: async (ctx) => (ctx.shared.has(CREDENTIALS) || ctx.dryRun ? true : 'no token was made in this run'),
	async run(ctx, host) {
		const credentials = ctx.shared.get(CREDENTIALS) as JoinCredentials | undefined;
		if (!credentials) {
			ctx.emit({ kind: 'plan', step: 'delete-token', host: host.id, action: 'sudo kubeadm token delete <the join token\'s ID>, when a token was made' });
			return;
		}
		await run(ctx, 'delete-token', host, ['kubeadm', 'token', 'delete', tokenId(credentials.token)], { sudo: true });
		ctx.shared.delete(CREDENTIALS);
	},
};
