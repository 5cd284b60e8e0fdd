// Shared by the tests of what kubestrap ships (the npm package and the single executable): running a
// kubestrap program, its wizard's first screens in tmux, and an install plus status on sshd test hosts.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ExecutionContext } from 'ava';
import { startHosts } from '../_helpers/sshd-hosts.js';
import { TmuxSession } from '../_helpers/tmux.js';
import { CHECKOUT_CLI, ROOT, runCli, writeConfig, type Run } from '../e2e/_install.js';

export const run = promisify(execFile);
export { CHECKOUT_CLI, ROOT };

export const EXAMPLES = ['baremetal-cilium.yaml', 'baremetal-calico-vxlan.yaml', 'aws-cilium-eni.yaml', 'aws-calico.yaml'];

/** Runs a kubestrap program (argv prefix) to its end; never throws on a non-zero exit. */
export function kubestrap(program: readonly string[], args: string[], cwd = ROOT, env: Record<string, string> = {}): Promise<Run> {
	return runCli(args, cwd, { program, env });
}

const shellWord = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/** `kubestrap` alone on a terminal: the guided install's first screen, a name typed, the next question. */
export async function wizardFirstScreens(t: ExecutionContext, program: readonly string[]): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'kubestrap-ship-wizard-'));
	const session = await TmuxSession.start({
		command: program.map(shellWord).join(' '),
		cwd: dir,
		env: { HOME: dir, CI: undefined, NO_COLOR: '1', SSH_AUTH_SOCK: undefined },
	});
	t.teardown(async () => {
		await session.kill();
		rmSync(dir, { recursive: true, force: true });
	});
	const first = await session.waitFor(/Cluster name:/);
	t.regex(first, /enter confirm · ctrl-c quit/);
	// Ink attaches its key handler after the first draw.
	await new Promise((resolve) => setTimeout(resolve, 100));
	await session.text('shipped');
	await session.waitFor(/Cluster name:.*shipped/);
	await session.keys('Enter');
	// The next screen is laid out by Ink's yoga engine: a select list with its hint line.
	const next = await session.waitFor(/Select target/);
	t.regex(next, /baremetal/);
	await session.keys('C-c');
	t.not(await session.waitForExit(), 0, 'Ctrl-C ends the wizard without success');
}

/** An install and a status on two sshd test hosts (one control plane, one worker), through `program`. */
export async function installAndStatus(t: ExecutionContext, program: readonly string[]): Promise<void> {
	const hosts = await startHosts(2);
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const install = await runCli(['install', '--config', config, '--yes'], dir, { program });
	t.is(install.code, 0, install.stderr);
	t.regex(install.stderr, /ready: 2 nodes Ready, \d+ pods ready, API answers through .*e2e\.kubeconfig/);
	const applied = await hosts.clusterObjects();
	t.true(applied.some((o) => o.kind === 'DaemonSet' && o.name === 'cilium'), 'the Cilium manifests reached the API');
	const status = await runCli(['status', '--config', config, '-o', 'json'], dir, { program });
	t.is(status.code, 0, status.stderr);
	const report = JSON.parse(status.stdout) as { healthy: boolean; cni: { name: string; release: string | null } };
	t.true(report.healthy);
	t.is(report.cni.name, 'cilium');
}
