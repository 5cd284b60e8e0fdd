// kubestrap on RPM hosts (Rocky Linux 9 test hosts: dnf, yum and rpm, no apt-get or dpkg anywhere on them,
// SELinux enforcing): install at the previous minor, upgrade to the default minor in kubeadm's order with
// dnf's commands (the repo file's exclude= as the hold, --disableexcludes=kubernetes), a re-run that changes
// nothing, then reset --remove-packages leaving no Kubernetes package, no repository and no kubestrap file.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import test, { type ExecutionContext } from 'ava';
import { parse, stringify } from 'yaml';
import { startHosts, type SimCall, type TestHosts } from '../_helpers/sshd-hosts.js';
import { formatState, hostState, HOST_OWN, leftovers, ownIntact, visit } from './_host-state.js';
import { runCli, writeConfig } from './_install.js';

interface Call extends SimCall {
	host: number;
	line: string;
}

interface NodeItem {
	metadata: { name: string };
	spec: { unschedulable?: boolean };
	status: { nodeInfo: { kubeletVersion: string; osImage: string; containerRuntimeVersion: string }; conditions: { type: string; status: string }[] };
}

async function allCalls(hosts: TestHosts): Promise<Call[]> {
	const lists = await Promise.all(hosts.hosts.map(async (_, host) => (await hosts.readCalls(host)).map((c) => ({ ...c, host, line: [c.prog, ...c.argv].join(' ') }))));
	return lists.flat().sort((a, b) => a.t - b.t);
}

/** What each dnf call on a host saw of the Kubernetes repository: its time, the minor its repo file named, its arguments. */
async function dnfSeen(hosts: TestHosts, index: number): Promise<{ t: number; minor: string; line: string }[]> {
	const text = (await hosts.readHostFile(index, '/opt/kubestrap-sim/state/dnf-seen')) ?? '';
	return text.split('\n').filter(Boolean).map((line) => {
		const [t = '0', minor = '', ...rest] = line.split(' ');
		return { t: Number(t), minor, line: rest.join(' ') };
	});
}

