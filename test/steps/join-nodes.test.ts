// Joining: the JoinConfiguration with the credentials is a 0600 file removed after use (also when the join
// fails); the token and certificate key never reach a command line or an event; control planes join one at
// a time with the certificate key, workers in parallel without it; joined hosts are skipped.
import test from 'ava';
import { parseAllDocuments } from 'yaml';
import { CREDENTIALS } from '../../source/steps/list/join-credentials.js';
import { JOIN_CONFIG, joinControlPlanesStep, joinWorkersStep } from '../../source/steps/list/join-nodes.js';
import { runSteps } from '../../source/steps/runner.js';
import { CERT_KEY, TEST_CA_HASH, TOKEN } from './_fake-remote.js';
import { specCluster, stepHarness, type StepHarness } from './_step-harness.js';

const JOIN = `sudo kubeadm join --config ${JOIN_CONFIG}`;
const JOINED = { files: new Map([['/etc/kubernetes/kubelet.conf', { content: 'x', mode: 0o600 }]]) };

function withCredentials(h: StepHarness, certificateKey = false): StepHarness {
	h.ctx.shared.set(CREDENTIALS, { token: TOKEN, caCertHash: TEST_CA_HASH, ...(certificateKey ? { certificateKey: CERT_KEY } : {}) });
	return h;
}

function noSecretSent(t: { false: (v: boolean, m?: string) => void }, h: StepHarness): void {
	for (const remote of h.remotes) t.false(remote.calls.some((c) => c.argv.join(' ').includes(TOKEN) || c.argv.join(' ').includes(CERT_KEY)), 'secret on a command line');
	t.false(JSON.stringify(h.events).includes(TOKEN) || JSON.stringify(h.events).includes(CERT_KEY), 'secret in an event');
}

const bigCluster = (): ReturnType<typeof specCluster> => specCluster({
	'spec.hosts': [
		{ address: '192.0.2.10', role: 'control-plane' }, { address: '192.0.2.11', role: 'control-plane' }, { address: '192.0.2.12', role: 'control-plane' },
		{ address: '192.0.2.13', role: 'worker' }, { address: '192.0.2.14', role: 'worker' },
	],
	'spec.kubernetes.controlPlaneEndpoint': 'api.lab.example:6443',
});

test('a worker: join file written 0600 with the token, kubeadm join from it, the file removed; nothing on the control plane', async (t) => {
	const h = withCredentials(stepHarness());
	const outcome = await runSteps(h.ctx, [joinControlPlanesStep, joinWorkersStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(h.sent(0), []);
	t.deepEqual(h.sent(1), ['sudo test -f /etc/kubernetes/kubelet.conf', 'sudo mkdir -p -m 700 /etc/kubestrap', JOIN, `sudo rm -f ${JOIN_CONFIG}`]);
	const upload = h.remotes[1]!.uploads.find((u) => u.path === JOIN_CONFIG);
	t.is(upload?.mode, 0o600);
	const join = parseAllDocuments(upload?.content ?? '')[0]?.toJS() as { discovery?: { bootstrapToken?: { token?: string; caCertHashes?: string[] } }; controlPlane?: unknown };
	t.is(join.discovery?.bootstrapToken?.token, TOKEN);
	t.deepEqual(join.discovery?.bootstrapToken?.caCertHashes, [TEST_CA_HASH]);
	t.is(join.controlPlane, undefined);
	t.false(h.remotes[1]!.state.files.has(JOIN_CONFIG), 'the join file is gone');
	noSecretSent(t, h);
});

test('control planes join one at a time with the certificate key, then the workers', async (t) => {
	const h = withCredentials(stepHarness({ cluster: bigCluster() }), true);
	const order: string[] = [];
	for (const [i, remote] of h.remotes.entries()) {
		const exec = remote.exec.bind(remote);
		remote.exec = async (argv, options) => {
			if (argv[0] === 'kubeadm') order.push(`start ${i}`);
			const result = await exec(argv, options);
			if (argv[0] === 'kubeadm') order.push(`end ${i}`);
			return result;
		};
	}
	const outcome = await runSteps(h.ctx, [joinControlPlanesStep, joinWorkersStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(order.slice(0, 4), ['start 1', 'end 1', 'start 2', 'end 2'], 'one control plane at a time, before any worker');
	t.deepEqual(order.slice(4).sort(), ['end 3', 'end 4', 'start 3', 'start 4']);
	t.regex(h.remotes[1]!.uploads.find((u) => u.path === JOIN_CONFIG)?.content ?? '', new RegExp(`certificateKey: ${CERT_KEY}`));
	t.notRegex(h.remotes[3]!.uploads.find((u) => u.path === JOIN_CONFIG)?.content ?? 'missing', /certificateKey/);
	t.deepEqual(h.sent(0), [], 'the first control plane is not joined');
	noSecretSent(t, h);
});

test('shouldRun: a host with kubelet.conf is skipped (already done)', async (t) => {
	const h = withCredentials(stepHarness({ states: [{}, JOINED] }));
	const outcome = await runSteps(h.ctx, [joinWorkersStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(h.events.filter((e) => e.kind === 'host' && e.state === 'skipped').map((e) => (e.kind === 'host' ? `${e.host} ${e.detail ?? ''}` : '')), ['192.0.2.11 already done']);
	t.deepEqual(h.remotes[1]!.changes(), []);
});

test('without credentials (the credentials step did not run) the join is refused before anything is sent', async (t) => {
	const h = stepHarness();
	const outcome = await runSteps(h.ctx, [joinWorkersStep]);
	t.regex(outcome.failures[0]?.error.message ?? '', /^192\.0\.2\.11: no join credentials/);
	t.deepEqual(h.remotes[1]!.changes(), []);
});

test('a dry run plans the 0600 file and the join, and changes nothing', async (t) => {
	const h = stepHarness({ dryRun: true });
	const outcome = await runSteps(h.ctx, [joinControlPlanesStep, joinWorkersStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(h.remotes[1]!.changes(), []);
	t.deepEqual(h.remotes[1]!.uploads, []);
	const plans = h.events.filter((e) => e.kind === 'plan' && e.host === '192.0.2.11').map((e) => (e.kind === 'plan' ? e.action : ''));
	t.true(plans.some((p) => p.startsWith(`write ${JOIN_CONFIG} (mode 0600`)), plans.join('\n'));
	t.true(plans.includes(JOIN));
});

test('a failed join names host, step, command and kubeadm\'s output, and still removes the file with the token', async (t) => {
	const h = withCredentials(stepHarness({ states: [{}, { failures: new Map([['kubeadm join', { code: 1, signal: null, stdout: '[preflight] Running pre-flight checks', stderr: 'error execution phase preflight: couldn\'t validate the identity of the API Server' }]]) }] }));
	const outcome = await runSteps(h.ctx, [joinWorkersStep]);
	t.deepEqual(outcome.failures.map((f) => [f.step, f.host]), [['join-workers', '192.0.2.11']]);
	t.is(outcome.failures[0]!.error.message, `192.0.2.11: step "join-workers" failed: ${JOIN} exited 1\n  [preflight] Running pre-flight checks\n  error execution phase preflight: couldn't validate the identity of the API Server`);
	t.is(h.sent(1).at(-1), `sudo rm -f ${JOIN_CONFIG}`);
	t.false(h.remotes[1]!.state.files.has(JOIN_CONFIG));
	noSecretSent(t, h);
});
