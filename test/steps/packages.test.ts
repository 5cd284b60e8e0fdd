// The packages step: kubelet, kubeadm and kubectl pinned to the settled version, held (apt-mark hold) so
// an unattended upgrade cannot move them, kubelet enabled; skipped on hosts that have that kubeadm; a dry
// run plans; a failure is named with its output.
import test from 'ava';
import { kubePackagesStep } from '../../source/steps/list/kube-packages.js';
import { KUBE_VERSION } from '../../source/steps/package-versions.js';
import { runSteps } from '../../source/steps/runner.js';
import { stepHarness, type StepHarness } from './_step-harness.js';

const INSTALL = 'sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-change-held-packages kubelet=1.35.8-1.1 kubeadm=1.35.8-1.1 kubectl=1.35.8-1.1';

function at(h: StepHarness, version = '1.35.8'): StepHarness {
	h.ctx.shared.set(KUBE_VERSION, version);
	return h;
}

test('every host: the exact version pinned, held, kubelet enabled, all with sudo', async (t) => {
	const h = at(stepHarness());
	const outcome = await runSteps(h.ctx, [kubePackagesStep]);
	t.deepEqual(outcome.failures, []);
	for (const i of [0, 1]) {
		t.deepEqual(h.sent(i), [INSTALL, 'sudo apt-mark hold kubelet kubeadm kubectl', 'sudo systemctl enable --now kubelet']);
		t.is(h.remotes[i]!.state.kubeadm, 'v1.35.8');
	}
});

test('shouldRun: skipped (already done) where kubeadm is the settled version; an older patch is replaced', async (t) => {
	const h = at(stepHarness({ states: [{ kubeadm: 'v1.35.8' }, { kubeadm: 'v1.35.7' }] }));
	const outcome = await runSteps(h.ctx, [kubePackagesStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(h.events.filter((e) => e.kind === 'host' && e.state === 'skipped').map((e) => (e.kind === 'host' ? `${e.host} ${e.detail ?? ''}` : '')), ['192.0.2.10 already done']);
	t.deepEqual(h.sent(0), []);
	t.is(h.sent(1)[0], INSTALL);
});

test('a dry run before the version is known plans the newest patch of the minor and changes nothing', async (t) => {
	const h = stepHarness({ dryRun: true });
	const outcome = await runSteps(h.ctx, [kubePackagesStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual([h.sent(0), h.sent(1)], [[], []]);
	const plans = h.events.filter((e) => e.kind === 'plan' && e.host === '192.0.2.11').map((e) => (e.kind === 'plan' ? e.action : ''));
	t.deepEqual(plans, [
		'sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-change-held-packages kubelet=1.35.<newest>-1.1 kubeadm=1.35.<newest>-1.1 kubectl=1.35.<newest>-1.1',
		'sudo apt-mark hold kubelet kubeadm kubectl',
		'sudo systemctl enable --now kubelet',
	]);
});

test('a failed hold names host, step, command and output, and kubelet is not enabled', async (t) => {
	const h = at(stepHarness({ states: [{}, { failures: new Map([['apt-mark hold', { code: 100, signal: null, stdout: '', stderr: 'E: Could not get lock /var/lib/dpkg/lock-frontend' }]]) }] }));
	const outcome = await runSteps(h.ctx, [kubePackagesStep]);
	t.deepEqual(outcome.failures.map((f) => [f.step, f.host]), [['packages', '192.0.2.11']]);
	t.is(outcome.failures[0]!.error.message, '192.0.2.11: step "packages" failed: sudo apt-mark hold kubelet kubeadm kubectl exited 100\n  E: Could not get lock /var/lib/dpkg/lock-frontend');
	t.false(h.sent(1).includes('sudo systemctl enable --now kubelet'));
});