/** A command run on the host as the SSH user (and under sudo) sees it. */
function onHost(hosts: TestHosts, index: number, command: string): { code: number; stdout: string } {
	const host = hosts.hosts[index]!;
	try {
		const stdout = execFileSync('ssh', ['-i', hosts.identityFile, '-o', `UserKnownHostsFile=${hosts.knownHostsFile}`, '-o', 'BatchMode=yes', '-p', String(host.port), `${hosts.user}@${host.address}`, command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
		return { code: 0, stdout };
	} catch (error) {
		const failed = error as { status?: number; stdout?: string };
		return { code: failed.status ?? 1, stdout: failed.stdout ?? '' };
	}
}

function setVersion(config: string, version: string): void {
	const doc = parse(readFileSync(config, 'utf8')) as { spec: { kubernetes: { version: string } } };
	doc.spec.kubernetes.version = version;
	writeFileSync(config, stringify(doc));
}

async function nodes(hosts: TestHosts): Promise<NodeItem[]> {
	return (JSON.parse((await hosts.simKubectl(['get', 'nodes', '-o', 'json'])).stdout) as { items: NodeItem[] }).items;
}

const ready = (n: NodeItem): boolean => n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');

/** The commands that change a host (a re-run must send none of them). */
const CHANGES = (c: Call): boolean => (c.prog === 'dnf' && ['install', 'remove', 'upgrade'].some((verb) => c.argv.includes(verb)))
	|| (c.prog === 'kubeadm' && ['upgrade', 'init', 'join', 'reset'].includes(c.argv[0] ?? '')) || (c.prog === 'kubectl' && (c.argv.includes('drain') || c.argv.includes('cordon')))
	|| (c.prog === 'systemctl' && c.argv.includes('restart')) || c.prog === 'setenforce';

function checkInstalled(t: ExecutionContext, hosts: TestHosts, calls: Call[]): void {
	t.deepEqual(calls.filter((c) => /^(apt|dpkg)/.test(c.prog)).map((c) => c.line), [], 'no apt or dpkg program ran');
	for (const index of [0, 1]) {
		const mine = calls.filter((c) => c.host === index);
		const kube = mine.find((c) => c.prog === 'dnf' && c.argv.includes('install') && c.argv.includes('kubeadm-1.35.8'));
		t.truthy(kube, `host ${index + 1}: dnf install of the newest 1.35 patch`);
		t.true(kube!.argv.includes('--disableexcludes=kubernetes') && kube!.argv.includes('kubelet-1.35.8') && kube!.argv.includes('kubectl-1.35.8'), kube!.line);
		t.truthy(mine.find((c) => c.prog === 'dnf' && c.argv.includes('install') && c.argv.includes('containerd.io')), `host ${index + 1}: containerd.io (RHEL 9 has no containerd package)`);
		t.truthy(mine.find((c) => c.prog === 'setenforce' && c.argv[0] === '0' && c.uid === 0), `host ${index + 1}: setenforce 0 as root`);
	}
}

test('Rocky 9 hosts (dnf, SELinux enforcing) 1+1 Calico: install 1.35, upgrade to 1.36 in kubeadm\'s order, a re-run is a no-op, reset --remove-packages leaves nothing', async (t) => {
	const hosts = await startHosts(2, { scenario: (index) => ({ packageManager: 'dnf', ...HOST_OWN, firewalld: index === 1 }) });
	t.teardown(() => hosts.stop());
	await hosts.setClusterScenario({ speed: 4, drainTimeScale: 0.05 });

	// The hosts are RPM hosts for the SSH user and under sudo alike: no apt-get or dpkg, dnf and rpm there.
	const probe = onHost(hosts, 1, 'command -v apt-get || command -v dpkg || sudo sh -c "command -v apt-get || command -v dpkg || test -e /usr/bin/apt-get || test -d /etc/apt"');
	t.not(probe.code, 0, `apt or dpkg visible on the host: ${probe.stdout}`);
	t.is(onHost(hosts, 1, 'command -v dnf && command -v rpm && . /etc/os-release && echo "$ID $VERSION_ID" && getenforce && test -d /etc/yum.repos.d').stdout.split('\n').slice(2).join(' ').trim(), 'rocky 9.5 Enforcing');

	const { dir, config } = writeConfig(hosts, { controlPlanes: 1, network: { cni: 'calico' } });
	setVersion(config, '1.35');
	// The plan reads the hosts and shows the dnf commands; nothing changes.
	const planned = await runCli(['plan', '--config', config], dir);
	t.is(planned.code, 0, planned.stderr);
	for (const action of ['sudo setenforce 0', 'sudo sed -i s/^SELINUX=enforcing$/SELINUX=permissive/ /etc/selinux/config', 'fetch https://download.docker.com/linux/centos/gpg and check its fingerprint is 060A61C51B558A7F742B77AAC52FEB6B621E9F35', 'sudo dnf install -y containerd.io', 'write /etc/yum.repos.d/kubernetes.repo']) {
		t.true(planned.stdout.includes(action), `the plan shows: ${action}`);
	}
	t.deepEqual((await allCalls(hosts)).filter(CHANGES).map((c) => c.line), [], 'plan changed nothing');
	const installed = await runCli(['install', '--config', config, '--yes'], dir);
	t.is(installed.code, 0, installed.stderr);
	checkInstalled(t, hosts, await allCalls(hosts));
	const worker = hosts.hosts[1]!.address.replace(/\./g, '\\.');
	t.regex(installed.stderr, new RegExp(`warning: firewalld is active on ${worker}: the other nodes must reach 10250/tcp, 10256/tcp, 30000-32767/tcp, 179/tcp, ipip there`), 'the worker\'s active firewalld is named with what to open');
	t.notRegex(installed.stderr, new RegExp(`firewalld is active on ${hosts.hosts[0]!.address.replace(/\./g, '\\.')}`));
	for (const index of [0, 1]) {
		t.is((await hosts.readHostFile(index, '/opt/kubestrap-sim/state/selinux'))?.trim(), 'Permissive', `host ${index + 1}: SELinux permissive now`);
		t.regex((await hosts.readHostFile(index, '/etc/selinux/config')) ?? '', /^SELINUX=permissive$/m, `host ${index + 1}: and at boot`);
		const repo = (await hosts.readHostFile(index, '/etc/yum.repos.d/kubernetes.repo')) ?? '';
		t.regex(repo, /^baseurl=https:\/\/pkgs\.k8s\.io\/core:\/stable:\/v1\.35\/rpm\/$/m);
		t.regex(repo, /^exclude=kubelet kubeadm kubectl cri-tools kubernetes-cni$/m, 'the exclude= line is the hold');
		t.regex((await hosts.readHostFile(index, '/etc/yum.repos.d/kubestrap-docker-ce.repo')) ?? '', /^baseurl=https:\/\/download\.docker\.com\/linux\/centos\/\$releasever\/\$basearch\/stable$/m);
	}
	const before = await nodes(hosts);
	t.true(before.every((n) => n.status.nodeInfo.kubeletVersion === 'v1.35.8' && ready(n) && /Rocky Linux 9/.test(n.status.nodeInfo.osImage)), JSON.stringify(before.map((n) => n.status.nodeInfo)));
	// The hold holds: without --disableexcludes dnf will not touch a Kubernetes package, as on a real host.
	const held = onHost(hosts, 1, 'sudo dnf install -y kubelet-1.35.0 2>&1');
	t.is(held.code, 1);
	t.regex(held.stdout, /All matches were filtered out by exclude filtering for argument: kubelet-1\.35\.0\nError: Unable to find a match: kubelet-1\.35\.0/);

	// Upgrade to the default minor.
	setVersion(config, '1.36');
	const beforeDry = Date.now();
	const dry = await runCli(['upgrade', '--config', config, '--dry-run'], dir);
	t.is(dry.code, 0, dry.stderr);
	t.regex(dry.stderr, /node2 +worker +v1\.35\.8 → the newest 1\.36 patch[\s\S]*dry run: nothing was changed/);
	t.deepEqual((await allCalls(hosts)).filter((c) => c.t >= beforeDry && CHANGES(c)).map((c) => c.line), [], 'the dry run changed nothing');
	t.regex((await hosts.readHostFile(0, '/etc/yum.repos.d/kubernetes.repo')) ?? '', /\/v1\.35\/rpm\//, 'the repo file still names 1.35');
	const mark = Date.now();
	const upgraded = await runCli(['upgrade', '--config', config, '--yes'], dir);
	t.is(upgraded.code, 0, upgraded.stderr);
	t.regex(upgraded.stderr, /upgraded: control plane v1\.36\.4; node1 v1\.36\.4, node2 v1\.36\.4/);
	const calls = (await allCalls(hosts)).filter((c) => c.t >= mark);
	const workerNode = 'node2';
	const seen0 = (await dnfSeen(hosts, 0)).filter((s) => s.t >= mark);
	const lookup = seen0.find((s) => / list /.test(` ${s.line} `) && s.line.includes('--showduplicates'));
	t.truthy(lookup, 'the version was looked up with dnf --showduplicates list');
	t.is(lookup!.minor, 'v1.36', 'the repo file named v1.36 when the version was looked up');
	t.true(seen0.filter((s) => s.t < lookup!.t).every((s) => s.minor !== 'v1.35' || !s.line.includes('install')), 'no package installed before the lookup');
	const apply = calls.find((c) => c.host === 0 && c.prog === 'kubeadm' && c.argv[0] === 'upgrade' && c.argv[1] === 'apply');
	t.truthy(apply);
	const kubeadmPkg = calls.find((c) => c.host === 0 && c.prog === 'dnf' && c.argv.includes('install') && c.argv.includes('kubeadm-1.36.4'));
	t.true(kubeadmPkg !== undefined && kubeadmPkg.argv.includes('--disableexcludes=kubernetes') && kubeadmPkg.t < apply!.t, 'dnf install kubeadm-1.36.4 --disableexcludes=kubernetes before kubeadm upgrade apply');
	t.false(kubeadmPkg!.argv.some((a) => a.startsWith('kubelet')), 'kubeadm alone first');
	for (const [index, name] of [[0, 'node1'], [1, workerNode]] as const) {
		const drain = calls.find((c) => c.host === 0 && c.prog === 'kubectl' && c.argv.includes('drain') && c.argv.includes(name));
		const kubelet = calls.find((c) => c.host === index && c.prog === 'dnf' && c.argv.includes('install') && c.argv.includes('kubelet-1.36.4'));
		const restart = calls.find((c) => c.host === index && c.prog === 'systemctl' && c.argv.includes('restart') && c.argv.includes('kubelet') && c.t > (kubelet?.t ?? Infinity));
		const uncordon = calls.filter((c) => c.host === 0 && c.prog === 'kubectl' && c.argv.includes('uncordon') && c.argv.includes(name)).at(-1);
		t.true(drain !== undefined && kubelet !== undefined && drain.t < kubelet.t, `${name} drained before its kubelet package changed`);
		t.true(kubelet!.argv.includes('--disableexcludes=kubernetes') && kubelet!.argv.includes('kubectl-1.36.4'), kubelet!.line);
		t.true(restart !== undefined && uncordon !== undefined && uncordon.t > restart.t, `${name} uncordoned after its kubelet restarted`);
		if (index === 1) {
			const upgradeNode = calls.find((c) => c.host === 1 && c.prog === 'kubeadm' && c.argv[1] === 'node');
			t.true(upgradeNode !== undefined && apply!.t < upgradeNode.t && upgradeNode.t < kubelet!.t, 'the worker: kubeadm upgrade node after apply, before its kubelet');
		}
	}
	t.is(/Server Version: (\S+)/.exec((await hosts.simKubectl(['version'])).stdout)?.[1], 'v1.36.4');
	for (const n of await nodes(hosts)) {
		t.is(n.status.nodeInfo.kubeletVersion, 'v1.36.4', n.metadata.name);
		t.true(ready(n), `${n.metadata.name} Ready`);
		t.not(n.spec.unschedulable, true, `${n.metadata.name} not cordoned`);
	}
	for (const index of [0, 1]) {
		t.regex((await hosts.readHostFile(index, '/etc/yum.repos.d/kubernetes.repo')) ?? '', /^baseurl=https:\/\/pkgs\.k8s\.io\/core:\/stable:\/v1\.36\/rpm\/$/m);
		t.regex(onHost(hosts, index, 'rpm -q kubeadm kubelet kubectl').stdout, /^kubeadm-1\.36\.4-150500\.1\.1\.\w+\nkubelet-1\.36\.4-150500\.1\.1\.\w+\nkubectl-1\.36\.4-150500\.1\.1\.\w+\n$/);
	}

	// A re-run: nothing to do, nothing touched.
	const again = Date.now();
	const rerun = await runCli(['upgrade', '--config', config, '--yes'], dir);
	t.is(rerun.code, 0, rerun.stderr);
	t.regex(rerun.stderr, /nothing to upgrade, already at the target/);
	t.deepEqual((await allCalls(hosts)).filter((c) => c.t >= again && CHANGES(c)).map((c) => `${c.host + 1}: ${c.line}`), [], 'a re-run changes nothing');

	// Reset the whole cluster with the packages: no Kubernetes package, repository or key left, the host's own things kept.
	const reset = await runCli(['reset', '--config', config, '--remove-packages', '--yes'], dir);
	t.is(reset.code, 0, reset.stderr);
	const resetCalls = (await allCalls(hosts)).filter((c) => c.t >= again);
	for (const index of [0, 1]) {
		visit(hosts, index);
		const state = hostState(hosts, index);
		t.deepEqual(leftovers(state), [], `host ${index + 1} clean:\n${formatState(state)}`);
		ownIntact(t, state);
		const remove = resetCalls.find((c) => c.host === index && c.prog === 'dnf' && c.argv[0] === 'remove');
		t.truthy(remove, `host ${index + 1}: dnf remove`);
		const rpm = onHost(hosts, index, 'rpm -q kubeadm kubelet kubectl containerd.io cri-tools kubernetes-cni');
		t.is(rpm.code, 1);
		t.regex(rpm.stdout, /^(package \S+ is not installed\n){6}$/, rpm.stdout);
		for (const path of ['/etc/yum.repos.d/kubernetes.repo', '/etc/pki/rpm-gpg/RPM-GPG-KEY-kubernetes', '/etc/yum.repos.d/kubestrap-docker-ce.repo', '/etc/pki/rpm-gpg/RPM-GPG-KEY-kubestrap-docker-ce']) {
			t.is(onHost(hosts, index, `test -e ${path}`).code, 1, `host ${index + 1}: ${path} removed`);
		}
		t.is(onHost(hosts, index, 'command -v kubeadm || command -v kubelet || command -v containerd').code, 1, 'no Kubernetes or containerd program left');
	}
});
