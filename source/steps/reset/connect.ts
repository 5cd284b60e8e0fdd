// Connects to the hosts a reset needs (those being reset and the control planes): unlike install, a host
// that does not answer does not stop the run. It is reported with what to do and skipped; a node being
// removed is still drained, deleted and taken out of etcd from a control plane that stays.
import type { Step } from '../types.js';
import { scopeOf } from './scope.js';

export const resetConnectStep: Step = {
	id: 'connect',
	title: 'Connect',
	parallel: true,
	targets: (ctx) => {
		const scope = scopeOf(ctx);
		return ctx.hosts.filter((h) => scope.targets.has(h.id) || h.host.role === 'control-plane');
	},
	shouldRun: async (_ctx, host) => host.remote === undefined,
	async run(ctx, host) {
		try {
			host.remote = await ctx.connect(host);
		} catch (error) {
			if (ctx.signal.aborted) throw error;
			const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'no answer';
			// A changed host key is not "unreachable": it is refused, as everywhere else.
			if (/host key/i.test(message) && !/timed out|ECONNREFUSED|EHOSTUNREACH|ETIMEDOUT/.test(message)) throw error;
			scopeOf(ctx).unreachable.set(host.id, message);
			ctx.emit({ kind: 'log', step: 'connect', host: host.id, stream: 'stderr', line: `unreachable: ${message}` });
		}
	},
};
