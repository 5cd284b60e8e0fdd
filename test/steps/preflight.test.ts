// The preflight step on gathered facts: every rule's words, the sudo rule with and without a password
// given, unique node names; nothing is sent but the sudo probe when a password must be tried, and a
// failing host fails the gate.
import test from 'ava';
import { preflightStep } from '../../source/steps/list/preflight.js';
import { prepareHostStep } from '../../source/steps/list/prepare-host.js';
import { runSteps } from '../../source/steps/runner.js';
import { stepHarness } from './_step-harness.js';

test('healthy hosts pass and nothing is sent (the facts say it all)', async (t) => {
	const h = stepHarness();
	const outcome = await runSteps(h.ctx, [preflightStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual([h.sent(0), h.sent(1)], [[], []]);
});

test('an old kernel, sudo needing a password and a shared node name are each named; the gate stops later steps', async (t) => {
	const h = stepHarness({ states: [{ kernel: '5.4.0-150-generic', hostname: 'same' }, { hostname: 'same', sudo: { status: 1, error: 'sudo: a password is required' } }] });
	const outcome = await runSteps(h.ctx, [preflightStep, prepareHostStep]);
	t.deepEqual(outcome.failures.map((f) => `${f.step} ${f.host}`), ['preflight 192.0.2.10', 'preflight 192.0.2.11']);
	const [cp, worker] = outcome.failures.map((f) => f.error.message);
	t.regex(cp ?? '', /kernel 5\.4\.0-150-generic is older than 5\.10/);
	t.regex(cp ?? '', /node name "same" is shared with 192\.0\.2\.11; set spec\.hosts\[\]\.name/);
	t.regex(worker ?? '', /sudo needs a password \(add NOPASSWD for .+ or use --ask-sudo-password\)/);
	t.deepEqual([h.sent(0), h.sent(1)], [[], []], 'prepare never ran');
});

test('with a sudo password given, sudo is tried with it and a refusal is named', async (t) => {
	const needsPassword = { sudo: { status: 1, error: 'sudo: a password is required' } };
	const h = stepHarness({ states: [needsPassword, { ...needsPassword, failures: new Map([['true', { code: 1, signal: null, stdout: '', stderr: 'sudo: 1 incorrect password attempt' }]]) }] });
	h.ctx.sudoPassword = 'given';
	const outcome = await runSteps(h.ctx, [preflightStep]);
	t.deepEqual(h.sent(0), ['sudo true']);
	t.deepEqual(outcome.failures.map((f) => f.host), ['192.0.2.11']);
	t.regex(outcome.failures[0]!.error.message, /sudo with the given password failed \(sudo: 1 incorrect password attempt\)/);
});

test('sudo needing a password is fine when install will ask for it (the wizard), and nothing is tried', async (t) => {
	const h = stepHarness({ states: [{ sudo: { status: 1, error: 'sudo: a password is required' } }, {}] });
	h.ctx.sudoPassword = 'later';
	const outcome = await runSteps(h.ctx, [preflightStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(h.sent(0), []);
});

test('shouldRun: always (a check of the real state each run); a dry run checks the same', async (t) => {
	const h = stepHarness({ dryRun: true, states: [{ kernel: '4.19.0' }, {}] });
	t.is(await preflightStep.shouldRun(h.ctx, h.ctx.hosts[0]!), true);
	const outcome = await runSteps(h.ctx, [preflightStep]);
	t.deepEqual(outcome.failures.map((f) => f.host), ['192.0.2.10']);
});

test('a host without facts is a clear error', async (t) => {
	const h = stepHarness({ facts: false });
	const outcome = await runSteps(h.ctx, [preflightStep]);
	t.regex(outcome.failures[0]!.error.message, /facts were not gathered/);
});
