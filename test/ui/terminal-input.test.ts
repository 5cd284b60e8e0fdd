// The wizard in a real terminal (tmux) as a new user meets it: a pasted value with its newline is
// submitted, three pasted addresses are three hosts, a narrower terminal is redrawn cleanly, and
// `kubestrap --config F` opens the guided install prefilled; on AWS without credentials the answers
// can be saved without discovery.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { shellLine, TmuxSession } from '../_helpers/tmux.js';

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

async function start(t: ExecutionContext, args: string[], options: { width?: number; files?: Record<string, string> } = {}) {
	const dir = mkdtempSync(join(tmpdir(), 'kubestrap-input-'));
	const home = mkdtempSync(join(tmpdir(), 'kubestrap-input-home-'));
	for (const [name, content] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), content);
	const session = await TmuxSession.start({
		command: shellLine([process.execPath, binary, ...args]),
		cwd: dir,
		width: options.width ?? 100,
		// No credentials anywhere and the instance metadata service off: the AWS SDK fails at once, offline.
		env: {
			FORCE_COLOR: undefined, NO_COLOR: undefined, CI: undefined, HOME: home, SSH_AUTH_SOCK: undefined,
			AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined,
			AWS_EC2_METADATA_DISABLED: 'true', AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined, AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
			AWS_CONFIG_FILE: join(home, 'aws-config'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'),
		},
	});
	t.teardown(async () => {
		await session.kill();
		rmSync(dir, { recursive: true, force: true });
		rmSync(home, { recursive: true, force: true });
	});
	const on = async (pattern: RegExp): Promise<string> => {
		const screen = await session.waitFor(pattern);
		await settle();
		return screen;
	};
	return { session, dir, on };
}

test('a pasted value with its newline is submitted; three pasted addresses are three hosts', async (t) => {
	const { session, on } = await start(t, []);
	keep('input-1-start', await on(/Cluster name:/));
	await session.paste('demo\n');
	const target = await on(/Select target/);
	keep('input-2-name-pasted', target);
	t.notRegex(target, /Cluster name:/);
	t.regex(target, /^kubestrap {2}Name › Target/m, 'the header is drawn whole');
	await session.keys('Enter');
	await on(/Address \(control-plane\):/);
	await session.paste('127.0.0.61\n127.0.0.62\n127.0.0.63\n');
	const screen = await on(/3 +worker +127\.0\.0\.63/);
	keep('input-3-hosts-pasted', screen);
	t.regex(screen, /1 +control-plane +127\.0\.0\.61/);
	t.regex(screen, /2 +worker +127\.0\.0\.62/);
	t.regex(screen, /Address \(worker\):\s*$/m);
	t.notRegex(screen, /is not an IP address/);
	await session.keys('C-c');
	t.is(await session.waitForExit(), 130);
});

test('a narrower terminal is redrawn at its width, with nothing left of the old frame', async (t) => {
	const { session, on } = await start(t, [], { width: 100 });
	await on(/Cluster name:/);
	await session.paste('demo\n');
	await on(/Select target/);
	await session.keys('Enter');
	const wide = await on(/Address \(control-plane\):/);
	keep('input-4-before-resize', wide);
	await session.resize(60, 40);
	// The help wrapped again at 60 columns: the wizard was drawn anew at the new width. Waited for with its
	// header above it, so a capture taken between the clear and the redraw is not judged as the frame.
	const narrow = await session.waitFor(/^kubestrap [\s\S]*^--worker ADDR \(repeat them\)\.$/m);
	await settle();
	const screen = await session.capture();
	keep('input-5-after-resize-60', screen);
	const lines = screen.split('\n');
	t.true(lines.every((line) => line.length <= 60), 'every line fits 60 columns');
	t.is(lines.filter((line) => line.startsWith('kubestrap ')).length, 1, 'one header: no old frame left above');
	t.is(lines.filter((line) => /^Hosts/.test(line)).length, 1);
	t.regex(narrow, /tab role/);
	await session.keys('C-c');
	t.is(await session.waitForExit(), 130);
});

const AWS_CONFIG = readFileSync(join(root, 'examples/aws-calico.yaml'), 'utf8');

test('kubestrap --config F opens the guided install prefilled; on AWS without credentials the file is saved without discovery', async (t) => {
	const { session, dir, on } = await start(t, ['--config', 'aws.yaml'], { files: { 'aws.yaml': AWS_CONFIG } });
	const discovery = await on(/Select what to do/);
	keep('input-6-config-aws-no-credentials', discovery);
	t.regex(discovery, /AWS instances/);
	t.regex(discovery, /› Save without discovery/);
	await session.keys('Enter');
	const review = await on(/Save and exit/);
	keep('input-7-review-without-discovery', review);
	t.regex(review, /Install now — unavailable: the instances were not found from here/);
	t.regex(review, /› Save and exit/);
	await session.keys('Enter');
	await on(/File: \.\/cluster\.yaml/);
	await session.keys('Enter');
	t.is(await session.waitForExit(), 0);
	keep('input-8-saved', await session.capture());
	const saved = readFileSync(join(dir, 'cluster.yaml'), 'utf8');
	t.regex(saved, /target: aws/);
	t.regex(saved, /region: us-east-1/);
	const schema = /\$schema=(file:\/\/\S+)/.exec(saved)?.[1];
	t.truthy(schema);
	t.notThrows(() => JSON.parse(readFileSync(new URL(schema ?? ''), 'utf8')), 'the $schema line points at a schema that exists');
});

test('kubestrap alone reads ./cluster.yaml and says so', async (t) => {
	const { session, on } = await start(t, [], { files: { 'cluster.yaml': AWS_CONFIG } });
	const screen = await on(/Select what to do/);
	keep('input-9-default-config', screen);
	t.regex(screen, /reading \.\/cluster\.yaml \(no --config given\)/);
	t.regex(screen, /AWS instances/);
	await session.keys('C-c');
	t.is(await session.waitForExit(), 130);
});
