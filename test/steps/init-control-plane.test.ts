// kubeadm init on the first control plane only: the config file (0600) under a 0700 directory, init
// --config with token and certificate key printing off, --upload-certs only with several control planes;
// skipped when admin.conf exists; a dry run only plans; a failed init is named with kubeadm's output.
import test from 'ava';
import { parseAllDocuments } from 'yaml';
import { INIT_CONFIG, initControlPlaneStep } from '../../source/steps/list/init-control-plane.js';
import { KUBE_VERSION } from '../../source/steps/package-versions.js';
import { runSteps } from '../../source/steps/runner.js';
import { specCluster, stepHarness, type StepHarness } from './_step-harness.js';

const INIT = `sudo kubeadm init --config ${INIT_CONFIG} --skip-token-print --skip-certificate-key-print`;

function withVersion(h: StepHarness): StepHarness {
	h.ctx.shared.set(KUBE_VERSION, '1.35.8');
	return h;
}

test('one control plane: the config is written 0600, then kubeadm init from it, on the first control plane only', async (t) => {
	const h = withVersion(stepHarness());
	const outcome = await runSteps(h.ctx, [initControlPlaneStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(h.sent(0), ['sudo test -f /etc/kubernetes/admin.conf', 'sudo mkdir -p -m 700 /etc/kubestrap', INIT]);
	t.deepEqual(h.sent(1), []);
	const upload = h.remotes[0]!.uploads.find((u) => u.path === INIT_CONFIG);
	t.is(upload?.mode, 0o600);
	const docs = parseAllDocuments(upload?.content ?? '').map((d) => d.toJS() as { kind: string; kubernetesVersion?: string });
	t.is(docs.find((d) => d.kind === 'ClusterConfiguration')?.kubernetesVersion, 'v1.35.8');
	t.true(h.remotes[0]!.state.files.has('/etc/kubernetes/admin.conf'));
});

test('several control planes: init uploads the certificates (--upload-certs) and still prints no key', async (t) => {
	const cluster = specCluster({
		'spec.hosts': [{ address: '192.0.2.10', role: 'control-plane' }, { address: '192.0.2.11', role: 'control-plane' }, { address: '192.0.2.12', role: 'control-plane' }],
		'spec.kubernetes.controlPlaneEndpoint': 'api.lab.example:6443',
	});
	const h = withVersion(stepHarness({ cluster }));
	const outcome = await runSteps(h.ctx, [initControlPlaneStep]);
	t.deepEqual(outcome.failures, []);
	t.is(h.sent(0).at(-1), `sudo kubeadm init --config ${INIT_CONFIG} --upload-certs --skip-token-print --skip-certificate-key-print`);
	t.deepEqual([h.sent(1), h.sent(2)], [[], []], 'only the first control plane inits');
});

test('shouldRun: skipped (already done) when admin.conf exists', async (t) => {
	const h = withVersion(stepHarness({ states: [{ files: new Map([['/etc/kubernetes/admin.conf', { content: 'x', mode: 0o600 }]]) }] }));
	const outcome = await runSteps(h.ctx, [initControlPlaneStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(h.events.filter((e) => e.kind === 'host' && e.state === 'skipped').map((e) => (e.kind === 'host' ? e.detail : '')), ['already done']);
	t.deepEqual(h.remotes[0]!.changes(), []);
});

test('a dry run plans the config and init and changes nothing', async (t) => {
	const h = stepHarness({ dryRun: true });
	const outcome = await runSteps(h.ctx, [initControlPlaneStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(h.remotes[0]!.changes(), []);
	t.deepEqual(h.remotes[0]!.uploads, []);
	const plans = h.events.filter((e) => e.kind === 'plan').map((e) => (e.kind === 'plan' ? `${e.host} ${e.action}` : ''));
	t.true(plans.some((p) => p.startsWith(`192.0.2.10 write ${INIT_CONFIG} (mode 0600`)), plans.join('\n'));
	t.true(plans.includes(`192.0.2.10 ${INIT}`));
});

test('a failed init names host, step, command and kubeadm\'s last lines', async (t) => {
	const h = withVersion(stepHarness({ states: [{ failures: new Map([['kubeadm init', { code: 1, signal: null, stdout: '[preflight] Running pre-flight checks', stderr: 'error execution phase preflight: [ERROR Port-6443]: Port 6443 is in use' }]]) }] }));
	const outcome = await runSteps(h.ctx, [initControlPlaneStep]);
	t.deepEqual(outcome.failures.map((f) => [f.step, f.host]), [['init', '192.0.2.10']]);
	t.is(outcome.failures[0]!.error.message, `192.0.2.10: step "init" failed: ${INIT} exited 1\n  [preflight] Running pre-flight checks\n  error execution phase preflight: [ERROR Port-6443]: Port 6443 is in use`);
});
