// Calico's encapsulation change on a running cluster against a scripted first control plane: the check
// shows the pool edit in the plan; the pool steps patch on the side of the apply the order asks for, show
// the exact patch in a dry run, verify by reading the pool back, and keep the order in the journal so a
// stopped run finishes as it started.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { calicoNodeEnvOf, configMapFrom, type CniChange } from '../../source/cluster/cni/change.js';
import { renderManifests } from '../../source/cluster/render.js';
import { openJournal } from '../../source/steps/journal.js';
import { CNI_CHANGE, cniCheckStep } from '../../source/steps/cni/check.js';
import { POOL_AFTER_STEP, POOL_BEFORE_STEP, POOL_PENDING, poolAfterStep, poolBeforeStep } from '../../source/steps/cni/pool.js';
import { RESTART_SINCE, restartAgentsStep } from '../../source/steps/cni/restart.js';
import { runSteps } from '../../source/steps/runner.js';
import { applyCniStep } from '../../source/steps/list/apply-cni.js';
import { FakeRemote, type FakePool } from './_cni-fake.js';
import { specCluster, stepHarness } from './_step-harness.js';

const admin = { files: new Map([['/etc/kubernetes/admin.conf', { content: 'x', mode: 0o600 }]]) };
const calicoSpec = (changes: Record<string, unknown> = {}) => specCluster({ 'spec.network.cni': 'calico', 'spec.network.cilium': undefined, ...changes });

function liveCalico(changes: Record<string, unknown> = {}): Map<string, unknown> {
	const objects = renderManifests(calicoSpec(changes)).documents;
	const env = calicoNodeEnvOf(objects);
	return new Map<string, unknown>([
		['configmap/calico-config', { kind: 'ConfigMap', metadata: { name: 'calico-config' }, data: configMapFrom(objects, 'calico-config') }],
		['daemonset/calico-node', { kind: 'DaemonSet', metadata: { name: 'calico-node' }, spec: { template: { spec: { containers: [{ name: 'calico-node', image: 'quay.io/calico/node:v3.32.1', env: Object.entries(env).map(([name, value]) => ({ name, value })) }] } } } }],
	]);
}

const ipip = (): FakePool => ({ name: 'default-ipv4-ippool', cidr: '10.244.0.0/16', ipipMode: 'Always', vxlanMode: 'Never' });
const toVxlan: CniChange = {
	changes: [], refusals: [], restartAgents: true, restartOperator: false,
	pool: { name: 'default-ipv4-ippool', from: { ipipMode: 'Always', vxlanMode: 'Never' }, to: { ipipMode: 'Never', vxlanMode: 'Always' }, order: 'before' },
};
const PATCH = 'sudo kubectl --kubeconfig /etc/kubernetes/admin.conf patch ippools.crd.projectcalico.org default-ipv4-ippool --type merge -p {"spec":{"ipipMode":"Never","vxlanMode":"Always"}}';

async function withJournal(t: { teardown(fn: () => Promise<void>): void }) {
	const dir = await mkdtemp(join(tmpdir(), 'kubestrap-pool-'));
	t.teardown(() => rm(dir, { recursive: true, force: true }));
	return openJournal(dir, 'demo');
}

function calicoHarness(fake: FakeRemote, options: { dryRun?: boolean; spec?: Record<string, unknown> } = {}) {
	const h = stepHarness({ cluster: calicoSpec(options.spec), states: [admin, {}], ...(options.dryRun ? { dryRun: true } : {}) });
	h.ctx.hosts[0]!.remote = fake;
	return h;
}

test('the check on an ipip cluster asked for vxlan: the pool edit and its order in the plan, nothing sent', async (t) => {
	const fake = new FakeRemote({ nodes: ['cp', 'w1'], agent: 'calico-node', live: liveCalico(), pools: [ipip()] });
	const h = calicoHarness(fake, { spec: { 'spec.network.calico.encapsulation': 'vxlan' } });
	const outcome = await runSteps(h.ctx, [cniCheckStep]);
	t.deepEqual(outcome.failures, []);
	const notes = h.events.filter((e) => e.kind === 'note').map((e) => (e as { line: string }).line);
	t.true(notes.includes('  IPPool default-ipv4-ippool ipipMode: "Always" → "Never"'), notes.join('\n'));
	t.true(notes.includes('  IPPool default-ipv4-ippool vxlanMode: "Never" → "Always"'));
	t.true(notes.includes('  calico-config calico_backend: "bird" → "vxlan"'));
	t.true(notes.some((l) => /the IP pool default-ipv4-ippool changes first, while BIRD still runs/.test(l)));
	t.false(fake.sent().some((l) => l.includes('patch')));
	t.deepEqual((h.ctx.shared.get(CNI_CHANGE) as CniChange).pool?.to, { ipipMode: 'Never', vxlanMode: 'Always' });
});

