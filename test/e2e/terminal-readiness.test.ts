// The live pod table of install and `status --watch`, in a real terminal (tmux): rows update in place
// until everything is ready, and a pod that turns unready on the host shows up on the watching screen.
import { join } from 'node:path';
import test from 'ava';
import { startHosts } from '../_helpers/sshd-hosts.js';
import { shellLine, TmuxSession } from '../_helpers/tmux.js';
import { ROOT, runCli, writeConfig } from './_install.js';

const cli = (args: string): string => `SSH_AUTH_SOCK= ${shellLine([process.execPath, join(ROOT, 'bin/kubestrap.js')])} ${args}`;

test('install shows the live pod table until all is ready; status --watch follows a pod turning unready', async (t) => {
	const hosts = await startHosts(2);
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const install = await TmuxSession.start({ command: cli(`install --config ${JSON.stringify(config)} --yes`), cwd: dir, env: { NO_COLOR: '1' }, width: 100, height: 45 });
	t.teardown(() => install.kill());
	await install.waitFor(/NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+NODE/, { timeoutMs: 60_000 });
	t.is(await install.waitForExit({ timeoutMs: 60_000 }), 0, await install.capture());
	const done = await install.capture();
	t.log(done);
	t.regex(done, /kube-system\s+cilium-\S+\s+1\/1\s+Running/);
	t.regex(done, /kube-system\s+coredns-\S+\s+1\/1\s+Running/);
	const table = done.slice(done.indexOf('NAMESPACE'));
	const names = [...table.matchAll(/^kube-system\s+(\S+)/gm)].map((m) => m[1]);
	t.is(new Set(names).size, names.length, 'each pod has one row: rows are updated in place');
	t.regex(done, /ready: 2 nodes Ready/);

	const report = JSON.parse((await runCli(['status', '--config', config, '-o', 'json'], dir)).stdout) as { pods: Array<{ name: string }> };
	const coredns = report.pods.find((p) => p.name.startsWith('coredns-'))?.name ?? '';
	const watch = await TmuxSession.start({ command: cli(`status --config ${JSON.stringify(config)} --watch --interval 1s`), cwd: dir, env: { NO_COLOR: '1' }, width: 110, height: 50 });
	t.teardown(() => watch.kill());
	await watch.waitFor(/Cluster e2e: healthy/, { timeoutMs: 30_000 });
	await hosts.flipPod(coredns);
	const unhealthy = await watch.waitFor(new RegExp(`${coredns}\\s+0/1\\s+Running`), { timeoutMs: 15_000 });
	t.log(unhealthy);
	t.regex(unhealthy, /Cluster e2e: unhealthy/);
	await watch.keys('C-c');
	t.is(await watch.waitForExit({ timeoutMs: 10_000 }), 130);
});
