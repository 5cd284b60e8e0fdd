// The wizard in a real terminal (tmux) against real sshd test hosts: a baremetal + Cilium spec typed in,
// each host key shown by its fingerprint and trusted with y, a changed key refused, the failing host
// removed and the test passing on the second run, the spec saved as the expected cluster.yaml, and that
// file installing with the printed command; ENI not selectable on baremetal; an invalid CIDR shown and
// blocked; Ctrl-C during the connection test leaving nothing behind; NO_COLOR honoured.
// Set KUBESTRAP_SCREENS=<dir> to keep the screens captured.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { OS_RELEASE, startHosts, type TestHost, type TestHosts } from '../_helpers/sshd-hosts.js';
import { shellLine, TmuxSession } from '../_helpers/tmux.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const binary = join(root, 'bin/kubestrap.js');
// A screen is drawn before its key handler is attached; keys wait this long after a screen shows.
const SETTLE_MS = 60;

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

let hosts: TestHosts;

test.before(async () => {
	hosts = await startHosts(3, { scenario: { osRelease: OS_RELEASE.debian12 } });
});

test.after.always(async () => {
	await hosts?.stop();
});

function hostAt(index: number): TestHost {
	const host = hosts.hosts[index];
	if (host === undefined) throw new Error(`no test host ${index}`);
	return host;
}

function keep(name: string, screen: string): void {
	const dir = process.env.KUBESTRAP_SCREENS;
	if (dir === undefined || dir === '') return;
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, `${name}.txt`), screen.replace(/\s+$/, '\n'));
}

