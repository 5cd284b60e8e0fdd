// The admin kubeconfig, with its server set to an address this machine can reach (the endpoint,
// else the first control plane's SSH address, which kubeadm put in the certificate's SANs).
import { parse, stringify } from 'yaml';
import { splitHostPort } from '../../spec/addresses.js';
import { change } from '../runner.js';
import { API_PORT } from '../kubeadm-config.js';
import type { RunContext, Step } from '../types.js';
import { firstControlPlane } from './init-control-plane.js';

export const KUBECONFIG = 'kubeconfig';
/** where the kubeconfig was saved on this machine */
export const KUBECONFIG_PATH = 'kubeconfig-path';

export function reachableServer(ctx: RunContext): string {
	const endpoint = ctx.cluster.spec.kubernetes.controlPlaneEndpoint;
	if (endpoint !== '') {
		const { host, port } = splitHostPort(endpoint);
		return `https://${host.includes(':') ? `[${host}]` : host}:${port ?? API_PORT}`;
	}
	const address = firstControlPlane(ctx).host.address;
	return `https://${address.includes(':') ? `[${address}]` : address}:${API_PORT}`;
}

/** Points every cluster entry of a kubeconfig at `server`, editing the parsed document. */
export function withServer(kubeconfig: string, server: string): string {
	const doc = parse(kubeconfig) as { clusters?: Array<{ cluster?: { server?: string } }> };
	for (const entry of doc.clusters ?? []) if (entry.cluster) entry.cluster.server = server;
	return stringify(doc, { lineWidth: 0 });
}

export const fetchKubeconfigStep: Step = {
	id: 'kubeconfig',
	title: 'Fetch the admin kubeconfig',
	parallel: false,
	targets: (ctx) => [firstControlPlane(ctx)],
	shouldRun: async () => true,
	async run(ctx, host) {
		await change(ctx, 'kubeconfig', host, `download /etc/kubernetes/admin.conf → ./${ctx.cluster.metadata.name}.kubeconfig (0600, server ${reachableServer(ctx)})`, async () => {
			const remote = host.remote;
			if (!remote) throw new Error(`${host.id}: not connected`);
			const admin = (await remote.download('/etc/kubernetes/admin.conf', { sudo: true })).toString('utf8');
			const kubeconfig = withServer(admin, reachableServer(ctx));
			ctx.shared.set(KUBECONFIG, kubeconfig);
			if (!ctx.saveFile) return;
			const path = await ctx.saveFile(`${ctx.cluster.metadata.name}.kubeconfig`, kubeconfig);
			ctx.shared.set(KUBECONFIG_PATH, path);
			ctx.emit({ kind: 'note', step: 'kubeconfig', host: host.id, line: `kubeconfig: ${path} (mode 0600)` });
		});
	},
};
