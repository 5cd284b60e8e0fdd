// install in a real terminal (tmux): the sudo password asked once without echo, the live view
// reaching the end, and the password nowhere in the screen, the log or a host's command lines.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { startHosts } from '../_helpers/sshd-hosts.js';
import { shellLine, TmuxSession } from '../_helpers/tmux.js';
import { ROOT, writeConfig } from './_install.js';

test('--ask-sudo-password on a terminal: asked once, hidden, used on every host, never logged', async (t) => {
	const password = 'pw-$(id);`x`\'"';
	const hosts = await startHosts(2, { sudo: 'password', sudoPassword: password });
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const watch = hosts.watchCmdlines(() => [password], 50);
	const session = await TmuxSession.start({
		command: `SSH_AUTH_SOCK= ${shellLine([process.execPath, join(ROOT, 'bin/kubestrap.js'), 'install', '--config', config, '--yes', '--ask-sudo-password'])}`,
		cwd: dir,
		env: { NO_COLOR: '1' },
	});
	t.teardown(() => session.kill());
	await session.waitFor(/sudo password \(asked once, used for every host\):/);
	await session.secret(password);
	await session.keys('Enter');
	t.is(await session.waitForExit({ timeoutMs: 60_000 }), 0, await session.capture());
	// The network check's lines follow the pod table, so what the run printed is read back from the scrollback.
	const screen = await session.scrollback();
	t.regex(screen, /✓ Join workers \(1 done\)/);
	t.regex(screen, /kubeconfig: .*e2e\.kubeconfig \(mode 0600\)/);
	t.false(screen.includes(password), 'the password is not echoed');
	const watched = await watch.stop();
	t.deepEqual(watched.hits, [], 'the password is in no process command line');
	const logs = readdirSync(join(dir, '.kubestrap/e2e/logs')).map((name) => readFileSync(join(dir, '.kubestrap/e2e/logs', name), 'utf8')).join('\n');
	t.false(logs.includes(password), 'the password is not in the log');
});