async function start(t: ExecutionContext, env: Record<string, string | undefined> = {}) {
	const dir = mkdtempSync(join(tmpdir(), 'kubestrap-wizard-'));
	// A home of its own: ~/.ssh/known_hosts is where the trusted keys go, and no agent is offered.
	const home = mkdtempSync(join(tmpdir(), 'kubestrap-wizard-home-'));
	const terminalEnv = { FORCE_COLOR: undefined, NO_COLOR: undefined, CI: undefined, HOME: home, SSH_AUTH_SOCK: undefined, ...env };
	// `kubestrap` alone on a terminal is the guided install.
	const session = await TmuxSession.start({
		command: shellLine([process.execPath, binary]),
		cwd: dir,
		// No CI variable in the terminal: CI=false (set for the test workers) still makes chalk drop colour.
		env: terminalEnv,
	});
	t.teardown(async () => {
		await session.kill();
		rmSync(dir, { recursive: true, force: true });
		rmSync(home, { recursive: true, force: true });
	});
	/** Waits for a screen, lets its key handler attach, and returns it. */
	const on = async (pattern: RegExp): Promise<string> => {
		const screen = await session.waitFor(pattern);
		await settle();
		return screen;
	};
	/** Types into a text field and presses Enter once the text shows. */
	const answer = async (prompt: RegExp, text = ''): Promise<string> => {
		const screen = await on(prompt);
		if (text !== '') {
			await session.text(text);
			await on(new RegExp(`${prompt.source.replace(/\\s\*$/, '')}.*${text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
		}
		await session.keys('Enter');
		return screen;
	};
	/** Adds one host: its address, then its optional private address and node name (Enter skips). */
	const addHost = async (role: 'control-plane' | 'worker', address: string, name = ''): Promise<void> => {
		await answer(new RegExp(`Address \\(${role}\\):`), address);
		await answer(new RegExp(`Private address of ${literal(address)} \\(optional\\):`));
		await answer(new RegExp(`Node name of ${literal(address)} \\(optional\\):`), name);
	};
	/** The SSH questions, with the answers already given kept (Enter) when they are prefilled. */
	const sshAnswers = async (first: boolean): Promise<void> => {
		const { port } = hostAt(0);
		await answer(/SSH user:/, first ? hosts.user : '');
		await on(/SSH port: 22/);
		if (first && port !== 22) {
			await session.keys('BSpace', 'BSpace');
			await session.text(String(port));
			await on(new RegExp(`SSH port: ${port}`));
		}
		await session.keys('Enter');
		await answer(/SSH identity file:/, first ? hosts.identityFile : '');
		await on(/Select host key policy/);
		await session.keys('Enter');
		await answer(/Bastion address:/);
	};
	return { session, dir, home, env: terminalEnv, on, answer, addHost, sshAnswers };
}

test('baremetal + Cilium in a terminal: host keys trusted by fingerprint, a changed key refused, the spec saved and installed', async (t) => {
	t.timeout(110_000);
	const { session, dir, home, env, on, answer, addHost, sshAnswers } = await start(t);
	// The third host was known under another key: its key "changed" since.
	mkdirSync(join(home, '.ssh'), { mode: 0o700 });
	writeFileSync(join(home, '.ssh', 'known_hosts'), `${hostAt(2).knownHostsLine}\n`, { mode: 0o600 });
	const oldKeyLine = hostAt(2).knownHostsLine;
	const oldFingerprint = hostAt(2).hostKeyFingerprint;
	await hosts.replaceHostKey(2);
	const [cp, worker, changed] = [hostAt(0), hostAt(1), hostAt(2)];

	const first = await on(/Cluster name:/);
	t.regex(await session.capture(true), /\u001B\[[0-9;]*3[1-7]m/, 'colour on by default');
	t.regex(first, /↑↓|enter confirm · ctrl-c quit/);
	await answer(/Cluster name:/, 'demo');
	await on(/Select target/);
	await session.keys('Enter');
	await addHost('control-plane', cp.address, 'cp-1');
	await addHost('worker', worker.address);
	await addHost('worker', changed.address);
	const rows = await on(new RegExp(`1 {2}control-plane {2}${literal(cp.address)} +cp-1 +reachable[\\s\\S]*3 {2}worker {9}${literal(changed.address)} +reachable[\\s\\S]*Address \\(worker\\):`));
	keep('1-hosts', rows);
	await session.keys('Enter');
	await sshAnswers(true);

	// Every host key is new to this home: each is shown by its fingerprint, one at a time.
	const trusted: string[] = [];
	for (;;) {
		const screen = await on(/Trust it\? \(y\/N\)|hosts? failed\.|passed\./);
		const asked = /Host (\S+) is not in ~\/\.ssh\/known_hosts\./.exec(screen)?.[1];
		if (!/Trust it\?/.test(screen) || asked === undefined) break;
		const host = [cp, worker].find((candidate) => candidate.address === asked || `[${candidate.address}]:${candidate.port}` === asked);
		t.truthy(host, `asked about ${asked}`);
		t.regex(screen, new RegExp(`ED25519 key fingerprint ${literal(host?.hostKeyFingerprint ?? '')}`));
		t.false(trusted.includes(asked));
		if (trusted.length === 0) keep('2-trust-prompt', screen);
		trusted.push(asked);
		await session.keys('y');
		await on(new RegExp(`^(?![\\s\\S]*Host ${literal(asked)} is not in)`));
	}
	t.is(trusted.length, 2, 'the two unknown keys were asked about; the changed one was not');
	const refused = await on(/1 of 3 hosts failed\.[\s\S]*Select what to do/);
	keep('3-changed-key-refused', refused);
	t.regex(refused, new RegExp(`✓ ${literal(cp.address)} +Debian 12 · kernel 6\\.8\\.0-60-generic · sudo ok`));
	t.regex(refused, new RegExp(`✓ ${literal(worker.address)} +Debian 12 · kernel 6\\.8\\.0-60-generic · sudo ok`));
	t.regex(refused, new RegExp(`✗ ${literal(changed.address)} +HOST KEY CHANGED: refused \\(possible man-in-the-middle\\)`));
	t.regex(refused, new RegExp(`expected +ED25519 ${literal(oldFingerprint)}`));
	t.regex(refused, new RegExp(`presented ED25519 ${literal(changed.hostKeyFingerprint)}`));
	t.regex(refused, /ssh-keygen -R/);

	// Back to the hosts: the refused one is removed, the SSH answers are kept, and the test runs again.
	await session.keys('Down');
	await on(/› Change the hosts/);
	await session.keys('Enter');
	await on(/Address \(worker\):/);
	await session.keys('Up');
	await on(new RegExp(`› {2}3 {2}worker {9}${literal(changed.address)}`));
	await session.keys('d');
	await on(new RegExp(`^(?![\\s\\S]*${literal(changed.address)})`));
	await session.keys('Escape');
	await answer(/Address \(worker\):/);
	await sshAnswers(false);
	const passed = await on(/All 2 hosts passed\./);
	keep('4-all-passed', passed);
	t.notRegex(passed, /Trust it\?/, 'known now: not asked again');
	await session.keys('Enter');
	await answer(/Kubernetes version: 1\.36/);

	await on(/Pod subnet: 10\.244\.0\.0\/16/);
	await session.keys('BSpace');
	await on(/Pod subnet: 10\.244\.0\.0\/1\s/);
	await session.keys('BSpace');
	await on(/Pod subnet: 10\.244\.0\.0\/\s/);
	await session.text('8');
	await on(/✗ "10\.244\.0\.0\/8" has host bits set; did you mean "10\.0\.0\.0\/8"\?/);
	await session.keys('Enter');
	await new Promise((resolve) => setTimeout(resolve, 300));
	const invalid = await session.capture();
	keep('5-invalid-cidr', invalid);
	t.regex(invalid, /Pod subnet: 10\.244\.0\.0\/8/, 'Enter is refused while the CIDR is invalid');
	t.regex(invalid, /has host bits set/);
	await session.keys('BSpace');
	await on(/Pod subnet: 10\.244\.0\.0\/\s/);
	await session.text('16');
	await on(/Pod subnet: 10\.244\.0\.0\/16\s/);
	await session.keys('Enter');
	await answer(/Service subnet: 10\.96\.0\.0\/12/);
	await on(/Select CNI/);
	await session.keys('Enter');

	const ipam = await on(/Select Cilium IPAM/);
	t.regex(ipam, /eni — unavailable: "eni" is only supported with target "aws"/);
	for (const item of ['kubernetes', 'crd', 'eni']) {
		await session.keys('Down');
		await on(new RegExp(`› ${item}`));
	}
	await session.keys('Enter');
	const eni = await on(/✗ eni is unavailable/);
	keep('6-eni-unavailable', eni);
	t.regex(eni, /Select Cilium IPAM/, 'still on the IPAM question');
	for (const item of ['crd', 'kubernetes', 'cluster-pool']) {
		await session.keys('Up');
		await on(new RegExp(`› ${item}`));
	}
	await session.keys('Enter');
	for (const prompt of [/Select Cilium tunnel/, /Disable masquerade\? \(y\/N\)/, /Select policy enforcement/, /kube-proxy replacement\? \(y\/N\)/, /Hubble\? \(Y\/n\)/]) {
		await on(prompt);
		await session.keys('Enter');
	}
	const review = await on(/Select what to do/);
	keep('7-review', review);
	t.regex(review, /kubestrap install --config cluster\.yaml --yes/);
	t.regex(review, new RegExp(`kubestrap install --name demo --target baremetal[\\s\\\\]+--control-plane ${literal(cp.address)} --worker ${literal(worker.address)}`));
	t.regex(review, /\(host private addresses and names need the file\)/);
	t.regex(review, /› Install now\n\s+Save and exit/);
	await session.keys('Down');
	await on(/› Save and exit/);
	await session.keys('Enter');
	await answer(/File: \.\/cluster\.yaml/);
	t.is(await session.waitForExit(), 0);
	keep('8-saved', await session.capture());

	const saved = join(dir, 'cluster.yaml');
	const expected = readFileSync(join(root, 'test/ui/expected/baremetal-cilium.yaml'), 'utf8')
		.replace('@CONTROL_PLANE@', cp.address).replace('@WORKER@', worker.address)
		.replace('    port: @PORT@\n', cp.port === 22 ? '' : `    port: ${cp.port}\n`).replace('@IDENTITY_FILE@', hosts.identityFile)
		.replace('@SCHEMA@', pathToFileURL(join(root, 'schema/cluster.schema.json')).href);
	t.is(readFileSync(saved, 'utf8'), expected);
	t.is(statSync(saved).mode & 0o777, 0o600);
	t.deepEqual(readdirSync(dir), ['cluster.yaml'], 'no temp file left behind');
	t.regex(await session.capture(), /Saved \.\/cluster\.yaml \(mode 0600\)\. Install with: kubestrap install --yes\s+\(reads\s+\.\/cluster\.yaml\)/);
	const knownHosts = readFileSync(join(home, '.ssh', 'known_hosts'), 'utf8');
	const lines = knownHosts.split('\n');
	t.is(lines.pop(), '', 'ends with a newline');
	t.is(lines[0], oldKeyLine, 'the old line is left alone');
	t.deepEqual(lines.slice(1).sort(), [cp.knownHostsLine, worker.knownHostsLine].sort(), 'the two trusted keys were added');
	t.is(statSync(join(home, '.ssh', 'known_hosts')).mode & 0o777, 0o600);

	// The saved file installs without questions, with the command the wizard printed.
	const install = await TmuxSession.start({
		command: shellLine([process.execPath, binary, 'install', '--config', './cluster.yaml', '--yes']),
		cwd: dir,
		env: { ...env, NO_COLOR: '1' },
	});
	t.teardown(() => install.kill());
	t.is(await install.waitForExit({ timeoutMs: 80_000 }), 0, await install.capture());
	t.regex(await install.scrollback(), /kubeconfig: .*demo\.kubeconfig \(mode 0600\)/);
});

test('Ctrl-C during the connection test leaves at once with nothing written; NO_COLOR prints no colour', async (t) => {
	const { session, dir, home, on, answer, addHost, sshAnswers } = await start(t, { NO_COLOR: '1' });
	await answer(/Cluster name:/, 'demo');
	await on(/Select target/);
	t.notRegex(await session.capture(true), /\u001B\[[0-9;]*(3[0-7]|9[0-7]|4[0-7]|10[0-7]|38;|48;)[0-9;]*m/, 'no colour codes with NO_COLOR');
	await session.keys('Enter');
	await addHost('control-plane', hostAt(0).address);
	await answer(/Address \(worker\):/);
	await sshAnswers(true);
	// The host key question is open and the connection waits on it.
	await on(/Trust it\? \(y\/N\)/);
	const started = Date.now();
	await session.keys('C-c');
	t.is(await session.waitForExit({ timeoutMs: 20_000 }), 130);
	t.true(Date.now() - started < 3000, `exited ${Date.now() - started} ms after Ctrl-C`);
	t.regex(await session.capture(), /Interrupted; nothing was saved\./);
	t.deepEqual(readdirSync(dir), [], 'nothing written where the wizard runs');
	t.deepEqual(readdirSync(home), [], 'no known_hosts written');
});
