// The wizard's connection test against real sshd test hosts: a reachable host with its OS and kernel,
// a stopped one, an unknown key trusted (and recorded 0600) or refused, a changed key refused without a
// question, a kernel too old, sudo wanting a password, and an abort that ends everything at once.
// Serial: the tests share the hosts, and one of them stops a host and another replaces a host key.
import { execFile } from 'node:child_process';
import { appendFile, copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { describeFailure, judgeHost, sshConnectionTest, type ConnectionTestOptions } from '../../source/session/connection-test.js';
import { HostKeyError, RemoteError } from '../../source/remote/errors.js';
import { parseFacts } from '../../source/steps/rules/facts-script.js';
import { platformProblems, sudoProblem } from '../../source/steps/rules/platform.js';
import { mergeLayers } from '../../source/spec/merge.js';
import type { Cluster } from '../../source/spec/types.js';
import type { HostCheck, HostKeyQuestion } from '../../source/session/connection-test.js';
import { OS_RELEASE, startHosts, type TestHost, type TestHosts } from '../_helpers/sshd-hosts.js';

const SUDO_PASSWORD = 'connection-test-sudo';
const OLD_KERNEL = '4.19.0-27-amd64';
let hosts: TestHosts;
let sudoHosts: TestHosts;
let dir: string;

test.before(async () => {
	[hosts, sudoHosts] = await Promise.all([
		startHosts(4, { scenario: (index) => (index === 1 ? { osRelease: OS_RELEASE.debian12, kernel: OLD_KERNEL } : { osRelease: OS_RELEASE.debian12 }) }),
		startHosts(1, { sudo: 'password', sudoPassword: SUDO_PASSWORD, scenario: { osRelease: OS_RELEASE.ubuntu2404 } }),
	]);
	dir = await mkdtemp(join(tmpdir(), 'kubestrap-connection-test-'));
});

test.after.always(async () => {
	await Promise.all([hosts?.stop(), sudoHosts?.stop()]);
	await rm(dir, { recursive: true, force: true });
});

function at(harness: TestHosts, index: number): TestHost {
	const host = harness.hosts[index];
	if (host === undefined) throw new Error(`no test host ${index}`);
	return host;
}

function clusterFor(harness: TestHosts, indexes: readonly number[], knownHostsFile: string, hostKeyPolicy: 'strict' | 'accept-new' = 'strict'): Cluster {
	return mergeLayers([{
		metadata: { name: 'demo' },
		spec: {
			target: 'baremetal',
			hosts: indexes.map((index, n) => ({ address: at(harness, index).address, role: n === 0 ? 'control-plane' : 'worker' })),
			ssh: { user: harness.user, port: at(harness, 0).port, identityFile: harness.identityFile, knownHostsFile, hostKeyPolicy },
		},
	}]).cluster;
}

interface Recorded {
	/** the last line each host reported */
	lines: Map<string, HostCheck>;
	questions: HostKeyQuestion[];
}

async function runTest(cluster: Cluster, answer: boolean, options: ConnectionTestOptions = {}, signal = new AbortController().signal): Promise<Recorded> {
	const recorded: Recorded = { lines: new Map(), questions: [] };
	const connectionTest = sshConnectionTest({ sshConfigFile: null, extraKnownHostsFiles: [], home: dir, connectTimeoutMs: 3000, ...options });
	await connectionTest(cluster, {
		report: (check) => void recorded.lines.set(check.host, check),
		trustHostKey: async (question) => {
			recorded.questions.push(question);
			return answer;
		},
		askSecret: async () => undefined,
	}, signal);
	return recorded;
}

const entry = (host: TestHost): string => (host.port === 22 ? host.address : `[${host.address}]:${host.port}`);

test.serial('a reachable host: ✓ with the OS and kernel it reports, sudo ok, and only read-only commands ran', async (t) => {
	const knownHostsFile = join(dir, 'pinned_known_hosts');
	await copyFile(hosts.knownHostsFile, knownHostsFile);
	const { lines, questions } = await runTest(clusterFor(hosts, [0], knownHostsFile), false);
	const host = at(hosts, 0);
	t.deepEqual(lines.get(host.address), { host: host.address, state: 'ok', detail: 'Debian 12 · kernel 6.8.0-60-generic · sudo ok' });
	t.deepEqual(questions, [], 'a known key is not asked about');
	const calls = await hosts.readCalls(0);
	// The facts script of the install's own gather-facts step: it reads, it never changes anything.
	const readOnly = new Set(['uname', 'ss']);
	const reads = (call: { prog: string; argv: string[] }): boolean => readOnly.has(call.prog) || (call.prog === 'systemctl' && call.argv[0] === 'is-active');
	t.true(calls.length > 0 && calls.every(reads), `nothing but uname, ss and systemctl is-active among the simulated node programs: ${calls.map((c) => [c.prog, ...c.argv].join(' ')).join('; ')}`);
});

test.serial('an unknown key is asked about; yes records it in a new 0600 known_hosts and the next run asks nothing', async (t) => {
	const knownHostsFile = join(dir, 'home-yes', '.ssh', 'known_hosts');
	const cluster = clusterFor(hosts, [0], knownHostsFile);
	const host = at(hosts, 0);
	const first = await runTest(cluster, true);
	t.deepEqual(first.questions, [{ host: entry(host), keyType: 'ED25519', fingerprint: host.hostKeyFingerprint, knownHostsFile }]);
	t.is(first.lines.get(host.address)?.state, 'ok');
	t.is(await readFile(knownHostsFile, 'utf8'), `${host.knownHostsLine}\n`);
	t.is((await stat(knownHostsFile)).mode & 0o777, 0o600);
	const second = await runTest(cluster, false);
	t.deepEqual(second.questions, []);
	t.is(second.lines.get(host.address)?.state, 'ok');
});

test.serial('an unknown key refused fails that host only and writes nothing; accept-new asks as well', async (t) => {
	const knownHostsFile = join(dir, 'home-no', '.ssh', 'known_hosts');
	const cluster = clusterFor(hosts, [0], knownHostsFile, 'accept-new');
	const { lines, questions } = await runTest(cluster, false);
	const host = at(hosts, 0);
	t.is(questions.length, 1, 'accept-new is asked too: the user is there');
	t.deepEqual(lines.get(host.address), { host: host.address, state: 'failed', detail: 'host key not trusted' });
	await t.throwsAsync(stat(knownHostsFile), { code: 'ENOENT' });
});

test.serial('a changed key is refused with both fingerprints and the ssh-keygen -R hint, and never asked about', async (t) => {
	const knownHostsFile = join(dir, 'changed_known_hosts');
	const before = at(hosts, 3);
	// replaceHostKey updates the same TestHost object: keep what was known before.
	const oldFingerprint = before.hostKeyFingerprint;
	const oldLine = before.knownHostsLine;
	await writeFile(knownHostsFile, `${oldLine}\n`, { mode: 0o600 });
	const after = await hosts.replaceHostKey(3);
	const { lines, questions } = await runTest(clusterFor(hosts, [3], knownHostsFile), true);
	t.deepEqual(questions, []);
	const line = lines.get(after.address);
	t.is(line?.state, 'failed');
	t.is(line?.detail, 'HOST KEY CHANGED: refused (possible man-in-the-middle)');
	const where = after.port === 22 ? after.address : `'[${after.address}]:${after.port}'`;
	t.deepEqual(line?.problems, [
		`expected  ED25519 ${oldFingerprint}`,
		`presented ED25519 ${after.hostKeyFingerprint}`,
		`if the host was really reinstalled: ssh-keygen -R ${where} -f ${knownHostsFile}, then test again`,
	]);
	t.not(after.hostKeyFingerprint, oldFingerprint);
	t.is(await readFile(knownHostsFile, 'utf8'), `${oldLine}\n`, 'known_hosts untouched');
});

test.serial('a kernel older than 5.10 fails with preflight\'s own words', async (t) => {
	const knownHostsFile = join(dir, 'kernel_known_hosts');
	await copyFile(hosts.knownHostsFile, knownHostsFile);
	const { lines } = await runTest(clusterFor(hosts, [1], knownHostsFile), false);
	const host = at(hosts, 1);
	t.deepEqual(lines.get(host.address), {
		host: host.address,
		state: 'failed',
		detail: `Debian 12 · kernel ${OLD_KERNEL} · sudo ok`,
		problems: [`kernel ${OLD_KERNEL} is older than 5.10, the minimum for Cilium 1.20 and Calico 3.32; upgrade the kernel`],
	});
});

test.serial('sudo needing a password fails, unless install will ask for it', async (t) => {
	const knownHostsFile = join(dir, 'sudo_known_hosts');
	await copyFile(sudoHosts.knownHostsFile, knownHostsFile);
	const cluster = clusterFor(sudoHosts, [0], knownHostsFile);
	const host = at(sudoHosts, 0);
	const plain = await runTest(cluster, false);
	t.deepEqual(plain.lines.get(host.address), {
		host: host.address,
		state: 'failed',
		detail: 'Ubuntu 24.04 · kernel 6.8.0-60-generic · sudo failed',
		problems: [`sudo needs a password (add NOPASSWD for ${sudoHosts.user} or use --ask-sudo-password)`],
	});
	const later = await runTest(cluster, false, { sudoPasswordLater: true });
	t.deepEqual(later.lines.get(host.address), { host: host.address, state: 'ok', detail: 'Ubuntu 24.04 · kernel 6.8.0-60-generic · sudo with password' });
});

test.serial('a stopped host is unreachable while the others pass', async (t) => {
	const knownHostsFile = join(dir, 'stopped_known_hosts');
	await copyFile(hosts.knownHostsFile, knownHostsFile);
	await hosts.stopHost(2);
	t.teardown(() => hosts.startHost(2));
	const started = Date.now();
	const { lines } = await runTest(clusterFor(hosts, [0, 2], knownHostsFile), false, { connectTimeoutMs: 1500 });
	t.true(Date.now() - started < 10_000);
	t.is(lines.get(at(hosts, 0).address)?.state, 'ok');
	const stopped = lines.get(at(hosts, 2).address);
	t.is(stopped?.state, 'failed');
	t.regex(stopped?.detail ?? '', /^unreachable: cannot connect \(connect ECONNREFUSED /);
});

test.serial('an abort while a host key question is open ends the test at once, writing nothing', async (t) => {
	const knownHostsFile = join(dir, 'abort', 'known_hosts');
	const controller = new AbortController();
	const asked: HostKeyQuestion[] = [];
	const connectionTest = sshConnectionTest({ sshConfigFile: null, extraKnownHostsFiles: [], home: dir });
	const lines: HostCheck[] = [];
	const done = connectionTest(clusterFor(hosts, [0, 1], knownHostsFile), {
		report: (check) => void lines.push(check),
		trustHostKey: (question) => {
			asked.push(question);
			// Never answered: only the abort can end this.
			return new Promise<boolean>((resolve) => controller.signal.addEventListener('abort', () => resolve(true)));
		},
		askSecret: async () => undefined,
	}, controller.signal);
	while (asked.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
	const started = Date.now();
	controller.abort();
	await done;
	t.true(Date.now() - started < 1000, `ended ${Date.now() - started} ms after the abort`);
	await t.throwsAsync(stat(knownHostsFile), { code: 'ENOENT' });
	t.false(lines.some((line) => line.state === 'ok' || line.state === 'failed'), 'no result is reported after an abort');
});

test.serial('an encrypted key file: its passphrase is asked once for all hosts, and a wrong one again', async (t) => {
	const keyFile = join(dir, 'encrypted_ed25519');
	await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'open sesame', '-C', 'wizard-passphrase', '-f', keyFile]);
	const publicKey = await readFile(`${keyFile}.pub`, 'utf8');
	for (const index of [0, 1]) await appendFile(hosts.hostPath(index, '/opt/kubestrap-sim/sshd/authorized_keys'), publicKey);
	const knownHostsFile = join(dir, 'passphrase_known_hosts');
	await copyFile(hosts.knownHostsFile, knownHostsFile);
	const cluster = clusterFor(hosts, [0, 1], knownHostsFile);
	cluster.spec.ssh.identityFile = keyFile;
	const prompts: string[] = [];
	const answers = ['wrong', 'open sesame'];
	const lines = new Map<string, HostCheck>();
	await sshConnectionTest({ sshConfigFile: null, extraKnownHostsFiles: [], home: dir })(cluster, {
		report: (check) => void lines.set(check.host, check),
		trustHostKey: async () => false,
		askSecret: async (prompt) => {
			prompts.push(prompt);
			return answers.shift();
		},
	}, new AbortController().signal);
	t.deepEqual(prompts, [`Passphrase for ${keyFile}:`, `Wrong passphrase; try again for ${keyFile}:`]);
	// Both logged in with the key (host 1 then fails on its kernel, which is another matter).
	for (const index of [0, 1]) t.regex(lines.get(at(hosts, index).address)?.detail ?? '', /^Debian 12 · kernel /);
});

test.serial('result lines and the preflight rules they show: OS names, sudo refusals, unreachable and unknown-key wording (pure)', (t) => {
	const output = (lines: Record<string, string>) => Object.entries(lines).map(([key, value]) => `${key}=${value}`).join('\n');
	const base = { os_id: 'ubuntu', os_version: '24.04', kernel: '6.8.0-60-generic', arch: 'x86_64', sudo: '0', sudo_error: '' };
	const facts = (changes: Record<string, string> = {}) => parseFacts(output({ ...base, ...changes }));
	t.deepEqual(judgeHost('h', facts(), []), { host: 'h', state: 'ok', detail: 'Ubuntu 24.04 · kernel 6.8.0-60-generic · sudo ok' });
	t.is(sudoProblem(facts({ sudo: '1', sudo_error: 'sudo: ubuntu is not in the sudoers file.' }), 'ubuntu', false), 'user ubuntu may not use sudo on this host');
	t.is(sudoProblem(facts({ sudo: '127', sudo_error: 'sh: 1: sudo: not found' }), 'ubuntu', false), 'sudo is not installed');
	t.is(sudoProblem(facts({ sudo: '1', sudo_error: 'sudo: a password is required' }), 'ubuntu', false), 'sudo needs a password (add NOPASSWD for ubuntu or use --ask-sudo-password)');
	t.is(sudoProblem(facts({ sudo: '1', sudo_error: 'sudo: a password is required' }), 'ubuntu', true), undefined, 'fine when install is given the password');
	t.deepEqual(judgeHost('h', facts({ sudo: '1', sudo_error: 'sudo: a password is required' }), [], true), { host: 'h', state: 'ok', detail: 'Ubuntu 24.04 · kernel 6.8.0-60-generic · sudo with password' });
	t.deepEqual(judgeHost('h', facts({ sudo: '1', sudo_error: 'sudo: ubuntu is not in the sudoers file.' }), ['user ubuntu may not use sudo on this host']), { host: 'h', state: 'failed', detail: 'Ubuntu 24.04 · kernel 6.8.0-60-generic · sudo failed', problems: ['user ubuntu may not use sudo on this host'] });
	t.deepEqual(platformProblems(facts({ os_id: 'centos', os_version: '7', kernel: '3.10.0' })), [
		'kernel 3.10.0 is older than 5.10, the minimum for Cilium 1.20 and Calico 3.32; upgrade the kernel',
		'centos 7 is older than 9',
	]);
	t.is(judgeHost('h', facts({ os_id: 'arch', os_version: '' }), []).detail, 'arch · kernel 6.8.0-60-generic · sudo ok');
	const refused = new RemoteError({ kind: 'unreachable', host: 'h', retryable: true, message: 'host 10.0.0.9:22: cannot connect (connect ECONNREFUSED 10.0.0.9:22)' });
	t.deepEqual(describeFailure('10.0.0.9', refused, '~/.ssh/known_hosts', false), { host: '10.0.0.9', state: 'failed', detail: 'unreachable: cannot connect (connect ECONNREFUSED 10.0.0.9:22)' });
	const auth = new RemoteError({ kind: 'auth', host: 'h', retryable: false, message: 'host 10.0.0.9:22: authentication as ubuntu failed (All configured authentication methods failed)' });
	t.is(describeFailure('10.0.0.9', auth, '~/.ssh/known_hosts', false).detail, 'authentication as ubuntu failed (All configured authentication methods failed)');
	const unknown = new HostKeyError({ host: '10.0.0.9', port: 2222, problem: 'unknown', presented: { type: 'ssh-ed25519', fingerprint: 'SHA256:x' }, expected: [], knownHostsFile: '/k' });
	t.is(describeFailure('10.0.0.9', unknown, '~/.ssh/known_hosts', true).detail, 'host key not trusted');
	t.regex(describeFailure('10.0.0.9', unknown, '~/.ssh/known_hosts', false).detail ?? '', /^host key ssh-ed25519 SHA256:x is not in \/k/);
});
