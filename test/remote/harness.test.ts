// The sshd test hosts themselves: isolation, scenarios, simulated node programs, teardown.
// Driven through the real Remote, the way the install steps will use them.

import { existsSync } from 'node:fs';

import test from 'ava';

import { connect } from '../../source/remote/connection.js';
import type { Remote } from '../../source/remote/remote.js';
import { OS_RELEASE, startHosts, type TestHosts } from '../_helpers/sshd-hosts.js';
import { connectOptions } from './helpers.js';

let hosts: TestHosts;
let remotes: Remote[] = [];

test.before(async () => {
	hosts = await startHosts(3, {
		names: ['cp-1', 'worker-1', 'old-1'],
		scenario: (index) => (index === 2
			? { osRelease: OS_RELEASE.centos7, kernel: '3.10.0-1160.el7.x86_64', swap: true, selinux: 'Enforcing' }
			: { osRelease: OS_RELEASE.ubuntu2404, swap: index === 1 }),
	});
	remotes = await Promise.all(hosts.hosts.map((_, index) => connect(connectOptions(hosts, index))));
});

test.after.always(async () => {
	await Promise.all(remotes.map((remote) => remote.close()));
	await hosts?.stop();
});

function remoteAt(index: number): Remote {
	const remote = remotes[index];
	if (remote === undefined) {
		throw new Error(`no remote ${index}`);
	}
	return remote;
}

async function out(index: number, argv: string[], sudo = false): Promise<string> {
	const result = await remoteAt(index).exec(argv, { sudo });
	if (result.code !== 0) {
		throw new Error(`${argv.join(' ')} failed (${result.code}): ${result.stderr}`);
	}
	return result.stdout.trim();
}

test('each host has its own hostname, /etc/hosts, /tmp and system paths; the machine is untouched', async (t) => {
	t.is(await out(0, ['hostname']), 'cp-1');
	t.is(await out(1, ['hostname']), 'worker-1');
	t.regex(await out(0, ['getent', 'hosts', 'worker-1']), new RegExp(`^${hosts.hosts[1]?.address.replaceAll('.', '\\.')}\\s`));
	const machineHadIt = existsSync('/etc/kubernetes/isolation-check');
	await out(0, ['sh', '-c', 'mkdir -p /etc/kubernetes && echo cp > /etc/kubernetes/isolation-check && echo cp > /tmp/isolation-check'], true);
	t.is((await remoteAt(1).exec(['cat', '/etc/kubernetes/isolation-check'])).code, 1);
	t.is((await remoteAt(1).exec(['cat', '/tmp/isolation-check'])).code, 1);
	t.is(existsSync('/etc/kubernetes/isolation-check'), machineHadIt);
	t.is(await hosts.readHostFile(0, '/etc/kubernetes/isolation-check'), 'cp\n');
	t.is(await hosts.readHostFile(1, '/etc/kubernetes/isolation-check'), undefined);
});

test('os-release, kernel, swap and SELinux come from the scenario', async (t) => {
	t.regex(await out(0, ['cat', '/etc/os-release']), /VERSION_ID="24\.04"/);
	t.regex(await out(2, ['cat', '/etc/os-release']), /ID="centos"/);
	t.is(await out(2, ['uname', '-r']), '3.10.0-1160.el7.x86_64');
	t.is(await out(2, ['cat', '/proc/sys/kernel/osrelease']), '3.10.0-1160.el7.x86_64');
	t.is(await out(0, ['uname', '-r']), '6.8.0-60-generic');
	t.is(await out(2, ['getenforce']), 'Enforcing');
	t.is((await remoteAt(0).exec(['getenforce'])).code, 127);
	t.regex(await out(2, ['swapon', '--show']), /swap\.img/);
	t.regex(await out(2, ['cat', '/proc/swaps']), /swap\.img/);
	await out(2, ['swapoff', '-a'], true);
	t.is(await out(2, ['swapon', '--show']), '');
	t.notRegex(await out(2, ['cat', '/proc/swaps']), /swap\.img/);
});

