// `kubestrap kubeconfig`'s one step: the admin kubeconfig from the first control plane that answers
// (read-only: nothing on any host changes), renamed after the cluster with its server set to an
// address this machine reaches. A control plane that does not answer is noted and the next one tried.
import { namedKubeconfig } from '../../cluster/kubeconfig-merge.js';
import { ADMIN_KUBECONFIG } from '../../cluster/kubectl.js';
import { reachableServer } from '../list/fetch-kubeconfig.js';
import { StepError, type Step } from '../types.js';

export const FETCHED = 'fetched-kubeconfig';

export const fetchAdminStep: Step = {
	id: 'fetch-kubeconfig',
	title: 'Fetch the admin kubeconfig',
	parallel: false,
	targets: (ctx) => ctx.hosts.filter((h) => h.host.role === 'control-plane').slice(0, 1),
	shouldRun: async (ctx) => (ctx.shared.has(FETCHED) ? 'already fetched' : true),
	async run(ctx, reported) {
		const problems: string[] = [];
		for (const host of ctx.hosts.filter((h) => h.host.role === 'control-plane')) {
			try {
				host.remote ??= await ctx.connect(host);
				const admin = (await host.remote.download(ADMIN_KUBECONFIG, { sudo: true })).toString('utf8');
				ctx.shared.set(FETCHED, namedKubeconfig(admin, ctx.cluster.metadata.name, reachableServer(ctx)));
				ctx.emit({ kind: 'log', step: 'fetch-kubeconfig', host: host.id, stream: 'stdout', line: `${ADMIN_KUBECONFIG} fetched` });
				return;
			} catch (error) {
				if (ctx.signal.aborted) throw error;
				problems.push(`${host.id}: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
			}
		}
		throw new StepError(reported.id, 'fetch-kubeconfig', `download ${ADMIN_KUBECONFIG}`, 1, [...problems, 'no control plane gave the admin kubeconfig; is the cluster installed?']);
	},
};
