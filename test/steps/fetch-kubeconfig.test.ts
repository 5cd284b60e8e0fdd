// The kubeconfig step: the admin kubeconfig downloaded from the first control plane with sudo, its
// server set to an address this machine reaches, handed to later steps and saved 0600 through the
// session; a dry run only says so.
import test from 'ava';
import { parse } from 'yaml';
import { fetchKubeconfigStep, KUBECONFIG, KUBECONFIG_PATH } from '../../source/steps/list/fetch-kubeconfig.js';
import { runSteps } from '../../source/steps/runner.js';
import { specCluster, stepHarness } from './_step-harness.js';

const ADMIN = 'apiVersion: v1\nkind: Config\nclusters:\n- name: demo\n  cluster:\n    server: https://10.0.0.10:6443\n';

test('downloads admin.conf from the first control plane, points it at a reachable server, saves it', async (t) => {
	const h = stepHarness({ states: [{ files: new Map([['/etc/kubernetes/admin.conf', { content: ADMIN, mode: 0o600 }]]) }, {}] });
	const saved: Array<[string, string]> = [];
	h.ctx.saveFile = async (name, content) => (saved.push([name, content]), `/work/${name}`);
	const outcome = await runSteps(h.ctx, [fetchKubeconfigStep]);
	t.deepEqual(outcome.failures, []);
	const kubeconfig = h.ctx.shared.get(KUBECONFIG) as string;
	t.is((parse(kubeconfig) as { clusters: Array<{ cluster: { server: string } }> }).clusters[0]?.cluster.server, 'https://192.0.2.10:6443');
	t.deepEqual(saved, [[`${h.ctx.cluster.metadata.name}.kubeconfig`, kubeconfig]]);
	t.is(h.ctx.shared.get(KUBECONFIG_PATH), `/work/${h.ctx.cluster.metadata.name}.kubeconfig`);
	t.true(h.events.some((e) => e.kind === 'note' && e.line === `kubeconfig: /work/${h.ctx.cluster.metadata.name}.kubeconfig (mode 0600)`));
	t.deepEqual(h.sent(1), [], 'only the first control plane');
});

test('with a control-plane endpoint, the server is the endpoint', async (t) => {
	const cluster = specCluster({ 'spec.kubernetes.controlPlaneEndpoint': 'api.example.internal:443' });
	const h = stepHarness({ cluster, states: [{ files: new Map([['/etc/kubernetes/admin.conf', { content: ADMIN, mode: 0o600 }]]) }, {}] });
	await runSteps(h.ctx, [fetchKubeconfigStep]);
	t.regex(h.ctx.shared.get(KUBECONFIG) as string, /server: https:\/\/api\.example\.internal:443/);
});

test('shouldRun: always (the file on this machine follows the cluster); a dry run plans and downloads nothing', async (t) => {
	const h = stepHarness({ dryRun: true });
	t.is(await fetchKubeconfigStep.shouldRun(h.ctx, h.ctx.hosts[0]!), true);
	const outcome = await runSteps(h.ctx, [fetchKubeconfigStep]);
	t.deepEqual(outcome.failures, []);
	t.is(h.ctx.shared.get(KUBECONFIG), undefined);
	t.true(h.events.some((e) => e.kind === 'plan' && /download \/etc\/kubernetes\/admin\.conf → \.\/\S+\.kubeconfig \(0600, server https:\/\/192\.0\.2\.10:6443\)/.test(e.action)));
});

test('no admin.conf on the host fails the step naming the file', async (t) => {
	const h = stepHarness();
	const outcome = await runSteps(h.ctx, [fetchKubeconfigStep]);
	t.regex(outcome.failures[0]?.error.message ?? '', /\/etc\/kubernetes\/admin\.conf: no such file/);
});