// Host 2 only: hosts 0 and 1 run the pipeline test at the same time.
test('every simulated call is recorded with argv, uid and whether stdin carried data', async (t) => {
	await out(2, ['modprobe', 'br_netfilter'], true);
	await remoteAt(2).exec(['kubectl', 'apply', '-f', '-'], { stdin: 'kind: ConfigMap\n' });
	const calls = await hosts.readCalls(2);
	t.like(calls.find((call) => call.prog === 'modprobe'), { argv: ['br_netfilter'], uid: 0, stdin: false });
	// kubectl is not installed on this host, so it is not on PATH and nothing was recorded for it.
	t.is(calls.find((call) => call.prog === 'kubectl'), undefined);
	t.regex(await out(2, ['lsmod']), /br_netfilter/);
});

test('faults: fail the first call with the scenario stderr, then behave; a hang for timeouts', async (t) => {
	await hosts.setFaults(2, [
		{ match: 'apt-get update*', exitCode: 100, stderr: 'E: Could not get lock /var/lib/dpkg/lock-frontend', times: 1 },
		{ match: 'systemctl is-active slow*', exitCode: 0, delaySeconds: 30 },
	]);
	const first = await remoteAt(2).exec(['apt-get', 'update'], { sudo: true });
	t.is(first.code, 100);
	t.regex(first.stderr, /Could not get lock/);
	t.is((await remoteAt(2).exec(['apt-get', 'update'], { sudo: true })).code, 0);
	const hang = await t.throwsAsync(remoteAt(2).exec(['systemctl', 'is-active', 'slow'], { timeoutMs: 300 }));
	t.regex(hang?.message ?? '', /timed out/);
	t.deepEqual((await hosts.processes(2)).filter((info) => /sleep 30/.test(info.cmdline)), []);
	await hosts.setFaults(2, []);
});

