// The prepare step: swap off now and in fstab, the kernel modules and sysctls files, in that order
// with sudo; skipped when the files exist and swap is off; a dry run only says what it would do; ENI
// mode also keeps networkd off the secondary interfaces.
import test from 'ava';
import { ENI_UNMANAGED_FILE, MODULES_FILE, prepareHostStep, SYSCTL_FILE } from '../../source/steps/list/prepare-host.js';
import { runSteps } from '../../source/steps/runner.js';
import { specCluster, stepHarness } from './_step-harness.js';

test('a fresh host: swap off, fstab edited, modules and sysctls written (0644) and loaded, all with sudo', async (t) => {
	const h = stepHarness();
	const outcome = await runSteps(h.ctx, [prepareHostStep]);
	t.deepEqual(outcome.failures, []);
	const remote = h.remotes[0]!;
	t.deepEqual(remote.changes().slice(0, 2), ['swapoff -a', 'sed -i -E s@^([^#].*[[:space:]]swap[[:space:]].*)$@# \\1@ /etc/fstab']);
	t.true(remote.calls.filter((c) => remote.changes().includes(c.argv.join(' '))).every((c) => c.sudo), 'every change runs through sudo');
	t.deepEqual(remote.state.files.get(MODULES_FILE), { content: 'overlay\nbr_netfilter\n', mode: 0o644 });
	t.regex(remote.state.files.get(SYSCTL_FILE)?.content ?? '', /net\.ipv4\.ip_forward = 1/);
	t.true(remote.changes().includes('modprobe br_netfilter'));
	t.true(remote.changes().includes('sysctl --system'));
	t.false(remote.state.files.has(ENI_UNMANAGED_FILE), 'no networkd file without ENI');
	t.false(remote.state.swapOn);
});

test('shouldRun: false once the files exist and swap is off; true while swap is on or a file is missing', async (t) => {
	const files = new Map([[MODULES_FILE, { content: '', mode: 0o644 }], [SYSCTL_FILE, { content: '', mode: 0o644 }]]);
	const done = stepHarness({ states: [{ files: new Map(files), swapOn: false }, { files: new Map(files), swapOn: true }] });
	t.is(await prepareHostStep.shouldRun(done.ctx, done.ctx.hosts[0]!), false);
	t.is(await prepareHostStep.shouldRun(done.ctx, done.ctx.hosts[1]!), true, 'swap is on');
	const missing = stepHarness({ states: [{ files: new Map([[MODULES_FILE, { content: '', mode: 0o644 }]]), swapOn: false }] });
	t.is(await prepareHostStep.shouldRun(missing.ctx, missing.ctx.hosts[0]!), true);
});

test('a dry run sends no change and plans each one', async (t) => {
	const h = stepHarness({ dryRun: true });
	await runSteps(h.ctx, [prepareHostStep]);
	t.deepEqual(h.remotes[0]!.changes(), []);
	const plans = h.events.filter((e) => e.kind === 'plan' && e.host === '192.0.2.10').map((e) => (e.kind === 'plan' ? e.action : ''));
	t.true(plans.includes('sudo swapoff -a'), plans.join('\n'));
	t.true(plans.some((p) => p.includes(MODULES_FILE)));
	t.true(plans.some((p) => p.includes(SYSCTL_FILE)));
});

test('Cilium ENI: the networkd file keeps eth1+ unmanaged, and networkd reloads when it runs', async (t) => {
	// As install sees it after AWS discovery: the instances are spec.hosts.
	const cluster = specCluster({ 'spec.network.cni': 'cilium' });
	cluster.spec.network.cilium.ipam = 'eni';
	const h = stepHarness({ cluster, states: [{ services: new Set(['systemd-networkd']) }, {}] });
	const outcome = await runSteps(h.ctx, [prepareHostStep]);
	t.deepEqual(outcome.failures, []);
	t.regex(h.remotes[0]!.state.files.get(ENI_UNMANAGED_FILE)?.content ?? '', /\[Match\]\nName=eth\[1-9\]\*\n\n\[Link\]\nUnmanaged=yes/);
	t.true(h.remotes[0]!.changes().includes('networkctl reload'));
	t.false(h.remotes[1]!.changes().includes('networkctl reload'), 'networkd not running: nothing to reload');
});
