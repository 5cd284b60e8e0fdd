// The CNI step on the first control plane: checks of the live cluster (another CNI, the Cilium IPAM mode),
// Hubble TLS made once and registered as secrets, the rendered manifests in a 0600 file applied
// server-side and removed (also after a failed apply); ENI turns aws-node off first; always runs; a dry run
// without a cluster asks the API nothing.
import test from 'ava';
import { parseAllDocuments } from 'yaml';
import { ciliumConfigCommand, kubectl } from '../../source/cluster/kubectl.js';
import { applyCniStep, applyCommand, CNI_MANIFEST } from '../../source/steps/list/apply-cni.js';
import { runSteps } from '../../source/steps/runner.js';
import { liveCommand } from '../../source/steps/cni/live.js';
import type { FakeHostState } from './_fake-remote.js';
import { specCluster, stepHarness } from './_step-harness.js';

const APPLY = 'sudo kubectl --kubeconfig /etc/kubernetes/admin.conf apply --server-side --field-manager=kubestrap --force-conflicts -f /etc/kubestrap/cni.yaml';
const cluster = (): Partial<FakeHostState> => ({ files: new Map([['/etc/kubernetes/admin.conf', { content: 'x', mode: 0o600 }]]) });
const sudo = (argv: string[]): string => `sudo ${argv.join(' ')}`;
const getName = (kind: string, name: string): string => sudo(kubectl('-n', 'kube-system', 'get', kind, name, '--ignore-not-found', '-o', 'name'));

function secretNames(manifest: string): string[] {
	return parseAllDocuments(manifest).map((doc) => doc.toJS() as { kind?: string; metadata?: { name?: string } } | null).filter((o) => o?.kind === 'Secret').map((o) => o?.metadata?.name ?? '');
}

test('Cilium with Hubble: live checks, then the 0600 manifest with fresh Hubble TLS applied server-side and removed', async (t) => {
	const h = stepHarness({ states: [cluster(), {}] });
	const secrets: string[] = [];
	h.ctx.secret = (value) => secrets.push(value);
	const outcome = await runSteps(h.ctx, [applyCniStep]);
	t.deepEqual(outcome.failures, []);
	t.is(applyCommand().join(' '), APPLY.slice('sudo '.length));
	t.deepEqual(h.sent(0), [getName('daemonset', 'calico-node'), sudo(ciliumConfigCommand()), getName('secret', 'hubble-server-certs'), sudo(liveCommand()), APPLY, `sudo rm -f ${CNI_MANIFEST}`]);
	t.deepEqual(h.sent(1), [], 'the first control plane only');
	const upload = h.remotes[0]!.uploads.find((u) => u.path === CNI_MANIFEST);
	t.is(upload?.mode, 0o600);
	t.deepEqual(secretNames(upload?.content ?? ''), ['cilium-ca', 'hubble-server-certs']);
	t.false(h.remotes[0]!.state.files.has(CNI_MANIFEST), 'the file with the CA key is gone');
	t.is(secrets.filter((s) => s.includes('PRIVATE KEY')).length, 2, 'both private keys are registered for redaction');
	for (const key of secrets) t.false(h.sent(0).some((line) => line.includes(key)));
});

