// SIGHUP (the SSH session kubestrap runs in closed) and SIGTERM in the middle of a step, against the sshd
// hosts: the run stops its remote commands, saves the journal, releases the local lock and the lease on
// the first control plane, removes the staged files holding secrets, exits 130, and the next run resumes.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { startHosts, type TestHosts } from '../_helpers/sshd-hosts.js';
import { runCli, writeConfig } from './_install.js';

const LEASE = '/var/lib/kubestrap/lease';

/** Sends `signal` once host `index` has started a call of `prog` with the argument `first`. */
function signalWhenCalled(hosts: TestHosts, index: number, prog: string, first: string, signal: NodeJS.Signals): { onSpawn(child: ChildProcess): void; sent: () => boolean } {
	let sent = false;
	return {
		sent: () => sent,
		onSpawn(child) {
			const timer = setInterval(() => {
				void hosts.readCalls(index).then((calls) => {
					if (sent || !calls.some((call) => call.prog === prog && call.argv.includes(first))) return;
					sent = true;
					clearInterval(timer);
					// Well inside the held step: the remote command is running.
					setTimeout(() => child.kill(signal), 400);
				});
			}, 100);
			child.on('close', () => clearInterval(timer));
		},
	};
}

test('SIGHUP mid-join: exit 130, kubeadm stopped, journal saved, lock and lease released, the join config with the token removed; the next run resumes', async (t) => {
	const hosts = await startHosts(2, { scenario: (i) => (i === 1 ? { faults: [{ match: 'kubeadm join*', delaySeconds: 30, exitCode: null, times: 1 }] } : {}) });
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const hup = signalWhenCalled(hosts, 1, 'kubeadm', 'join', 'SIGHUP');
	const stopped = await runCli(['install', '--config', config, '--yes', '--skip-check'], dir, { onSpawn: hup.onSpawn });
	t.true(hup.sent(), stopped.stderr);
	t.is(stopped.code, 130, stopped.stderr);
	t.regex(stopped.stderr, /SIGHUP received: stopping remote commands and saving the journal/);
	t.regex(stopped.stderr, /resume with/);
	const left = (await hosts.processes(1)).filter((p) => /kubeadm/.test(p.cmdline));
	t.deepEqual(left.map((p) => p.cmdline), [], 'no kubeadm left running on the worker');
	t.false(existsSync(join(dir, '.kubestrap/e2e/lock')), 'local lock released');
	t.true(existsSync(join(dir, '.kubestrap/e2e/journal.json')), 'journal saved');
	t.is(await hosts.readHostFile(0, LEASE), undefined, 'lease on the first control plane released');
	t.is(await hosts.readHostFile(1, '/etc/kubestrap/kubeadm-join.yaml'), undefined, 'the JoinConfiguration (token) was removed');
	const resumed = await runCli(['install', '--config', config, '--yes', '--skip-check'], dir);
	t.is(resumed.code, 0, resumed.stderr);
	t.regex(resumed.stderr, /- .*: already done/);
});

test('SIGTERM mid-apply of the CNI: the uploaded manifest holding the Hubble CA key is removed, the lease released', async (t) => {
	const hosts = await startHosts(2, { scenario: (i) => (i === 0 ? { faults: [{ match: 'kubectl *apply --server-side*', delaySeconds: 30, exitCode: null, times: 1 }] } : {}) });
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const term = signalWhenCalled(hosts, 0, 'kubectl', 'apply', 'SIGTERM');
	const stopped = await runCli(['install', '--config', config, '--yes', '--skip-check'], dir, { onSpawn: term.onSpawn });
	t.true(term.sent(), stopped.stderr);
	t.is(stopped.code, 130, stopped.stderr);
	t.regex(stopped.stderr, /SIGTERM received/);
	t.deepEqual((await hosts.processes(0)).filter((p) => /kubectl apply/.test(p.cmdline)).map((p) => p.cmdline), []);
	t.is(await hosts.readHostFile(0, '/etc/kubestrap/cni.yaml'), undefined, 'the CNI manifest (Hubble CA key) was removed');
	t.is(await hosts.readHostFile(0, LEASE), undefined);
	t.false(existsSync(join(dir, '.kubestrap/e2e/lock')));
	const resumed = await runCli(['install', '--config', config, '--yes', '--skip-check'], dir);
	t.is(resumed.code, 0, resumed.stderr);
});
