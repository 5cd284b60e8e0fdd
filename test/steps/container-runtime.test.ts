// The containerd step: the distribution's package, its default config with SystemdCgroup on and the CRI
// plugin enabled (0644), enabled and restarted, all with sudo; skipped when containerd runs with systemd
// cgroups; a dry run only plans; a failed command is named with its output.
import test from 'ava';
import { CONTAINERD_CONFIG, containerdConfig, containerRuntimeStep, DOCKER_KEY, DOCKER_REPO, dockerRepoFile, dockerRepoGrep } from '../../source/steps/list/container-runtime.js';
import { runSteps } from '../../source/steps/runner.js';
import { stepHarness } from './_step-harness.js';

const configured = (): Map<string, { content: string; mode: number }> => new Map([[CONTAINERD_CONFIG, { content: 'version = 2\n  SystemdCgroup = true\n', mode: 0o644 }]]);

test('containerdConfig turns SystemdCgroup on and takes cri out of disabled_plugins, keeping the others', (t) => {
	t.is(containerdConfig('disabled_plugins = ["cri", "zfs"]\n  SystemdCgroup = false\n'), 'disabled_plugins = [ "zfs"]\n  SystemdCgroup = true\n');
	t.is(containerdConfig('version = 2\n'), 'version = 2\n');
});

test('a fresh host: apt installs containerd, the config is written 0644 with SystemdCgroup = true, then enable and restart, with sudo', async (t) => {
	const h = stepHarness();
	const outcome = await runSteps(h.ctx, [containerRuntimeStep]);
	t.deepEqual(outcome.failures, []);
	for (const i of [0, 1]) {
		t.deepEqual(h.sent(i), [
			'systemctl is-active --quiet containerd',
			`sudo grep -q SystemdCgroup = true ${CONTAINERD_CONFIG}`,
			'sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q',
			'sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q containerd',
			'containerd config default',
			'sudo mkdir -p /etc/containerd',
			'sudo systemctl enable containerd',
			'sudo systemctl restart containerd',
		]);
		t.deepEqual(h.remotes[i]!.state.files.get(CONTAINERD_CONFIG), { content: 'version = 2\n[plugins]\n  SystemdCgroup = true\n', mode: 0o644 });
		t.true(h.remotes[i]!.state.services.has('containerd'));
	}
});

test('shouldRun: skipped (already done) when containerd is active with systemd cgroups; runs when inactive or still cgroupfs', async (t) => {
	const h = stepHarness({ states: [{ services: new Set(['containerd']), files: configured() }, { services: new Set(['containerd']), files: new Map([[CONTAINERD_CONFIG, { content: 'SystemdCgroup = false\n', mode: 0o644 }]]) }] });
	await runSteps(h.ctx, [containerRuntimeStep]);
	const skipped = h.events.filter((e) => e.kind === 'host' && e.state === 'skipped').map((e) => (e.kind === 'host' ? `${e.host} ${e.detail ?? ''}` : ''));
	t.deepEqual(skipped, ['192.0.2.10 already done']);
	t.deepEqual(h.remotes[0]!.changes(), []);
	t.true(h.remotes[1]!.changes().includes('systemctl restart containerd'), 'cgroupfs config is replaced');
	const inactive = stepHarness({ states: [{ files: configured() }] });
	t.is(await containerRuntimeStep.shouldRun(inactive.ctx, inactive.ctx.hosts[0]!), true);
});

