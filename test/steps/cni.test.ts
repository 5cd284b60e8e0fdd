// The CNI steps on a running cluster against a scripted fake cluster: the check (keys old → new, refusals
// before anything is written), Cilium's pre-flight (created, waited for on every agent node, deleted before
// the apply), and the restart (one node at a time, the next only once the previous replacement is Ready,
// then the operator, verified).
import test from 'ava';
import { runSteps } from '../../source/steps/runner.js';
import { CNI_CHANGE, cniCheckStep, CniRefused } from '../../source/steps/cni/check.js';
import { ciliumPreflightStep, PREFLIGHT_FILE } from '../../source/steps/cni/preflight.js';
import { RESTART_SINCE, restartAgentsStep } from '../../source/steps/cni/restart.js';
import { applyCniStep } from '../../source/steps/list/apply-cni.js';
import { renderManifests } from '../../source/cluster/render.js';
import { configMapFrom } from '../../source/cluster/cni/change.js';
import { FakeRemote } from './_cni-fake.js';
import { specCluster, stepHarness } from './_step-harness.js';

const admin = { files: new Map([['/etc/kubernetes/admin.conf', { content: 'x', mode: 0o600 }]]) };

function liveCilium(config: Record<string, string>, image = 'quay.io/cilium/cilium:v1.20.1@sha256:ae9e'): Map<string, unknown> {
	return new Map<string, unknown>([
		['configmap/cilium-config', { kind: 'ConfigMap', metadata: { name: 'cilium-config' }, data: config }],
		['daemonset/cilium', { kind: 'DaemonSet', metadata: { name: 'cilium' }, spec: { template: { spec: { containers: [{ name: 'cilium-agent', image }] } } } }],
	]);
}

function renderedConfig(): Record<string, string> {
	return configMapFrom(renderManifests(specCluster(), { ciliumUpgradeCompatibility: '1.20' }).documents, 'cilium-config')!;
}

test('the check on a running cluster: the changed keys old → new as notes, restart wanted; nothing written', async (t) => {
	const config = { ...renderedConfig(), 'enable-policy': 'never', 'enable-hubble': 'false' };
	const h = stepHarness({ states: [{ ...admin, live: liveCilium(config) }, {}] });
	const outcome = await runSteps(h.ctx, [cniCheckStep]);
	t.deepEqual(outcome.failures, []);
	const notes = h.events.filter((e) => e.kind === 'note').map((e) => (e as { line: string }).line);
	t.true(notes.includes('  cilium-config enable-policy: "never" → "default"'), notes.join('\n'));
	t.true(notes.includes('  cilium-config enable-hubble: "false" → "true"'));
	t.true(notes.some((line) => /the Cilium agents restart node by node, then the operator/.test(line)));
	t.deepEqual(h.remotes[0]!.changes(), []);
	t.true((h.ctx.shared.get(CNI_CHANGE) as { restartAgents: boolean }).restartAgents);
});

