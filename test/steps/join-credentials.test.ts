// Join credentials read on the first control plane: the bootstrap token (and for control-plane joins the
// certificate key) read as secret output, registered for redaction, kept in memory; the CA hash computed
// from the CA certificate; skipped once every host has joined; a dry run reads nothing.
import test from 'ava';
import { caCertHash, CREDENTIALS, joinCredentialsStep } from '../../source/steps/list/join-credentials.js';
import { runSteps } from '../../source/steps/runner.js';
import { CERT_KEY, TEST_CA, TEST_CA_HASH, TOKEN, type FakeHostState } from './_fake-remote.js';
import { specCluster, stepHarness, type StepHarness } from './_step-harness.js';

const initialized = (): Partial<FakeHostState> => ({ files: new Map([['/etc/kubernetes/pki/ca.crt', { content: TEST_CA, mode: 0o644 }], ['/etc/kubernetes/admin.conf', { content: 'x', mode: 0o600 }]]) });
const joined = (): Partial<FakeHostState> => ({ files: new Map([['/etc/kubernetes/kubelet.conf', { content: 'x', mode: 0o600 }]]) });

function collecting(h: StepHarness): string[] {
	const secrets: string[] = [];
	h.ctx.secret = (value) => secrets.push(value);
	return secrets;
}

test('caCertHash is the sha256 of the CA\'s public key (as kubeadm computes it)', (t) => {
	t.is(caCertHash(TEST_CA), TEST_CA_HASH);
});

test('workers only: a 30m token, read as secret output and registered, the CA hash; no certificate key', async (t) => {
	const h = stepHarness({ states: [initialized(), {}] });
	const secrets = collecting(h);
	const outcome = await runSteps(h.ctx, [joinCredentialsStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(h.sent(0), ['sudo kubeadm token create --ttl 30m']);
	t.deepEqual(h.sent(1), []);
	t.deepEqual(h.ctx.shared.get(CREDENTIALS), { token: TOKEN, caCertHash: TEST_CA_HASH });
	t.deepEqual(secrets, [TOKEN]);
	t.false(JSON.stringify(h.events).includes(TOKEN), 'the token is in no event');
});

test('a control plane to join: the certificate key is uploaded and read as a secret too, and never sent', async (t) => {
	const cluster = specCluster({ 'spec.hosts': [{ address: '192.0.2.10', role: 'control-plane' }, { address: '192.0.2.11', role: 'control-plane' }, { address: '192.0.2.12', role: 'control-plane' }], 'spec.kubernetes.controlPlaneEndpoint': 'api.lab.example:6443' });
	const h = stepHarness({ cluster, states: [initialized(), {}, joined()] });
	const secrets = collecting(h);
	const outcome = await runSteps(h.ctx, [joinCredentialsStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(h.sent(0), ['sudo kubeadm token create --ttl 30m', 'sudo kubeadm init phase upload-certs --upload-certs']);
	t.deepEqual(h.ctx.shared.get(CREDENTIALS), { token: TOKEN, caCertHash: TEST_CA_HASH, certificateKey: CERT_KEY });
	t.deepEqual(secrets, [TOKEN, CERT_KEY]);
	t.true(h.remotes[0]!.calls.every((c) => !c.argv.join(' ').includes(TOKEN) && !c.argv.join(' ').includes(CERT_KEY)));
	t.false(JSON.stringify(h.events).includes(CERT_KEY));
});

test('shouldRun: skipped with "every host has joined" when the other hosts have kubelet.conf', async (t) => {
	const h = stepHarness({ states: [initialized(), joined()] });
	const outcome = await runSteps(h.ctx, [joinCredentialsStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(h.events.filter((e) => e.kind === 'host' && e.state === 'skipped').map((e) => (e.kind === 'host' ? e.detail : '')), ['every host has joined']);
	t.deepEqual(h.sent(0), []);
	t.false(h.ctx.shared.has(CREDENTIALS));
});

test('a dry run plans the token and reads nothing', async (t) => {
	const h = stepHarness({ dryRun: true });
	const outcome = await runSteps(h.ctx, [joinCredentialsStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(h.sent(0), []);
	t.deepEqual(h.events.filter((e) => e.kind === 'plan').map((e) => (e.kind === 'plan' ? e.action : '')), ['kubeadm token create --ttl 30m (token kept in memory, never printed)']);
});

test('a token that cannot be made names host, step and command, with kubeadm\'s error and not its stdout', async (t) => {
	const h = stepHarness({ states: [{ ...initialized(), failures: new Map([['kubeadm token create', { code: 1, signal: null, stdout: 'partial-secret-output', stderr: 'failed to create or update bootstrap token: Unauthorized' }]]) }, {}] });
	const outcome = await runSteps(h.ctx, [joinCredentialsStep]);
	t.deepEqual(outcome.failures.map((f) => [f.step, f.host]), [['credentials', '192.0.2.10']]);
	t.is(outcome.failures[0]!.error.message, '192.0.2.10: step "credentials" failed: kubeadm token create --ttl 30m exited 1\n  could not read the bootstrap token\n  failed to create or update bootstrap token: Unauthorized');
	t.false(h.ctx.shared.has(CREDENTIALS));
});
