// The network check step on the scripted fake hosts (test/steps/check/sim-check.test.ts runs the check
// itself against the simulated cluster): it runs on the first control plane only, always, is left out of
// a plan, and a cluster it cannot read fails the step naming host and step.
import test from 'ava';
import { CHECK_REPORT, networkCheckStep } from '../../source/steps/list/network-check.js';
import { runSteps } from '../../source/steps/runner.js';
import { stepHarness } from './_step-harness.js';

test('a plan leaves the check out: no host targeted, nothing sent', async (t) => {
	const h = stepHarness({ dryRun: true });
	t.deepEqual(networkCheckStep.targets(h.ctx), []);
	const outcome = await runSteps(h.ctx, [networkCheckStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual([h.sent(0), h.sent(1), h.events], [[], [], []]);
});

test('an install checks from the first control plane, always', async (t) => {
	const h = stepHarness();
	t.deepEqual(networkCheckStep.targets(h.ctx).map((host) => host.id), ['192.0.2.10']);
	t.is(await networkCheckStep.shouldRun(h.ctx, h.ctx.hosts[0]!), true);
});

test('a cluster kubectl cannot reach fails the step naming host and step, with no report', async (t) => {
	const h = stepHarness();
	const outcome = await runSteps(h.ctx, [networkCheckStep]);
	t.deepEqual(outcome.failures.map((f) => [f.step, f.host]), [['network-check', '192.0.2.10']]);
	t.is(outcome.failures[0]!.error.message, '192.0.2.10: step "network-check": kubectl on 192.0.2.10 (over SSH): kubectl get nodes -o json exited 1: The connection to the server localhost:8080 was refused - did you specify the right host or port?');
	t.deepEqual(h.sent(0), ['sudo kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes -o json']);
	t.deepEqual(h.sent(1), [], 'nothing on the other hosts');
	t.false(h.ctx.shared.has(CHECK_REPORT));
});
