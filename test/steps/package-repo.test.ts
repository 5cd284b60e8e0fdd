// The package repository step: pkgs.k8s.io for the spec's minor, the release key dearmored into apt's
// keyring from stdin, the sources line (0644), apt's lists refreshed; skipped when the sources already
// name the minor; a dry run only plans; a failure is named with apt's output.
import test from 'ava';
import { APT_KEYRING, APT_SOURCE, DNF_KEY, DNF_REPO, packageRepoStep } from '../../source/steps/list/kube-packages.js';
import { runSteps } from '../../source/steps/runner.js';
import { stepHarness } from './_step-harness.js';

const source = (minor: string): Map<string, { content: string; mode: number }> => new Map([[APT_SOURCE, { content: `deb [signed-by=${APT_KEYRING}] https://pkgs.k8s.io/core:/stable:/v${minor}/deb/ /\n`, mode: 0o644 }]]);

test('a fresh Debian host: prerequisites, the key through stdin into the keyring, the v1.35 sources line, apt update', async (t) => {
	const h = stepHarness();
	const outcome = await runSteps(h.ctx, [packageRepoStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(h.sent(0), [
		`cat ${APT_SOURCE}`,
		'sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q apt-transport-https ca-certificates curl gpg',
		'sudo mkdir -p -m 755 /etc/apt/keyrings',
		'curl -fsSL https://pkgs.k8s.io/core:/stable:/v1.35/deb/Release.key',
		'gpg --batch --show-keys --with-colons',
		`sudo gpg --batch --yes --dearmor -o ${APT_KEYRING}`,
		'sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q',
	]);
	t.true(h.remotes[0]!.calls.find((c) => c.argv[0] === 'gpg')?.stdin, 'the key reaches gpg on stdin');
	t.deepEqual(h.remotes[0]!.state.files.get(APT_SOURCE), { content: `deb [signed-by=${APT_KEYRING}] https://pkgs.k8s.io/core:/stable:/v1.35/deb/ /\n`, mode: 0o644 });
	t.deepEqual(h.sent(1), h.sent(0), 'every host gets the repository');
});

test('shouldRun: skipped (already done) when the sources name the minor; a host on another minor is repointed', async (t) => {
	const h = stepHarness({ states: [{ files: source('1.35') }, { files: source('1.34') }] });
	const outcome = await runSteps(h.ctx, [packageRepoStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(h.events.filter((e) => e.kind === 'host' && e.state === 'skipped').map((e) => (e.kind === 'host' ? `${e.host} ${e.detail ?? ''}` : '')), ['192.0.2.10 already done']);
	t.deepEqual(h.sent(0), [`cat ${APT_SOURCE}`]);
	t.regex(h.remotes[1]!.state.files.get(APT_SOURCE)?.content ?? '', /\/v1\.35\/deb\//);
});

test('a dry run reads the sources, plans the changes, fetches no key and changes nothing', async (t) => {
	const h = stepHarness({ dryRun: true });
	const outcome = await runSteps(h.ctx, [packageRepoStep]);
	t.deepEqual(outcome.failures, []);
	t.deepEqual(h.sent(0), [`cat ${APT_SOURCE}`]);
	t.deepEqual(h.remotes[0]!.uploads, []);
	const plans = h.events.filter((e) => e.kind === 'plan' && e.host === '192.0.2.10').map((e) => (e.kind === 'plan' ? e.action : ''));
	t.true(plans.includes(`sudo gpg --batch --yes --dearmor -o ${APT_KEYRING}`), plans.join('\n'));
	t.true(plans.some((p) => p.startsWith(`write ${APT_SOURCE} (mode 0644`)));
	t.is(plans.at(-1), 'sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q');
});

test('an unreachable repository names host, step, command and curl\'s error; no sources line is written', async (t) => {
	const h = stepHarness({ states: [{ failures: new Map([['curl -fsSL', { code: 6, signal: null, stdout: '', stderr: 'curl: (6) Could not resolve host: pkgs.k8s.io' }]]) }] });
	const outcome = await runSteps(h.ctx, [packageRepoStep]);
	t.deepEqual(outcome.failures.map((f) => [f.step, f.host]), [['package-repo', '192.0.2.10']]);
	t.is(outcome.failures[0]!.error.message, '192.0.2.10: step "package-repo" failed: curl -fsSL https://pkgs.k8s.io/core:/stable:/v1.35/deb/Release.key exited 6\n  curl: (6) Could not resolve host: pkgs.k8s.io');
	t.false(h.remotes[0]!.state.files.has(APT_SOURCE));
});

test('a release key with another fingerprint is refused naming the host and both fingerprints; nothing is installed from it', async (t) => {
	const h = stepHarness({ states: [{ signingKeyFingerprint: '0123456789ABCDEF0123456789ABCDEF01234567' }] });
	const outcome = await runSteps(h.ctx, [packageRepoStep]);
	t.deepEqual(outcome.failures.map((f) => [f.step, f.host]), [['package-repo', '192.0.2.10']]);
	t.is(outcome.failures[0]!.error.message, '192.0.2.10: step "package-repo" refused: the Kubernetes package signing key from https://pkgs.k8s.io/core:/stable:/v1.35/deb/Release.key has fingerprint 0123 4567 89AB CDEF 0123 4567 89AB CDEF 0123 4567, expected DE15 B144 86CD 377B 9E87 6E1A 2346 54DA 9A29 6436; nothing was installed from it. A proxy or mirror on the host\'s path may be serving another key: check what the host reaches as pkgs.k8s.io');
	t.false(h.sent(0).some((c) => c.includes('--dearmor')), 'the key never reaches the keyring');
	t.false(h.remotes[0]!.state.files.has(APT_SOURCE));
	t.deepEqual(outcome.failures.length, 1, 'the other host, with the right key, goes on');
});

test('dnf hosts: the key is checked the same way, written to /etc/pki/rpm-gpg and the repo file points gpgkey at it', async (t) => {
	const good = stepHarness({ states: [{ osId: 'rocky', osVersion: '9.5' }, { osId: 'rocky', osVersion: '9.5', signingKeyFingerprint: 'FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000' }] });
	const outcome = await runSteps(good.ctx, [packageRepoStep]);
	t.deepEqual(good.sent(0).slice(1, 3), ['curl -fsSL https://pkgs.k8s.io/core:/stable:/v1.35/rpm/repodata/repomd.xml.key', 'gpg --batch --show-keys --with-colons']);
	t.is(good.remotes[0]!.state.files.get(DNF_KEY)?.mode, 0o644);
	t.regex(good.remotes[0]!.state.files.get(DNF_REPO)?.content ?? '', new RegExp(`^gpgkey=file://${DNF_KEY}$`, 'm'));
	t.deepEqual(outcome.failures.map((f) => f.host), ['192.0.2.11']);
	t.regex(outcome.failures[0]!.error.message, /^192\.0\.2\.11: step "package-repo" refused: .*repomd\.xml\.key has fingerprint FFFF 0000 .*, expected DE15 B144/);
	t.false(good.remotes[1]!.state.files.has(DNF_REPO));
});