test('the check refuses a change when the pod subnet has no pool of its own, before anything is sent', async (t) => {
	const fake = new FakeRemote({ nodes: ['cp'], agent: 'calico-node', live: liveCalico(), pools: [{ ...ipip(), name: 'other', cidr: '10.250.0.0/16' }] });
	const h = calicoHarness(fake, { spec: { 'spec.network.calico.encapsulation': 'vxlan' } });
	const outcome = await runSteps(h.ctx, [cniCheckStep, poolBeforeStep]);
	t.regex(outcome.failures[0]?.error.message ?? '', /spec\.network\.calico\.encapsulation: no IPPool has spec\.cidr 10\.244\.0\.0\/16/);
	t.false(fake.sent().some((l) => l.includes('patch')));
});

test('a dry run shows the exact patch and changes nothing', async (t) => {
	const pool = ipip();
	const fake = new FakeRemote({ nodes: ['cp'], agent: 'calico-node', live: liveCalico(), pools: [pool] });
	const h = calicoHarness(fake, { dryRun: true });
	h.ctx.shared.set(CNI_CHANGE, toVxlan);
	const outcome = await runSteps(h.ctx, [poolBeforeStep, poolAfterStep]);
	t.deepEqual(outcome.failures, []);
	const plans = h.events.filter((e) => e.kind === 'plan').map((e) => (e as { action: string }).action);
	t.deepEqual(plans, [PATCH]);
	t.false(fake.sent().some((l) => l.includes('patch')));
	t.is(pool.ipipMode, 'Always');
});

test('the patch: one JSON merge patch setting both modes, verified by reading the pool back; the journal is cleared', async (t) => {
	const pool = ipip();
	const fake = new FakeRemote({ nodes: ['cp'], agent: 'calico-node', live: liveCalico(), pools: [pool] });
	const h = calicoHarness(fake);
	h.ctx.journal = await withJournal(t);
	h.ctx.shared.set(CNI_CHANGE, toVxlan);
	t.is(await poolAfterStep.shouldRun(h.ctx, h.ctx.hosts[0]!), 'no IP pool change', 'the after step is not this order');
	const outcome = await runSteps(h.ctx, [poolBeforeStep, poolAfterStep]);
	t.deepEqual(outcome.failures, []);
	const sent = fake.sent();
	t.deepEqual(sent.filter((l) => l.includes('patch')), [PATCH]);
	const patchAt = sent.indexOf(PATCH);
	t.true(sent.slice(patchAt + 1).some((l) => l.includes('get ippools.crd.projectcalico.org default-ipv4-ippool -o json')), 'read back after the patch');
	t.deepEqual({ ipipMode: pool.ipipMode, vxlanMode: pool.vxlanMode }, { ipipMode: 'Never', vxlanMode: 'Always' });
	t.true(h.events.some((e) => e.kind === 'note' && e.line === 'IPPool default-ipv4-ippool now has ipipMode "Never", vxlanMode "Always"'));
	t.is(h.ctx.journal.value(POOL_PENDING) ?? '', '');
	// Again: the pool already has the modes, so nothing is sent.
	const again = calicoHarness(fake);
	again.ctx.shared.set(CNI_CHANGE, toVxlan);
	const before = fake.sent().length;
	await runSteps(again.ctx, [poolBeforeStep]);
	t.false(fake.sent().slice(before).some((l) => l.includes('patch')));
});

test('a pool that does not read as patched fails the step, naming the host, the step and what it reads; the edit stays in the journal', async (t) => {
	const fake = new FakeRemote({ nodes: ['cp'], agent: 'calico-node', live: liveCalico(), pools: [ipip()], patchReverted: true });
	const h = calicoHarness(fake);
	h.ctx.journal = await withJournal(t);
	h.ctx.shared.set(CNI_CHANGE, toVxlan);
	const outcome = await runSteps(h.ctx, [poolBeforeStep]);
	t.is(outcome.failures[0]?.error.message, `192.0.2.10: step "${POOL_BEFORE_STEP}" failed: IPPool default-ipv4-ippool reads ipipMode "Always", vxlanMode "Never" after the patch, not ipipMode "Never", vxlanMode "Always"; re-run to try again`);
	t.regex(h.ctx.journal.value(POOL_PENDING) ?? '', /"vxlanMode":"Always"/);
});

