// The prepare step: swap off now and in fstab, the kernel modules and sysctls files, in that order
// with sudo; skipped when the files exist and swap is off; a dry run only says what it would do; ENI
// mode also keeps networkd off the secondary interfaces.
import test from 'ava';
import { ENI_UNMANAGED_FILE, MODULES_FILE, prepareHostStep, SELINUX_CONFIG, SYSCTL_FILE } from '../../source/steps/list/prepare-host.js';
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

test('SELinux enforcing (RHEL family): setenforce 0 and SELINUX=permissive in its config, as the kubeadm install page does; then skipped; hosts without SELinux are not touched', async (t) => {
	const config = (mode: string): Map<string, { content: string; mode: number }> => new Map([[SELINUX_CONFIG, { content: `# This file controls the state of SELinux on the system.\nSELINUX=${mode}\nSELINUXTYPE=targeted\n`, mode: 0o644 }]]);
	const h = stepHarness({ states: [{ osId: 'rocky', osVersion: '9.5', selinux: 'Enforcing', swapOn: false, files: config('enforcing') }, {}] });
	const outcome = await runSteps(h.ctx, [prepareHostStep]);
	t.deepEqual(outcome.failures, []);
	const rocky = h.remotes[0]!;
	t.deepEqual(rocky.changes().slice(-2), ['setenforce 0', `sed -i s/^SELINUX=enforcing$/SELINUX=permissive/ ${SELINUX_CONFIG}`]);
	t.true(rocky.calls.filter((c) => ['setenforce', 'sed'].includes(c.argv[0] ?? '')).every((c) => c.sudo));
	t.is(rocky.state.selinux, 'Permissive');
	t.is(rocky.state.files.get(SELINUX_CONFIG)?.content, '# This file controls the state of SELinux on the system.\nSELINUX=permissive\nSELINUXTYPE=targeted\n');
	t.is(await prepareHostStep.shouldRun(h.ctx, h.ctx.hosts[0]!), false, 'permissive now and at boot: nothing left to do');
	t.false(h.remotes[1]!.changes().some((c) => /setenforce|selinux/.test(c)), 'a host without SELinux');
	// Permissive already, but the config still enforces at the next boot: only the config is edited.
	const boot = stepHarness({ states: [{ osId: 'rocky', osVersion: '9.5', selinux: 'Permissive', swapOn: false, files: new Map([...config('enforcing'), [MODULES_FILE, { content: '', mode: 0o644 }], [SYSCTL_FILE, { content: '', mode: 0o644 }]]) }] });
	t.is(await prepareHostStep.shouldRun(boot.ctx, boot.ctx.hosts[0]!), true);
	await runSteps(boot.ctx, [prepareHostStep]);
	t.false(boot.remotes[0]!.changes().includes('setenforce 0'));
	t.true(boot.remotes[0]!.changes().includes(`sed -i s/^SELINUX=enforcing$/SELINUX=permissive/ ${SELINUX_CONFIG}`));
});