test('a dry run plans the install, the config and the restart, and changes nothing', async (t) => {
	const h = stepHarness({ dryRun: true });
	const outcome = await runSteps(h.ctx, [containerRuntimeStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(h.remotes[0]!.changes(), []);
	t.deepEqual(h.remotes[0]!.uploads, []);
	const plans = h.events.filter((e) => e.kind === 'plan' && e.host === '192.0.2.11').map((e) => (e.kind === 'plan' ? e.action : ''));
	t.true(plans.includes('sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q containerd'), plans.join('\n'));
	t.true(plans.some((p) => p.startsWith(`write ${CONTAINERD_CONFIG} (mode 0644`)));
	t.is(plans.at(-1), 'sudo systemctl restart containerd');
});

test('a failed install names host, step, command and apt\'s output; nothing after it runs', async (t) => {
	const h = stepHarness({ states: [{}, { failures: new Map([['env DEBIAN_FRONTEND=noninteractive apt-get install', { code: 100, signal: null, stdout: 'Reading package lists...', stderr: 'E: Unable to locate package containerd' }]]) }] });
	const outcome = await runSteps(h.ctx, [containerRuntimeStep]);
	t.deepEqual(outcome.failures.map((f) => [f.step, f.host]), [['containerd', '192.0.2.11']]);
	t.is(outcome.failures[0]!.error.message, '192.0.2.11: step "containerd" failed: sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q containerd exited 100\n  Reading package lists...\n  E: Unable to locate package containerd');
	t.false(h.remotes[1]!.changes().includes('systemctl restart containerd'));
	t.true(h.remotes[0]!.state.services.has('containerd'), 'the other host finished');
});

const ROCKY = { osId: 'rocky', osVersion: '9.5' };

test('dnf hosts: Docker\'s RPM key checked against the pin, written with the repo file, then containerd.io (RHEL 9 has no containerd package)', async (t) => {
	const h = stepHarness({ states: [ROCKY, { osId: 'rhel', osVersion: '9.4' }] });
	const outcome = await runSteps(h.ctx, [containerRuntimeStep]);
	t.deepEqual(outcome.failures, []);
	for (const [i, family] of [[0, 'centos'], [1, 'rhel']] as const) {
		t.deepEqual(h.sent(i), [
			'systemctl is-active --quiet containerd',
			`sudo grep -q SystemdCgroup = true ${CONTAINERD_CONFIG}`,
			dockerRepoGrep().join(' '),
			`curl -fsSL https://download.docker.com/linux/${family}/gpg`,
			'gpg --batch --show-keys --with-colons',
			'sudo mkdir -p -m 755 /etc/pki/rpm-gpg',
			'sudo dnf install -y containerd.io',
			'containerd config default',
			'sudo mkdir -p /etc/containerd',
			'sudo systemctl enable containerd',
			'sudo systemctl restart containerd',
		]);
		const files = h.remotes[i]!.state.files;
		t.is(files.get(DOCKER_KEY)?.mode, 0o644);
		t.deepEqual(files.get(DOCKER_REPO), { content: dockerRepoFile(family), mode: 0o644 });
		t.regex(dockerRepoFile(family), new RegExp(`^baseurl=https://download\\.docker\\.com/linux/${family}/\\$releasever/\\$basearch/stable$`, 'm'));
		t.regex(dockerRepoFile(family), new RegExp(`^gpgkey=file://${DOCKER_KEY}$`, 'm'));
	}
	t.false(h.sent(0).some((line) => line.includes('apt-get')), 'no apt on an RPM host');
});

test('dnf hosts: a host that already has Docker\'s repository keeps it (no second repo file); a wrong Docker key is refused before anything is installed', async (t) => {
	const own = new Map([['/etc/yum.repos.d/docker-ce.repo', { content: '[docker-ce-stable]\nbaseurl=https://download.docker.com/linux/centos/$releasever/$basearch/stable\n', mode: 0o644 }]]);
	const h = stepHarness({ states: [{ ...ROCKY, files: own }, { ...ROCKY, dockerKeyFingerprint: '9DC858229FC7DD38854AE2D88D81803C0EBFCD88' }] });
	const outcome = await runSteps(h.ctx, [containerRuntimeStep]);
	t.deepEqual(h.remotes[0]!.changes().slice(0, 1), ['dnf install -y containerd.io']);
	t.false(h.remotes[0]!.state.files.has(DOCKER_REPO));
	t.is(outcome.failures.length, 1);
	t.is(outcome.failures[0]!.error.message, '192.0.2.11: step "containerd" refused: the Docker RPM repository key from https://download.docker.com/linux/centos/gpg has fingerprint 9DC8 5822 9FC7 DD38 854A E2D8 8D81 803C 0EBF CD88, expected 060A 61C5 1B55 8A7F 742B 77AA C52F EB6B 621E 9F35; nothing was installed from it. A proxy or mirror on the host\'s path may be serving another key: check what the host reaches as download.docker.com');
	t.deepEqual(h.remotes[1]!.changes(), []);
	t.false(h.remotes[1]!.state.files.has(DOCKER_REPO));
});