test('resume: a run that stopped during the restarts of vxlan → ipip keeps the recorded order and edits the pool only after every calico-node restarted', async (t) => {
	const journal = await withJournal(t);
	// The first run recorded the edit (order "after": BIRD turns on) before it applied the manifests,
	// and stopped while calico-node restarted.
	await journal.remember(POOL_PENDING, JSON.stringify({ name: 'default-ipv4-ippool', to: { ipipMode: 'Always', vxlanMode: 'Never' }, order: 'after' }));
	const pool: FakePool = { name: 'default-ipv4-ippool', cidr: '10.244.0.0/16', ipipMode: 'Never', vxlanMode: 'Always' };
	// calico-config already says bird, so a fresh decision would be "before".
	const fake = new FakeRemote({ nodes: ['cp', 'w1'], agent: 'calico-node', readyAfterPolls: 1, live: liveCalico(), pools: [pool] });
	const h = calicoHarness(fake);
	h.ctx.journal = journal;
	await journal.remember(RESTART_SINCE, String(fake.clock));
	fake.clock += 5;
	const outcome = await runSteps(h.ctx, [cniCheckStep, poolBeforeStep, restartAgentsStep, poolAfterStep]);
	t.deepEqual(outcome.failures, []);
	t.is((h.ctx.shared.get(CNI_CHANGE) as CniChange).pool?.order, 'after', 'the recorded order, not the fresh decision ("before")');
	t.true(h.events.some((e) => e.kind === 'note' && /the IP pool default-ipv4-ippool changes last, once every calico-node restarted with BIRD/.test(e.line)), 'the plan says so');
	const sent = fake.sent();
	const deletes = sent.map((l, i) => [l, i] as const).filter(([l]) => l.includes('delete pod')).map(([, i]) => i);
	const patchAt = sent.findIndex((l) => l.includes('patch ippools'));
	t.is(deletes.length, 2);
	t.true(patchAt > Math.max(...deletes), sent.join('\n'));
	t.is(pool.ipipMode, 'Always');
	t.true(h.events.some((e) => e.kind === 'note' && e.step === POOL_AFTER_STEP && /now has ipipMode "Always"/.test(e.line)));
	t.is(journal.value(POOL_PENDING) ?? '', '');
});

test('vxlan → ipip in one run: the manifests applied and every calico-node restarted with BIRD before the pool changes', async (t) => {
	const pool: FakePool = { name: 'default-ipv4-ippool', cidr: '10.244.0.0/16', ipipMode: 'Never', vxlanMode: 'Always' };
	const fake = new FakeRemote({ nodes: ['cp', 'w1'], agent: 'calico-node', readyAfterPolls: 1, live: liveCalico({ 'spec.network.calico.encapsulation': 'vxlan' }), pools: [pool] });
	const h = calicoHarness(fake);
	h.ctx.journal = await withJournal(t);
	const outcome = await runSteps(h.ctx, [cniCheckStep, poolBeforeStep, applyCniStep, restartAgentsStep, poolAfterStep]);
	t.deepEqual(outcome.failures, []);
	t.is((h.ctx.shared.get(CNI_CHANGE) as CniChange).pool?.order, 'after');
	const sent = fake.sent();
	const apply = sent.findIndex((l) => l.includes('apply --server-side'));
	const deletes = sent.map((l, i) => [l, i] as const).filter(([l]) => l.includes('delete pod')).map(([, i]) => i);
	const patchAt = sent.findIndex((l) => l.includes('patch ippools'));
	t.is(deletes.length, 2);
	t.true(apply >= 0 && apply < Math.min(...deletes) && Math.max(...deletes) < patchAt, sent.join('\n'));
	t.true(sent[patchAt]!.endsWith('-p {"spec":{"ipipMode":"Always","vxlanMode":"Never"}}'));
	t.is(pool.ipipMode, 'Always');
	t.is(h.ctx.journal.value(POOL_PENDING) ?? '', '', 'verified and cleared');
});

test('a run that stops right after the apply leaves its own edit in the journal, replacing the record of an older one', async (t) => {
	const journal = await withJournal(t);
	await journal.remember(POOL_PENDING, JSON.stringify({ name: 'default-ipv4-ippool', to: { ipipMode: 'Never', vxlanMode: 'Never' }, order: 'before' }));
	const pool: FakePool = { name: 'default-ipv4-ippool', cidr: '10.244.0.0/16', ipipMode: 'Never', vxlanMode: 'Always' };
	const fake = new FakeRemote({ nodes: ['cp'], agent: 'calico-node', live: liveCalico({ 'spec.network.calico.encapsulation': 'vxlan' }), pools: [pool] });
	const h = calicoHarness(fake);
	h.ctx.journal = journal;
	const outcome = await runSteps(h.ctx, [cniCheckStep, poolBeforeStep, applyCniStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(JSON.parse(journal.value(POOL_PENDING) ?? '{}'), { name: 'default-ipv4-ippool', to: { ipipMode: 'Always', vxlanMode: 'Never' }, order: 'after' });
	t.is(pool.vxlanMode, 'Always', 'the pool waits for the restarts');
});
