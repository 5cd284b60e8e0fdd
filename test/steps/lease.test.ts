// The lease's decisions, as tables: what the host's answer says, when a lease is stale, and the step's
// place in the runs that change hosts (and its absence from dry runs and read-only sessions).
import test from 'ava';
import { describeHolder, LEASE_SCRIPT, leaseStep, parseHeld, STALE_AFTER_S, staleReason } from '../../source/steps/list/lease.js';
import { INSTALL_STEPS } from '../../source/steps/list/index.js';
import { RESET_STEPS } from '../../source/steps/reset/list.js';
import { stepHarness } from './_step-harness.js';

const HERE = { user: 'ops', machine: 'jump-1', pid: 100, cwd: '/srv/c', command: 'kubestrap install' };

test('a held lease is read from the host answer: age, id and holder', (t) => {
	const held = parseHeld(['held', '42', 'abc123', JSON.stringify({ user: 'alice', machine: 'laptop', pid: 7, cwd: '/home/alice', command: 'kubestrap reset --yes', cluster: 'demo', startedAt: '2026-12-06T03:00:00.000Z' })]);
	t.is(held.ageSeconds, 42);
	t.is(held.record.id, 'abc123');
	t.is(describeHolder(held.record), 'alice@laptop (pid 7, in /home/alice, running kubestrap reset --yes, cluster demo, since 2026-12-06T03:00:00.000Z)');
	t.is(describeHolder(parseHeld(['held', '1', 'x', 'not json']).record), '?@?');
});

const cases: Array<[string, { machine: string; pid: number; age: number }, boolean, RegExp | undefined]> = [
	['fresh, another machine', { machine: 'laptop', pid: 7, age: 10 }, true, undefined],
	['fresh, this machine, pid alive', { machine: 'jump-1', pid: 55, age: 10 }, true, undefined],
	['fresh, this machine, pid gone', { machine: 'jump-1', pid: 55, age: 10 }, false, /pid 55 is no longer running on jump-1/],
	['too old, another machine', { machine: 'laptop', pid: 7, age: STALE_AFTER_S + 1 }, true, /not refreshed for 301s/],
	['at the bound', { machine: 'laptop', pid: 7, age: STALE_AFTER_S }, true, undefined],
];
for (const [name, lease, pidAlive, expected] of cases) {
	test(`stale or live: ${name}`, (t) => {
		const reason = staleReason({ record: { id: 'x', machine: lease.machine, pid: lease.pid }, ageSeconds: lease.age }, HERE, () => pidAlive);
		if (expected === undefined) t.is(reason, undefined);
		else t.regex(reason ?? '', expected);
	});
}

test('the lease comes right after connecting in install and reset', (t) => {
	t.deepEqual(INSTALL_STEPS.slice(0, 3).map((s) => s.id), ['connect', 'lease', 'facts']);
	t.deepEqual(RESET_STEPS.slice(0, 2).map((s) => s.id), ['connect', 'lease']);
});

test('no lease in a dry run or a session without a holder; with one, the first connected control plane', (t) => {
	const plain = stepHarness();
	t.deepEqual(leaseStep.targets(plain.ctx), []);
	const dry = stepHarness({ dryRun: true });
	dry.ctx.holder = HERE;
	t.deepEqual(leaseStep.targets(dry.ctx), []);
	const real = stepHarness();
	real.ctx.holder = HERE;
	t.deepEqual(leaseStep.targets(real.ctx).map((h) => h.id), ['192.0.2.10']);
});

test('every change to the lease happens under flock on its directory, root-only', (t) => {
	t.regex(LEASE_SCRIPT, /umask 077/);
	t.regex(LEASE_SCRIPT, /chmod 700 "\$dir"/);
	t.regex(LEASE_SCRIPT, /exec 9<"\$dir"\nflock -w 30 9/);
	// The takeover replaces only the lease the caller judged stale.
	t.regex(LEASE_SCRIPT, /\[ "\$current" = "\$expect" \]; then write; echo taken/);
});
