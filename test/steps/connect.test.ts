// The connect step: one connection per host, opened once; a host already connected is skipped; a
// host that cannot be reached fails the gate before anything else runs.
import test from 'ava';
import { connectStep } from '../../source/steps/list/connect.js';
import { gatherFactsStep } from '../../source/steps/list/gather-facts.js';
import { runSteps } from '../../source/steps/runner.js';
import { stepHarness } from './_step-harness.js';

test('connects every host once and keeps the connection on the host; nothing is sent', async (t) => {
	const h = stepHarness({ connected: false, facts: false });
	let opened = 0;
	const connect = h.ctx.connect;
	h.ctx.connect = async (host) => (opened++, connect(host));
	const outcome = await runSteps(h.ctx, [connectStep]);
	t.deepEqual(outcome.failures, []);
	t.is(opened, 2);
	t.true(h.ctx.hosts.every((host, i) => host.remote === h.remotes[i]));
	t.deepEqual([h.sent(0), h.sent(1)], [[], []]);
});

test('shouldRun: a host with a connection is not connected again', async (t) => {
	const h = stepHarness({ facts: false });
	t.is(await connectStep.shouldRun(h.ctx, h.ctx.hosts[0]!), false);
	const fresh = stepHarness({ connected: false, facts: false });
	t.is(await connectStep.shouldRun(fresh.ctx, fresh.ctx.hosts[0]!), true);
});

test('an unreachable host fails the gate: no later step runs on any host', async (t) => {
	const h = stepHarness({ connected: false, facts: false });
	const connect = h.ctx.connect;
	h.ctx.connect = async (host) => {
		if (host.id === '192.0.2.11') throw new Error('host 192.0.2.11:22: cannot connect (connect ECONNREFUSED)');
		return connect(host);
	};
	const outcome = await runSteps(h.ctx, [connectStep, gatherFactsStep]);
	t.deepEqual(outcome.failures.map((f) => `${f.step} ${f.host}`), ['connect 192.0.2.11']);
	t.deepEqual(h.sent(0), [], 'facts were not gathered on the reachable host either');
});

test('a dry run connects too (a plan reads the hosts) and changes nothing', async (t) => {
	const h = stepHarness({ connected: false, facts: false, dryRun: true });
	const outcome = await runSteps(h.ctx, [connectStep]);
	t.deepEqual(outcome.failures, []);
	t.true(h.ctx.hosts.every((host) => host.remote !== undefined));
	t.deepEqual(h.events.filter((e) => e.kind === 'plan'), []);
});
