// kubestrap reset on real sshd hosts with the simulated node programs, for what reset.test.ts (Cilium)
// does not cover: a Calico cluster's residue (tunl0, vxlan.calico, cali* veths, cali-* chains, the CNI
// config and calico-kubeconfig, /var/lib/calico), and --remove-packages (packages, their apt holds and
// the units they ship go only with the flag).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { startHosts, type TestHosts } from '../_helpers/sshd-hosts.js';
import { formatState, hostState, HOST_OWN, leftovers, ownIntact, visit } from './_host-state.js';
import { runCli, writeConfig } from './_install.js';

/** A file the host has (its overlay's upper layer holds it and it is no whiteout). */
async function has(hosts: TestHosts, index: number, path: string): Promise<boolean> {
	return (await hosts.readHostFile(index, path)) !== undefined;
}

/** The simulated package manager's records on a host: installed packages, apt holds, unit files. */
function records(hosts: TestHosts, index: number, kind: 'packages' | 'held' | 'units'): string[] {
	const dir = join(hosts.hosts[index]!.root, 'sim', 'state', kind);
	return existsSync(dir) ? readdirSync(dir).sort() : [];
}

test('Calico 1+1: reset all leaves no tunl0, cali* links, cali-* chains, Calico files or /var/lib/calico; the host\'s own firewall stays', async (t) => {
	const hosts = await startHosts(2, { scenario: HOST_OWN });
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1, network: { cni: 'calico', calico: { encapsulation: 'ipip' } } });
	const installed = await runCli(['install', '--config', config, '--yes'], dir);
	t.is(installed.code, 0, installed.stderr);
	visit(hosts, 0);
	visit(hosts, 1);
	const before = [hostState(hosts, 0), hostState(hosts, 1)];
	t.log(`worker before reset:\n${formatState(before[1]!)}`);
	for (const state of before) {
		t.true(state.links.includes('tunl0') && state.links.some((l) => /^cali[0-9a-f]{6,}$/.test(l)), 'Calico made its links');
		t.true(state.chains.some((c) => /\/cali-/.test(c)), 'and its chains');
		t.true(state.files.includes('/etc/cni/net.d/10-calico.conflist') && state.files.includes('/var/lib/calico'), 'and its files');
	}
	t.true(await has(hosts, 1, '/etc/cni/net.d/calico-kubeconfig'));

	const reset = await runCli(['reset', '--config', config, '--yes'], dir);
	t.is(reset.code, 0, reset.stderr);
	t.regex(reset.stderr, /reset done: 2 hosts clean, verified/);
	for (const index of [0, 1]) {
		const after = hostState(hosts, index);
		if (index === 1) t.log(`worker after reset:\n${formatState(after)}`);
		t.deepEqual(leftovers(after), [], `host ${index + 1} clean`);
		t.false(after.links.some((l) => /^(tunl0|vxlan\.calico|cali)/.test(l)), 'no Calico link');
		t.false(after.chains.some((c) => /\/cali-/.test(c)), 'no cali-* chain');
		t.false(after.rules.some((r) => /cali/.test(r)), 'no rule jumping to one');
		t.false(after.files.includes('/etc/cni/net.d/10-calico.conflist'));
		t.false(await has(hosts, index, '/etc/cni/net.d/calico-kubeconfig'), 'calico-kubeconfig gone');
		t.false(await has(hosts, index, '/var/lib/calico/nodename'), '/var/lib/calico gone');
		t.false(after.files.includes('/var/lib/calico'));
		ownIntact(t, after);
		t.truthy(await hosts.readHostFile(index, '/etc/cni/net.d/87-podman-bridge.conflist'), 'another tool\'s CNI config stays');
	}
});

test('--remove-packages: without it packages, holds and units stay; with it they are gone', async (t) => {
	const hosts = await startHosts(2, { scenario: HOST_OWN });
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const installed = await runCli(['install', '--config', config, '--yes'], dir);
	t.is(installed.code, 0, installed.stderr);
	const worker = hosts.hosts[1]!.address;
	t.deepEqual(records(hosts, 1, 'held'), ['kubeadm', 'kubectl', 'kubelet'], 'install holds the Kubernetes packages');
	const packagesBefore = records(hosts, 1, 'packages');
	for (const name of ['containerd', 'kubeadm', 'kubectl', 'kubelet']) t.true(packagesBefore.includes(name), `${name} installed`);
	t.true(records(hosts, 1, 'units').includes('kubelet') && records(hosts, 1, 'units').includes('containerd'));

	const kept = await runCli(['reset', '--config', config, '--host', worker, '--yes'], dir);
	t.is(kept.code, 0, kept.stderr);
	t.regex(kept.stderr, /removed: /);
	t.deepEqual(records(hosts, 1, 'packages'), packagesBefore, 'without --remove-packages every package stays');
	t.deepEqual(records(hosts, 1, 'held'), ['kubeadm', 'kubectl', 'kubelet'], 'and so do the holds');
	t.true(records(hosts, 1, 'units').includes('kubelet'));
	t.deepEqual(leftovers(hostState(hosts, 1)), [], 'the host is clean all the same');

	const plan = await runCli(['reset', '--config', config, '--remove-packages', '--dry-run'], dir);
	t.is(plan.code, 0, plan.stderr);
	t.regex(plan.stdout, /apt-mark unhold kubeadm kubelet kubectl/);
	t.regex(plan.stdout, /apt-get remove -y -q kubeadm kubelet kubectl cri-tools kubernetes-cni containerd/);
	t.deepEqual(records(hosts, 0, 'held'), ['kubeadm', 'kubectl', 'kubelet'], 'the dry run changed nothing');

	const removed = await runCli(['reset', '--config', config, '--remove-packages', '--yes'], dir);
	t.is(removed.code, 0, removed.stderr);
	t.regex(removed.stderr, /reset done: 2 hosts clean, verified/);
	for (const index of [0, 1]) {
		const left = records(hosts, index, 'packages').filter((name) => /^(kubeadm|kubelet|kubectl|containerd|cri-tools|kubernetes-cni)$/.test(name));
		t.deepEqual(left, [], `host ${index + 1}: the packages are gone`);
		t.deepEqual(records(hosts, index, 'held'), [], 'and their holds');
		t.false(records(hosts, index, 'units').some((unit) => /^(kubelet|containerd)/.test(unit)), 'and the units they shipped');
		t.false(await has(hosts, index, '/etc/apt/sources.list.d/kubernetes.list'), 'and the package source');
		ownIntact(t, hostState(hosts, index));
	}
});