test('the check refuses an IPAM change, kube-proxy replacement and an unreachable Cilium release, before anything is written', async (t) => {
	const config = { ...renderedConfig(), ipam: 'kubernetes', 'kube-proxy-replacement': 'true' };
	const h = stepHarness({ states: [{ ...admin, live: liveCilium(config, 'quay.io/cilium/cilium:v1.18.3') }, {}] });
	const outcome = await runSteps(h.ctx, [cniCheckStep, applyCniStep]);
	const error = outcome.failures[0]?.error;
	t.true(error instanceof CniRefused);
	const lines = (error as CniRefused).lines;
	t.true(lines.some((l) => l.startsWith('spec.network.cilium.ipam: the cluster runs ipam "kubernetes", the spec asks for "cluster-pool"')), lines.join('\n'));
	t.true(lines.some((l) => l.startsWith('spec.network.cilium.kubeProxyReplacement:')));
	t.true(lines.some((l) => /Cilium 1\.18\.3 cannot be upgraded to 1\.20\.1: Cilium's only tested path is one minor at a time/.test(l)));
	t.is(outcome.failures.length, 1, 'the gate stopped the run: no apply');
	t.deepEqual(h.remotes[0]!.changes(), []);
	t.deepEqual(h.remotes[0]!.uploads, []);
});

test('no cluster yet: the check, the pre-flight and the restart have nothing to do', async (t) => {
	const h = stepHarness();
	t.is(await cniCheckStep.shouldRun(h.ctx, h.ctx.hosts[0]!), 'no cluster yet');
	t.is(await ciliumPreflightStep.shouldRun(h.ctx, h.ctx.hosts[0]!), 'no cluster yet');
	t.is(await restartAgentsStep.shouldRun(h.ctx, h.ctx.hosts[0]!), 'no CNI configuration changed');
});

test('pre-flight: skipped at the pinned release; from 1.19.5 it is applied, waited for on every agent node, then deleted', async (t) => {
	const pinned = stepHarness({ states: [{ ...admin, live: liveCilium(renderedConfig()) }, {}] });
	t.is(await ciliumPreflightStep.shouldRun(pinned.ctx, pinned.ctx.hosts[0]!), 'Cilium runs the pinned 1.20.1');

	const fake = new FakeRemote({ nodes: ['cp', 'w1', 'w2'], preflightReadyAfter: 3, live: liveCilium(renderedConfig(), 'quay.io/cilium/cilium:v1.19.5@sha256:1') });
	const h = stepHarness({ states: [admin, {}] });
	h.ctx.hosts[0]!.remote = fake;
	const outcome = await runSteps(h.ctx, [ciliumPreflightStep]);
	t.deepEqual(outcome.failures, []);
	const sent = fake.sent();
	const apply = sent.findIndex((l) => l.includes('apply') && l.includes(PREFLIGHT_FILE));
	const polls = sent.filter((l) => l.includes('get daemonset cilium-pre-flight-check cilium')).length;
	const remove = sent.findIndex((l) => l.includes('delete daemonset cilium-pre-flight-check'));
	t.true(apply >= 0 && apply < remove, sent.join('\n'));
	t.is(polls, 3, 'polled until ready on all 3 agent nodes');
	const uploaded = fake.uploads.find((u) => u.path === PREFLIGHT_FILE)!.content;
	t.regex(uploaded, /name: cilium-pre-flight-check/);
	t.regex(uploaded, /image: quay\.io\/cilium\/cilium:v1\.20\.1@sha256:/, 'the new image');
	t.false(fake.files.has(PREFLIGHT_FILE), 'the file is removed');
});

test('restart: one node at a time, each replacement Ready before the next delete, then the operator; verified', async (t) => {
	const fake = new FakeRemote({ nodes: ['cp', 'w1', 'w2'], readyAfterPolls: 2, live: liveCilium(renderedConfig()) });
	const h = stepHarness({ states: [admin, {}] });
	h.ctx.hosts[0]!.remote = fake;
	h.ctx.shared.set(CNI_CHANGE, { changes: [{ where: 'cilium-config', key: 'enable-policy', from: 'default', to: 'always' }], refusals: [], restartAgents: true, restartOperator: true });
	h.ctx.shared.set(RESTART_SINCE, String(fake.clock));
	fake.clock += 5;
	const outcome = await runSteps(h.ctx, [restartAgentsStep]);
	t.deepEqual(outcome.failures, []);
	const sent = fake.sent();
	const deletes = sent.map((l, i) => [l, i] as const).filter(([l]) => l.includes('delete pod'));
	t.deepEqual(deletes.map(([l]) => l.split(' ').find((w) => w.startsWith('cilium-'))), ['cilium-cp-0', 'cilium-w1-0', 'cilium-w2-0']);
	// Between two deletes the step saw the previous node's replacement Ready.
	for (let i = 1; i < deletes.length; i++) t.true(fake.readySeen.some((r) => r.node === ['cp', 'w1', 'w2'][i - 1] && r.callIndex > deletes[i - 1]![1] && r.callIndex < deletes[i]![1]));
	t.true(sent.some((l) => l.includes('rollout restart deployment/cilium-operator')));
	t.true(h.events.some((e) => e.kind === 'note' && /configuration is live/.test(e.line)));
});

test('restart: a replacement that never gets Ready stops before the next node, naming it', async (t) => {
	const fake = new FakeRemote({ nodes: ['cp', 'w1'], readyAfterPolls: Infinity, live: liveCilium(renderedConfig()) });
	const h = stepHarness({ states: [admin, {}] });
	h.ctx.hosts[0]!.remote = fake;
	h.ctx.shared.set(CNI_CHANGE, { changes: [], refusals: [], restartAgents: true, restartOperator: false });
	h.ctx.shared.set(RESTART_SINCE, String(fake.clock));
	fake.clock += 5;
	let now = Date.now();
	h.ctx.now = () => (now += 60_000);
	const outcome = await runSteps(h.ctx, [restartAgentsStep]);
	t.regex(outcome.failures[0]?.error.message ?? '', /the Cilium agent on cp was restarted but is not ready after 5 min .* the nodes after it were not restarted/);
	t.is(fake.sent().filter((l) => l.includes('delete pod')).length, 1);
});

test('a dry run of the restart plans it and sends nothing', async (t) => {
	const h = stepHarness({ dryRun: true, states: [admin, {}] });
	h.ctx.shared.set(CNI_CHANGE, { changes: [], refusals: [], restartAgents: true, restartOperator: true });
	const outcome = await runSteps(h.ctx, [restartAgentsStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(h.remotes[0]!.changes(), []);
	t.true(h.events.some((e) => e.kind === 'plan' && /for each node in turn delete its Cilium agent pod/.test(e.action)));
});


