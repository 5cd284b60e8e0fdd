// The facts step: one read-only command per host (the fixed facts script), its output parsed into the
// host's facts, in a dry run as well; a host whose script fails is named with the step.
import test from 'ava';
import { gatherFactsStep } from '../../source/steps/list/gather-facts.js';
import { FACTS_SCRIPT } from '../../source/steps/rules/facts-script.js';
import { runSteps } from '../../source/steps/runner.js';
import { stepHarness } from './_step-harness.js';

for (const dryRun of [false, true]) {
	test(`one command per host, the facts parsed onto the host${dryRun ? ' (dry run: the same read)' : ''}`, async (t) => {
		const h = stepHarness({ facts: false, dryRun, states: [{ kernel: '6.8.0-60-generic', osId: 'ubuntu', osVersion: '24.04' }, { swapOn: false, sudo: { status: 1, error: 'sudo: a password is required' } }] });
		const outcome = await runSteps(h.ctx, [gatherFactsStep]);
		t.deepEqual(outcome.failures, []);
		t.deepEqual(h.sent(0), [`sh -c ${FACTS_SCRIPT}`]);
		t.deepEqual(h.sent(1), [`sh -c ${FACTS_SCRIPT}`]);
		const [cp, worker] = h.ctx.hosts;
		t.like(cp!.facts, { osId: 'ubuntu', osVersion: '24.04', kernel: '6.8.0-60-generic', hostname: 'node-0', swapOn: true, packageManager: 'apt', sudoStatus: 0 });
		t.like(worker!.facts, { hostname: 'node-1', swapOn: false, sudoStatus: 1, sudoError: 'sudo: a password is required' });
	});
}

test('shouldRun: facts are always read again (they are the real state later steps decide on)', async (t) => {
	const h = stepHarness();
	t.is(await gatherFactsStep.shouldRun(h.ctx, h.ctx.hosts[0]!), true);
});

test('a failing facts script fails that host, naming the step and the output', async (t) => {
	const h = stepHarness({ facts: false, states: [{}, { failures: new Map([['sh', { code: 2, signal: null, stdout: '', stderr: 'sh: 1: cannot open /etc/os-release' }]]) }] });
	const outcome = await runSteps(h.ctx, [gatherFactsStep]);
	t.deepEqual(outcome.failures.map((f) => f.host), ['192.0.2.11']);
	t.regex(outcome.failures[0]!.error.message, /^192\.0\.2\.11: step "facts" failed: sh -c [\s\S]* exited 2\n {2}sh: 1: cannot open/);
	t.is(h.ctx.hosts[1]!.facts, undefined);
});