test('a re-run keeps the Hubble TLS the cluster has (no new CA) and applies again: the step always runs', async (t) => {
	const state = cluster();
	state.live = new Map([['secret/hubble-server-certs', { kind: 'Secret', metadata: { name: 'hubble-server-certs' } }]]);
	const h = stepHarness({ states: [state, {}] });
	t.is(await applyCniStep.shouldRun(h.ctx, h.ctx.hosts[0]!), true);
	const outcome = await runSteps(h.ctx, [applyCniStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(secretNames(h.remotes[0]!.uploads.find((u) => u.path === CNI_MANIFEST)?.content ?? ''), []);
	t.true(h.sent(0).includes(APPLY));
});

test('another CNI or another Cilium IPAM mode in the live cluster is refused before anything is written or applied', async (t) => {
	const calico = cluster();
	calico.live = new Map([['daemonset/calico-node', { kind: 'DaemonSet' }]]);
	const ipam = cluster();
	ipam.live = new Map([['configmap/cilium-config', { kind: 'ConfigMap', data: { ipam: 'kubernetes' } }]]);
	for (const [state, message] of [
		[calico, '192.0.2.10: step "apply-cni" refused: spec.network.cni: the cluster already runs Calico (DaemonSet kube-system/calico-node); switching the CNI of a live cluster is not supported — keep cni: calico or reinstall the cluster'],
		[ipam, '192.0.2.10: step "apply-cni" refused: spec.network.cilium.ipam: the live cluster runs Cilium with ipam "kubernetes"; Cilium cannot change the IPAM mode of a running cluster (pods would lose their addresses) — set ipam: kubernetes, or reinstall the cluster to use "cluster-pool"'],
	] as const) {
		const h = stepHarness({ states: [state, {}] });
		const outcome = await runSteps(h.ctx, [applyCniStep]);
		t.is(outcome.failures[0]?.error.message, message);
		t.deepEqual(h.remotes[0]!.uploads, []);
		t.false(h.sent(0).includes(APPLY));
	}
});

test('Cilium ENI: an existing aws-node DaemonSet is patched off before the apply', async (t) => {
	const c = specCluster({ 'spec.network.cni': 'cilium' });
	c.spec.network.cilium.ipam = 'eni';
	const state = cluster();
	state.live = new Map([['daemonset/aws-node', { kind: 'DaemonSet' }]]);
	const h = stepHarness({ cluster: c, states: [state, {}] });
	const outcome = await runSteps(h.ctx, [applyCniStep]);
	t.deepEqual(outcome.failures, []);
	const sent = h.sent(0);
	const patch = sent.indexOf(sudo(kubectl('-n', 'kube-system', 'patch', 'daemonset', 'aws-node', '--type=strategic', '-p', '{"spec":{"template":{"spec":{"nodeSelector":{"io.cilium/aws-node-enabled":"true"}}}}}')));
	t.true(patch >= 0 && patch < sent.indexOf(APPLY), sent.join('\n'));
});

test('a dry run on a host without a cluster asks the API nothing and plans the file, the apply and the removal', async (t) => {
	const h = stepHarness({ dryRun: true });
	const outcome = await runSteps(h.ctx, [applyCniStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(h.sent(0), []);
	const plans = h.events.filter((e) => e.kind === 'plan' && e.host === '192.0.2.10').map((e) => (e.kind === 'plan' ? e.action : ''));
	t.true(plans[0]?.startsWith(`write ${CNI_MANIFEST} (mode 0600`), plans.join('\n'));
	t.deepEqual(plans.slice(1), [APPLY, `sudo rm -f ${CNI_MANIFEST}`]);
});

test('a failed apply names host, step, command and kubectl\'s output, and the manifest is still removed', async (t) => {
	const state = cluster();
	state.failures = new Map([[applyCommand().join(' '), { code: 1, signal: null, stdout: '', stderr: 'error: unable to recognize "/etc/kubestrap/cni.yaml": no matches for kind "CiliumNetworkPolicy"' }]]);
	const h = stepHarness({ states: [state, {}] });
	const outcome = await runSteps(h.ctx, [applyCniStep]);
	t.deepEqual(outcome.failures.map((f) => [f.step, f.host]), [['apply-cni', '192.0.2.10']]);
	t.is(outcome.failures[0]!.error.message, `192.0.2.10: step "apply-cni" failed: ${APPLY} exited 1\n  error: unable to recognize "/etc/kubestrap/cni.yaml": no matches for kind "CiliumNetworkPolicy"`);
	t.is(h.sent(0).at(-1), `sudo rm -f ${CNI_MANIFEST}`);
	t.false(h.remotes[0]!.state.files.has(CNI_MANIFEST));
});
