// The wait-ready step on a scripted first control plane: it reads the cluster's health until a
// whole round is healthy and the API answers through the fetched kubeconfig, emits each round for
// the views, hands its result to the command, fails with the watch's result on a timeout, and has
// nothing to do in a plan.
import test from 'ava';
import { stringify } from 'yaml';
import { KUBECONFIG } from '../../source/steps/list/fetch-kubeconfig.js';
import { NotReadyError, READINESS, WAIT_READY, waitReadyStep } from '../../source/steps/list/wait-ready.js';
import type { ReadinessResult } from '../../source/steps/readiness.js';
import { runSteps } from '../../source/steps/runner.js';
import type { RunContext, StepEvent, StepHost } from '../../source/steps/types.js';
import { resolveSpec } from '../../source/spec/resolve.js';
import { baremetalBase, withPaths } from '../spec/_base.js';
import { fixtureText } from '../cluster/health/_fixtures.js';
import { FakeRemote, freshHost } from './_fake-remote.js';

const KUBECONFIG_TEXT = 'apiVersion: v1\nkind: Config\n';
const SNAPSHOT = 'kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes,pods,daemonsets,deployments -A -o json';

function setup(options: { snapshots?: string[]; dryRun?: boolean; kubeconfig?: boolean; apiAnswer?: string; timeoutMs?: number } = {}) {
	const result = resolveSpec({ file: { content: stringify(withPaths(baremetalBase(), { 'spec.hosts': [{ address: '192.0.2.10', role: 'control-plane' }, { address: '192.0.2.11', role: 'worker' }] })), name: 'c.yaml' } });
	if (!result.ok) throw new Error(JSON.stringify(result.problems));
	const cluster = result.cluster;
	const remotes = cluster.spec.hosts.map((host) => new FakeRemote(freshHost(host.address, options.snapshots ? { snapshots: [...options.snapshots] } : {})));
	const hosts: StepHost[] = cluster.spec.hosts.map((host, i) => ({ host, id: host.address, remote: remotes[i] }));
	const events: StepEvent[] = [];
	const apiChecks: string[] = [];
	const ctx: RunContext = {
		cluster, hosts, dryRun: options.dryRun === true, concurrency: 10, signal: new AbortController().signal,
		shared: new Map(options.kubeconfig === false ? [] : [[KUBECONFIG, KUBECONFIG_TEXT]]),
		emit: (event) => events.push(event),
		secret: () => undefined,
		now: () => Date.now(),
		connect: async () => { throw new Error('connected already'); },
		readyTimeoutMs: options.timeoutMs ?? 60_000,
		checkApi: async (kubeconfig) => (apiChecks.push(kubeconfig), options.apiAnswer),
	};
	for (const remote of remotes) for (const path of ['/etc/kubernetes/admin.conf']) remote.state.files.set(path, { content: KUBECONFIG_TEXT, mode: 0o600 });
	return { ctx, remotes, events, apiChecks };
}

test('waits through a round before the CNI, returns once a round is healthy and the API answers, on the first control plane only', async (t) => {
	const s = setup({ snapshots: [fixtureText('cilium-before-cni.json'), fixtureText('cilium-healthy.json')] });
	const outcome = await runSteps(s.ctx, [waitReadyStep]);
	t.deepEqual(outcome.failures, []);
	const result = s.ctx.shared.get(READINESS) as ReadinessResult;
	t.is(result.outcome, 'ready');
	const [first, worker] = s.remotes;
	const calls = first!.calls.map((call) => `${call.sudo ? 'sudo ' : ''}${call.argv.join(' ')}`);
	t.false(calls.includes(`sudo ${SNAPSHOT}`), 'the cluster is followed, never re-listed whole');
	t.true(calls.every((call) => call.startsWith('sudo kubectl --kubeconfig /etc/kubernetes/admin.conf get --raw /api')), 'lists and watches through kubectl get --raw');
	t.true(calls.some((call) => /\/api\/v1\/namespaces\/kube-system\/pods\?watch=1&resourceVersion=\d+/.test(call)), 'the pods are watched from the list\'s version');
	t.deepEqual(worker!.calls, [], 'only the first control plane is asked');
	t.deepEqual(s.apiChecks, [KUBECONFIG_TEXT], 'the API is checked once, with the fetched kubeconfig, once the cluster looks ready');
	const health = s.events.filter((e): e is Extract<StepEvent, { kind: 'health' }> => e.kind === 'health');
	t.false(health[0]?.verdict.healthy, 'the round before the CNI');
	t.deepEqual(health.filter((e) => e.verdict.healthy).length, 1, 'the healthy round ends the wait');
	t.true(health[health.length - 1]?.verdict.healthy);
	t.true(s.events.some((e) => e.kind === 'log' && /^following the cluster from kubectl on 192\.0\.2\.10 \(over SSH\): list then watch/.test(e.line)), 'the route is in the run\'s log');
	t.true(health.every((e) => e.step === WAIT_READY && e.host === '192.0.2.10'));
	t.regex(s.events.find((e) => e.kind === 'note')?.kind === 'note' ? (s.events.find((e) => e.kind === 'note') as { line: string }).line : '', /^waiting up to 1m00s for the cluster to be ready: every node, Cilium, CoreDNS/);
});

