// The readiness wait against a scripted kubectl: it follows the cluster by list then watch (the
// scripted snapshots answered as the API server does, test/steps/_fake-api.ts), returns only when a
// whole round is healthy and the API check passes, fetches crash logs once per restart, and on a
// timeout hands back the last verdict with the recent events.
import test from 'ava';
import { watchReadiness, type ReadinessOptions } from '../../source/steps/readiness.js';
import type { ExecResult } from '../../source/steps/types.js';
import { FakeApi, rawPath } from './_fake-api.js';
import { fixtureText, NOW } from '../cluster/health/_fixtures.js';

const ok = (stdout: string): ExecResult => ({ code: 0, signal: null, stdout, stderr: '' });

interface Script {
	/** answers for successive health reads (each read of the API); the last one repeats */
	polls: ExecResult[];
	logs?: string;
	events?: string;
}

function scripted(script: Script) {
	const calls: string[] = [];
	let poll = 0;
	const api = new FakeApi(() => script.polls[Math.min(poll++, script.polls.length - 1)] as ExecResult);
	const remote: ReadinessOptions['remote'] = {
		async exec(argv, options) {
			calls.push(`${options?.sudo ? 'sudo ' : ''}${argv.join(' ')}`);
			await new Promise((resolve) => setTimeout(resolve, 1));
			const path = rawPath(argv);
			if (path !== undefined) return api.get(path, options);
			if (argv.includes('logs')) return ok(script.logs ?? '');
			if (argv.includes('events')) return ok(script.events ?? '{"kind":"List","items":[]}');
			return { code: 1, signal: null, stdout: '', stderr: `unexpected ${argv.join(' ')}` };
		},
	};
	return { remote, calls };
}

// A clock that moves 1 s per read, so timeouts are reached without waiting for them; rounds come at
// least every 150 ms of real time, after the follower's changes settle (100 ms).
function clock(): () => number {
	let now = NOW;
	return () => (now += 1000);
}

function options(remote: ReadinessOptions['remote'], changes: Partial<ReadinessOptions> = {}): ReadinessOptions & { seen: number[] } {
	const seen: number[] = [];
	return { remote, cni: 'cilium', timeoutMs: 60_000, intervalMs: 150, signal: new AbortController().signal, now: clock(), onVerdict: (v) => seen.push(v.summary.podsReady), seen, ...changes };
}

test('waits through "before the CNI" rounds and returns ready once a round is healthy and /readyz answers', async (t) => {
	const s = scripted({ polls: [ok(fixtureText('cilium-before-cni.json')), ok(fixtureText('cilium-before-cni.json')), ok(fixtureText('cilium-healthy.json'))] });
	let apiChecks = 0;
	const o = options(s.remote, { apiCheck: async () => (apiChecks++, undefined) });
	const result = await watchReadiness(o);
	t.is(result.outcome, 'ready');
	t.true(o.seen.length >= 2, 'the "before the CNI" verdict, then the healthy one');
	t.true(o.seen[0]! < o.seen[o.seen.length - 1]!);
	t.is(apiChecks, 1, 'the API is checked only once the cluster looks ready');
	t.true(s.calls.every((c) => c.startsWith('sudo kubectl --kubeconfig /etc/kubernetes/admin.conf get --raw ')), 'only lists and watches');
	t.false(s.calls.some((c) => c.includes('nodes,pods,daemonsets,deployments')), 'never the whole snapshot list');
	t.true(s.calls.some((c) => c.includes('?watch=1&resourceVersion=')), 'changes come by watch');
});

test('a failing /readyz keeps it waiting, with the reason as a problem, until the timeout', async (t) => {
	const s = scripted({ polls: [ok(fixtureText('cilium-healthy.json'))] });
	const result = await watchReadiness(options(s.remote, { timeoutMs: 5000, apiCheck: async () => 'cannot reach the API at https://192.0.2.10:6443 with the kubeconfig: connect ECONNREFUSED' }));
	t.is(result.outcome, 'timeout');
	t.false(result.verdict?.healthy);
	t.deepEqual(result.verdict?.problems.map((p) => p.subject), ['api /readyz']);
});

test('a stuck cluster times out with its last verdict and the recent events of the unhealthy pods', async (t) => {
	const s = scripted({ polls: [ok(fixtureText('cilium-troubled.json'))], events: fixtureText('events-troubled.json'), logs: 'level=fatal msg="failed to start"\n' });
	const result = await watchReadiness(options(s.remote, { timeoutMs: 4000 }));
	t.is(result.outcome, 'timeout');
	if (result.outcome !== 'timeout') return;
	t.false(result.verdict?.healthy);
	t.true(result.events.length > 0);
	const logCalls = s.calls.filter((c) => c.includes(' logs '));
	t.true(logCalls.length > 0, 'crash-looping containers have their previous logs read');
	t.is(new Set(logCalls).size, logCalls.length, 'once per restart, not every round');
	t.true(result.verdict?.pods.some((p) => p.cause?.includes('failed to start')));
	t.is(s.calls.filter((c) => c.includes(' events ')).length, 1);
});

test('kubectl failing every round ends in a timeout that carries its error', async (t) => {
	const s = scripted({ polls: [{ code: 1, signal: null, stdout: '', stderr: 'The connection to the server 192.0.2.10:6443 was refused - did you specify the right host or port?' }] });
	const result = await watchReadiness(options(s.remote, { timeoutMs: 3000 }));
	t.is(result.outcome, 'timeout');
	if (result.outcome !== 'timeout') return;
	t.is(result.verdict, undefined);
	t.regex(result.lastError ?? '', /listing \w+ failed \(exit 1\): The connection to the server 192\.0\.2\.10:6443 was refused/);
});

test('an abort ends the watch at once', async (t) => {
	const controller = new AbortController();
	const s = scripted({ polls: [ok(fixtureText('cilium-before-cni.json'))] });
	let seen = 0;
	const o = options(s.remote, { signal: controller.signal, intervalMs: 60_000, now: Date.now, timeoutMs: 600_000, onVerdict: () => (seen++, controller.abort()) });
	const result = await watchReadiness(o);
	t.is(result.outcome, 'aborted');
	t.is(seen, 1, 'no further round after the abort (the next would come 60 s later)');
	t.false(s.calls.some((c) => c.includes(' events ')), 'no timeout report');
});
