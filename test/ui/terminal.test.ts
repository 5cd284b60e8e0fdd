// The wizard in a real terminal (tmux): a baremetal + Cilium spec typed in and saved, compared with the
// expected file; ENI not selectable on baremetal; an invalid CIDR shown and blocked; Ctrl-C leaving
// nothing behind; NO_COLOR honoured. Set KUBESTRAP_SCREENS=<dir> to keep the screens captured.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { TmuxSession } from '../_helpers/tmux.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const binary = join(root, 'bin/kubestrap.js');
// A screen is drawn before its key handler is attached; keys wait this long after a screen shows.
const SETTLE_MS = 60;

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

function keep(name: string, screen: string): void {
	const dir = process.env.KUBESTRAP_SCREENS;
	if (dir === undefined || dir === '') return;
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, `${name}.txt`), screen.replace(/\s+$/, '\n'));
}

async function start(t: ExecutionContext, env: Record<string, string | undefined> = {}) {
	const dir = mkdtempSync(join(tmpdir(), 'kubestrap-wizard-'));
	// `kubestrap` alone on a terminal is the guided install.
	const session = await TmuxSession.start({
		command: `${JSON.stringify(process.execPath)} ${JSON.stringify(binary)}`,
		cwd: dir,
		// No CI variable in the terminal: CI=false (set for the test workers) still makes chalk drop colour.
		env: { FORCE_COLOR: undefined, NO_COLOR: undefined, CI: undefined, ...env },
	});
	t.teardown(async () => {
		await session.kill();
		rmSync(dir, { recursive: true, force: true });
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
	return { session, dir, on, answer };
}

test('baremetal + Cilium typed in a terminal is saved as the expected cluster.yaml; ENI and a bad CIDR are refused', async (t) => {
	const { session, dir, on, answer } = await start(t);
	const first = await on(/Cluster name:/);
	t.regex(await session.capture(true), /\u001B\[[0-9;]*3[1-7]m/, 'colour on by default');
	t.regex(first, /↑↓|enter confirm · ctrl-c quit/);
	await answer(/Cluster name:/, 'demo');
	await on(/Select target/);
	await session.keys('Enter');
	await answer(/Address \(control-plane\):/, '127.0.0.1');
	await answer(/Address \(worker\):/, '192.0.2.11');
	// The second row shows once its Enter is handled; the first has its probe result by then or soon after.
	const hosts = await on(/1 {2}control-plane {2}127\.0\.0\.1 +(reachable|unreachable)[\s\S]*2 {2}worker {9}192\.0\.2\.11/);
	keep('1-hosts', hosts);
	t.regex(hosts, /Address \(worker\):/);
	await session.keys('Enter');
	await answer(/SSH user:/, 'ubuntu');
	await answer(/SSH port: 22/);
	await answer(/SSH identity file:/);
	await on(/Select host key policy/);
	await session.keys('Enter');
	await answer(/Bastion address:/);
	await answer(/Kubernetes version: 1\.35/);

	await on(/Pod subnet: 10\.244\.0\.0\/16/);
	await session.keys('BSpace');
	await on(/Pod subnet: 10\.244\.0\.0\/1\s/);
	await session.keys('BSpace');
	await on(/Pod subnet: 10\.244\.0\.0\/\s/);
	await session.text('8');
	await on(/✗ "10\.244\.0\.0\/8" has host bits set; did you mean "10\.0\.0\.0\/8"\?/);
	await session.keys('Enter');
	await new Promise((resolve) => setTimeout(resolve, 300));
	const refused = await session.capture();
	keep('2-invalid-cidr', refused);
	t.regex(refused, /Pod subnet: 10\.244\.0\.0\/8/, 'Enter is refused while the CIDR is invalid');
	t.regex(refused, /has host bits set/);
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
	keep('3-eni-unavailable', eni);
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
	keep('4-review', review);
	t.regex(review, /kubestrap install --config cluster\.yaml --yes/);
	t.regex(review, /kubestrap install --name demo --target baremetal --control-plane 127\.0\.0\.1/);
	t.regex(review, /› Install now\n\s+Save and exit/);
	await session.keys('Down');
	await on(/› Save and exit/);
	await session.keys('Enter');
	await answer(/File: \.\/cluster\.yaml/);
	t.is(await session.waitForExit(), 0);
	keep('5-saved', await session.capture());

	const saved = join(dir, 'cluster.yaml');
	t.is(readFileSync(saved, 'utf8'), readFileSync(join(root, 'test/ui/expected/baremetal-cilium.yaml'), 'utf8'));
	t.is(statSync(saved).mode & 0o777, 0o600);
	t.deepEqual(readdirSync(dir), ['cluster.yaml'], 'no temp file left behind');
	t.regex(await session.capture(), /Saved \.\/cluster\.yaml \(mode 0600\)\. Install with: kubestrap install --config\s+\.\/cluster\.yaml --yes/);
});

test('Ctrl-C leaves at once with nothing written; NO_COLOR prints no colour', async (t) => {
	const { session, dir, on, answer } = await start(t, { NO_COLOR: '1' });
	await answer(/Cluster name:/, 'demo');
	await on(/Select target/);
	t.notRegex(await session.capture(true), /\u001B\[[0-9;]*(3[0-7]|9[0-7]|4[0-7]|10[0-7]|38;|48;)[0-9;]*m/, 'no colour codes with NO_COLOR');
	await session.keys('Enter');
	await answer(/Address \(control-plane\):/, '192.0.2.10');
	await on(/192\.0\.2\.10 +(checking…|unreachable|reachable)/);
	await session.keys('C-c');
	t.is(await session.waitForExit({ timeoutMs: 20_000 }), 130);
	t.regex(await session.capture(), /Interrupted; nothing was saved\./);
	t.deepEqual(readdirSync(dir), [], 'nothing written where the wizard runs');
});
