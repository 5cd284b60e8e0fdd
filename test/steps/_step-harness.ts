// One step on scripted fake hosts: a RunContext over a small spec whose hosts are FakeRemotes, for the
// per-step tests (what a step sends, its shouldRun on the real state, its dry run).
import { stringify } from 'yaml';
import { resolveSpec } from '../../source/spec/resolve.js';
import type { Cluster } from '../../source/spec/types.js';
import { parseFacts } from '../../source/steps/rules/facts-script.js';
import type { RunContext, StepEvent, StepHost } from '../../source/steps/types.js';
import { baremetalBase, withPaths } from '../spec/_base.js';
import { FakeRemote, freshHost, type FakeHostState } from './_fake-remote.js';

export const HOSTS = [
	{ address: '192.0.2.10', role: 'control-plane', privateAddress: '10.0.0.10' },
	{ address: '192.0.2.11', role: 'worker', privateAddress: '10.0.0.11' },
];

export function specCluster(changes: Record<string, unknown> = {}): Cluster {
	const result = resolveSpec({ file: { content: stringify(withPaths(baremetalBase(), { 'spec.hosts': HOSTS, ...changes })), name: 'c.yaml' } });
	if (!result.ok) throw new Error(JSON.stringify(result.problems));
	return result.cluster;
}

export interface StepHarness {
	ctx: RunContext;
	remotes: FakeRemote[];
	events: StepEvent[];
	/** the argv of every call a host received, sudo marked */
	sent(index: number): string[];
}

/**
 * Hosts already connected (`connected: false` leaves them for the connect step) and, unless
 * `facts: false`, with the facts their fake state reports.
 */
export function stepHarness(options: { cluster?: Cluster; dryRun?: boolean; states?: Array<Partial<FakeHostState>>; connected?: boolean; facts?: boolean } = {}): StepHarness {
	const cluster = options.cluster ?? specCluster();
	const events: StepEvent[] = [];
	const remotes = cluster.spec.hosts.map((host, i) => new FakeRemote(freshHost(`node-${i}`, options.states?.[i] ?? {})));
	const hosts: StepHost[] = cluster.spec.hosts.map((host, i) => {
		const remote = remotes[i] as FakeRemote;
		return {
			host,
			id: host.address,
			...(options.connected === false ? {} : { remote }),
			...(options.facts === false ? {} : { facts: parseFacts(remote.factsText()) }),
		};
	});
	const ctx: RunContext = {
		cluster, hosts, dryRun: options.dryRun === true, concurrency: 10, signal: new AbortController().signal, shared: new Map(),
		emit: (event) => events.push(event),
		secret: () => undefined,
		now: () => Date.now(),
		connect: async (host) => remotes[cluster.spec.hosts.indexOf(host.host)] as FakeRemote,
	};
	return { ctx, remotes, events, sent: (index) => (remotes[index]?.calls ?? []).map((call) => `${call.sudo ? 'sudo ' : ''}${call.argv.join(' ')}`) };
}