test('the kubeadm pipeline on simulated hosts: repo, packages, runtime, init, join with the real token only', async (t) => {
	const prepare = async (index: number): Promise<void> => {
		const remote = remoteAt(index);
		await remote.upload('overlay\nbr_netfilter\n', '/etc/modules-load.d/k8s.conf', { sudo: true, mode: 0o644 });
		await out(index, ['modprobe', 'overlay'], true);
		await out(index, ['modprobe', 'br_netfilter'], true);
		await remote.upload('net.bridge.bridge-nf-call-iptables = 1\nnet.ipv4.ip_forward = 1\n', '/etc/sysctl.d/k8s.conf', { sudo: true, mode: 0o644 });
		await out(index, ['sysctl', '--system'], true);
		await out(index, ['swapoff', '-a'], true);
		await out(index, ['sh', '-c', 'curl -fsSL https://pkgs.k8s.io/core:/stable:/v1.35/deb/Release.key | gpg --dearmor --yes -o /etc/apt/keyrings/kubernetes-apt-keyring.gpg'], true);
		await remote.upload('deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/v1.35/deb/ /\n',
			'/etc/apt/sources.list.d/kubernetes.list', { sudo: true, mode: 0o644 });
		await out(index, ['apt-get', 'update'], true);
		await out(index, ['apt-get', 'install', '-y', 'containerd', 'kubelet', 'kubeadm', 'kubectl'], true);
		await out(index, ['apt-mark', 'hold', 'kubelet', 'kubeadm', 'kubectl'], true);
		await out(index, ['systemctl', 'enable', '--now', 'containerd', 'kubelet'], true);
	};
	await Promise.all([prepare(0), prepare(1)]);
	// Without a version apt installs the candidate: the newest patch the 1.35 repository publishes.
	t.is(await out(0, ['kubeadm', 'version', '-o', 'short']), 'v1.35.8');
	t.is(await out(0, ['sysctl', '-n', 'net.bridge.bridge-nf-call-iptables']), '1');

	const cp = hosts.hosts[0]?.address ?? '';
	await remoteAt(0).upload(`apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\ncontrolPlaneEndpoint: "${cp}:6443"\n`,
		'/etc/kubernetes/kubeadm-init.yaml', { sudo: true });
	const init = await remoteAt(0).exec(['kubeadm', 'init', '--config', '/etc/kubernetes/kubeadm-init.yaml', '--upload-certs'], {
		sudo: true, secretOutput: true,
	});
	t.is(init.code, 0, init.stderr);
	const again = await remoteAt(0).exec(['kubeadm', 'init', '--config', '/etc/kubernetes/kubeadm-init.yaml'], { sudo: true });
	t.is(again.code, 1);
	t.regex(again.stderr, /FileAvailable--etc-kubernetes-manifests-kube-apiserver\.yaml/);

	const join = await remoteAt(0).exec(['kubeadm', 'token', 'create', '--print-join-command'], { sudo: true, secretOutput: true });
	const token = /--token (\S+)/.exec(join.stdout)?.[1] ?? '';
	const hash = /--discovery-token-ca-cert-hash (\S+)/.exec(join.stdout)?.[1] ?? '';
	t.regex(token, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);

	const joinConfig = (withToken: string): string => [
		'apiVersion: kubeadm.k8s.io/v1beta4',
		'kind: JoinConfiguration',
		'discovery:',
		'  bootstrapToken:',
		`    apiServerEndpoint: "${cp}:6443"`,
		`    token: "${withToken}"`,
		'    caCertHashes:',
		`    - "${hash}"`,
		'nodeRegistration:',
		'  name: worker-1',
		'  kubeletExtraArgs:',
		'  - name: node-ip',
		'    value: 10.0.0.11',
		'',
	].join('\n');
	const watch = hosts.watchCmdlines(() => [token], 20);
	await remoteAt(1).upload(joinConfig('aaaaaa.bbbbbbbbbbbbbbbb'), '/etc/kubernetes/kubeadm-join.yaml', { sudo: true });
	const wrong = await remoteAt(1).exec(['kubeadm', 'join', '--config', '/etc/kubernetes/kubeadm-join.yaml'], { sudo: true });
	t.is(wrong.code, 1);
	t.regex(wrong.stderr, /could not find a JWS signature/);
	await remoteAt(1).upload(joinConfig(token), '/etc/kubernetes/kubeadm-join.yaml', { sudo: true });
	const joined = await remoteAt(1).exec(['kubeadm', 'join', '--config', '/etc/kubernetes/kubeadm-join.yaml'], { sudo: true });
	t.is(joined.code, 0, joined.stderr);
	const { hits } = await watch.stop();
	t.deepEqual(hits, []);

	const nodes = JSON.parse(await out(0, ['kubectl', '--kubeconfig', '/etc/kubernetes/admin.conf', 'get', 'nodes', '-o', 'json'], true)) as {
		items: { metadata: { name: string } }[];
	};
	t.deepEqual(nodes.items.map((node) => node.metadata.name).sort(), ['cp-1', 'worker-1']);
	const admin = (await remoteAt(0).download('/etc/kubernetes/admin.conf', { sudo: true })).toString();
	t.regex(admin, new RegExp(`server: https://${cp.replaceAll('.', '\\.')}:6443`));
	t.is(await out(0, ['stat', '-c', '%a', '/etc/kubernetes/admin.conf'], true), '600');
	const kubeadmCalls = (await hosts.readCalls(1)).filter((call) => call.prog === 'kubeadm');
	t.false(kubeadmCalls.some((call) => call.argv.some((arg) => arg.includes(token))));
});

test.serial('stopping a host ends all of its processes', async (t) => {
	const remote = await connect(connectOptions(hosts, 2));
	// A duration no other process on the machine is likely to use, so the check below sees only ours.
	const nap = `40.${process.pid}`;
	const running = remote.exec(['sleep', nap]).catch(() => undefined);
	await new Promise((resolve) => setTimeout(resolve, 200));
	t.true((await hosts.processes(2)).length >= 3);
	await hosts.stopHost(2);
	await running;
	t.deepEqual(await hosts.processes(2), []);
	t.deepEqual((await hosts.processes()).filter((info) => info.cmdline === `sleep ${nap}`), []);
	await remote.close();
	await hosts.startHost(2);
	t.is(await out(2, ['hostname']), 'old-1');
});
