// The version step on its own (kube-version.test.ts follows the version through whole installs): asked
// once on the first control plane from the repository it set up, a refresh of apt's lists when madison
// lists nothing, a gate when no release exists, and a plan that says it will ask.
import test from 'ava';
import { APT_KEYRING, APT_SOURCE, kubePackagesStep, kubernetesVersionStep } from '../../source/steps/list/kube-packages.js';
import { KUBE_VERSION } from '../../source/steps/package-versions.js';
import { runSteps } from '../../source/steps/runner.js';
import type { FakeHostState } from './_fake-remote.js';
import { stepHarness } from './_step-harness.js';

const repo = (changes: Partial<FakeHostState> = {}): Partial<FakeHostState> => ({ files: new Map([[APT_SOURCE, { content: `deb [signed-by=${APT_KEYRING}] https://pkgs.k8s.io/core:/stable:/v1.35/deb/ /\n`, mode: 0o644 }]]), ...changes });

test('the newest published patch of the spec\'s minor, asked on the first control plane only, changes nothing', async (t) => {
	const h = stepHarness({ states: [repo(), repo()] });
	t.is(await kubernetesVersionStep.shouldRun(h.ctx, h.ctx.hosts[0]!), true, 'always asked: the repository may have a newer patch');
	const outcome = await runSteps(h.ctx, [kubernetesVersionStep]);
	t.deepEqual(outcome.failures, []);
	t.is(h.ctx.shared.get(KUBE_VERSION), '1.35.8');
	t.deepEqual(h.sent(0), [`cat ${APT_SOURCE}`, 'apt-cache madison kubeadm'], 'the repository file first, then the lookup');
	t.deepEqual(h.sent(1), []);
	t.true(h.events.some((e) => e.kind === 'log' && e.line === 'Kubernetes v1.35.8 (the newest 1.35 patch in https://pkgs.k8s.io/core:/stable:/v1.35/deb/)'));
});

test('no release listed: apt\'s lists are refreshed once, then the failure names host and step and the gate stops later steps', async (t) => {
	const h = stepHarness({ states: [repo({ published: {} }), repo()] });
	const outcome = await runSteps(h.ctx, [kubernetesVersionStep, kubePackagesStep]);
	t.deepEqual(h.sent(0), [`cat ${APT_SOURCE}`, 'apt-cache madison kubeadm', 'sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q', 'apt-cache madison kubeadm']);
	t.deepEqual(outcome.failures.map((f) => [f.step, f.host]), [['kubernetes-version', '192.0.2.10']]);
	t.is(outcome.failures[0]!.error.message, '192.0.2.10: step "kubernetes-version" failed: the package repository offers no Kubernetes 1.35 release (apt-cache madison kubeadm listed none)');
	t.deepEqual(h.sent(1), [], 'the packages step never ran');
});

test('a dry run before the repository exists says the version will be asked, and sets none', async (t) => {
	const h = stepHarness({ dryRun: true });
	const outcome = await runSteps(h.ctx, [kubernetesVersionStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(h.sent(0), [`cat ${APT_SOURCE}`], 'no lookup while the repository names no minor of it');
	t.false(h.ctx.shared.has(KUBE_VERSION));
	t.deepEqual(h.events.filter((e) => e.kind === 'plan').map((e) => (e.kind === 'plan' ? e.action : '')), ['Kubernetes the newest 1.35 patch in pkgs.k8s.io, asked once the repository points at 1.35']);
});

test('a dry run where the repository points at the minor but apt\'s lists do not list it yet says so, and refreshes nothing', async (t) => {
	const h = stepHarness({ dryRun: true, states: [repo({ published: {} })] });
	const outcome = await runSteps(h.ctx, [kubernetesVersionStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(h.sent(0), [`cat ${APT_SOURCE}`, 'apt-cache madison kubeadm'], 'reads only: no apt-get update in a plan');
	t.deepEqual(h.events.filter((e) => e.kind === 'plan').map((e) => (e.kind === 'plan' ? e.action : '')), ['Kubernetes the newest 1.35 patch in https://pkgs.k8s.io/core:/stable:/v1.35/deb/, asked after apt-get update (the host\'s package lists do not list 1.35 yet)']);
});
