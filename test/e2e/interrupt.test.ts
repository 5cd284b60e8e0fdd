// Interruptions: Ctrl-C in the middle of a step, and a host whose sshd dies mid-step. Both end with
// a clear message, nothing left running on the hosts, a released lock, and a run that resumes.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { startHosts } from '../_helpers/sshd-hosts.js';
import { runCli, writeConfig } from './_install.js';

test('Ctrl-C mid-install stops remote commands, saves the journal, prints the resume command; resume completes', async (t) => {
	const hosts = await startHosts(2, { scenario: (i) => (i === 1 ? { faults: [{ match: 'apt-get install*containerd*', delaySeconds: 20, exitCode: null, times: 1 }] } : {}) });
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const started = Date.now();
	const interrupted = await runCli(['install', '--config', config, '--yes'], dir, { signalAfter: { pattern: /==> Container runtime/, signal: 'SIGINT' } });
	t.is(interrupted.code, 130, interrupted.stderr);
	t.true(Date.now() - started < 15_000, 'the 20 s remote command was stopped, not waited for');
	t.regex(interrupted.stderr, /interrupted: running commands were stopped and the journal saved; resume with: kubestrap install --config .*cluster\.yaml --yes/);
	const leftovers = (await hosts.processes(1)).filter((p) => /apt-get/.test(p.cmdline));
	t.deepEqual(leftovers.map((p) => p.cmdline), [], 'no apt-get left running on the host');
	t.false(existsSync(join(dir, '.kubestrap/e2e/lock')), 'lock released');
	t.true(existsSync(join(dir, '.kubestrap/e2e/journal.json')));
	await hosts.setFaults(1, []);
	const resumed = await runCli(['install', '--config', config, '--yes'], dir);
	t.is(resumed.code, 0, resumed.stderr);
	t.regex(resumed.stderr, /- .*: already done/);
});

test('sshd killed mid-step: a resumable failure naming the host; after it is back, the re-run completes', async (t) => {
	const hosts = await startHosts(2, { scenario: (i) => (i === 1 ? { faults: [{ match: 'kubeadm join*', delaySeconds: 20, exitCode: null, times: 1 }] } : {}) });
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	let killed: Promise<void> | undefined;
	const first = await runCli(['install', '--config', config, '--yes', '--connect-timeout', '2'], dir, {
		onStderr: (text) => {
			if (!killed && /==> Join workers/.test(text)) killed = new Promise((resolve) => setTimeout(resolve, 500)).then(() => hosts.stopHost(1));
		},
	});
	await killed;
	t.is(first.code, 1, first.stderr);
	const worker = hosts.hosts[1]!.address.replace(/\./g, '\\.');
	t.regex(first.stderr, new RegExp(`error: .*${worker}`));
	t.regex(first.stderr, /resume with: kubestrap install/);
	await hosts.startHost(1);
	const again = await runCli(['install', '--config', config, '--yes'], dir);
	t.is(again.code, 0, again.stderr);
	t.regex(again.stderr, new RegExp(`✓ ${worker}`));
});