test('an API that does not answer keeps the cluster not ready: the step fails with the watch result and the reason', async (t) => {
	const s = setup({ snapshots: [fixtureText('cilium-healthy.json')], apiAnswer: 'cannot reach the API at https://127.0.0.1:6443', timeoutMs: 1500 });
	const outcome = await runSteps(s.ctx, [waitReadyStep]);
	t.is(outcome.failures.length, 1);
	const error = outcome.failures[0]!.error;
	t.true(error instanceof NotReadyError);
	const result = s.ctx.shared.get(READINESS) as ReadinessResult;
	t.is(result.outcome, 'timeout');
	t.true(result.outcome === 'timeout' && result.verdict?.problems.some((p) => p.subject === 'api /readyz' && /cannot reach the API/.test(p.cause)));
	t.true(s.apiChecks.length >= 1);
});

test('a cluster whose API never answers kubectl fails with kubectl\'s last error', async (t) => {
	const s = setup({ timeoutMs: 1000 });
	const outcome = await runSteps(s.ctx, [waitReadyStep]);
	const result = s.ctx.shared.get(READINESS) as ReadinessResult;
	t.is(result.outcome, 'timeout');
	t.regex(result.outcome === 'timeout' ? result.lastError ?? '' : '', /listing nodes failed \(exit 1\): The connection to the server 10\.0\.0\.10:6443 was refused/);
	t.regex(outcome.failures[0]?.error.message ?? '', /^192\.0\.2\.10: the cluster is not ready after \ds: kubectl on 192\.0\.2\.10 \(over SSH\): listing nodes failed/);
	t.deepEqual(s.apiChecks, []);
});

test('without a fetched kubeconfig the step fails before reading anything', async (t) => {
	const s = setup({ kubeconfig: false, snapshots: [fixtureText('cilium-healthy.json')] });
	const outcome = await runSteps(s.ctx, [waitReadyStep]);
	t.regex(outcome.failures[0]?.error.message ?? '', /no kubeconfig was fetched/);
	t.deepEqual(s.remotes[0]!.calls, []);
});

test('a plan waits for nothing: the step targets no host and sends nothing', async (t) => {
	const s = setup({ dryRun: true, snapshots: [fixtureText('cilium-healthy.json')] });
	const outcome = await runSteps(s.ctx, [waitReadyStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(s.events, []);
	t.deepEqual(s.remotes[0]!.calls, []);
});

test('after a host failed earlier in the run, the step does not wait for a cluster that cannot become ready', async (t) => {
	const s = setup({ snapshots: [fixtureText('cilium-healthy.json')] });
	const failing = { ...waitReadyStep, id: 'join-workers', wholeCluster: false, targets: (ctx: RunContext) => ctx.hosts.slice(1), run: async () => { throw new Error('join failed'); } };
	const outcome = await runSteps(s.ctx, [failing, waitReadyStep]);
	t.deepEqual(outcome.failures.map((f) => f.step), ['join-workers']);
	t.deepEqual(s.remotes[0]!.calls, [], 'nothing was read');
	t.is(s.ctx.shared.get(READINESS), undefined);
});
