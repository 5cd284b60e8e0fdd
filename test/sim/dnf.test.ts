// The RPM host flavour of the simulator, driven over real SSH: a Rocky 9 host where only dnf, yum and rpm
// exist (apt and dpkg invisible to the login user and to sudo), and the simulated dnf answering as dnf 4 does
// for what an installer runs: pkgs.k8s.io's per-minor repositories, the repo file's exclude= and
// --disableexcludes, name-version arguments, upgrades by install, listings, removal, and Docker's containerd.io.
import test from 'ava';
import type { Remote } from '../../source/remote/remote.js';
import { connect } from '../../source/remote/connection.js';
import { startHosts, type TestHosts } from '../_helpers/sshd-hosts.js';
import { connectOptions } from '../remote/helpers.js';

interface Result {
	code: number | null;
	stdout: string;
	stderr: string;
}

async function rpmHost(): Promise<{ hosts: TestHosts; remote: Remote; sh: (argv: string[], sudo?: boolean) => Promise<Result> }> {
	const hosts = await startHosts(1, { scenario: { packageManager: 'dnf' } });
	const remote = await connect(connectOptions(hosts, 0));
	const sh = async (argv: string[], sudo = true): Promise<Result> => {
		const result = await remote.exec(argv, { sudo });
		return { code: result.code, stdout: result.stdout, stderr: result.stderr };
	};
	return { hosts, remote, sh };
}

function kubernetesRepo(minor: string): string {
	return ['[kubernetes]', 'name=Kubernetes', `baseurl=https://pkgs.k8s.io/core:/stable:/v${minor}/rpm/`, 'enabled=1', 'gpgcheck=1',
		'gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-kubernetes', 'exclude=kubelet kubeadm kubectl cri-tools kubernetes-cni', ''].join('\n');
}

test('an RPM host: Rocky 9, SELinux enforcing, dnf/yum/rpm and no apt or dpkg for the user or under sudo', async (t) => {
	const { hosts, remote, sh } = await rpmHost();
	t.teardown(async () => {
		remote.close();
		await hosts.stop();
	});
	for (const sudo of [false, true]) {
		const apt = await sh(['sh', '-c', 'command -v apt-get || command -v apt-mark || command -v apt-cache || command -v dpkg || command -v dpkg-query || ls /usr/bin/apt-get /etc/apt'], sudo);
		t.not(apt.code, 0, `sudo ${sudo}: ${apt.stdout}`);
		const rpm = await sh(['sh', '-c', 'command -v dnf && command -v yum && command -v rpm'], sudo);
		t.is(rpm.code, 0, rpm.stderr);
	}
	const os = await sh(['sh', '-c', '. /etc/os-release && echo "$ID $VERSION_ID $ID_LIKE"; getenforce; grep ^SELINUX= /etc/selinux/config; test -d /etc/yum.repos.d && echo repos'], false);
	t.is(os.stdout, 'rocky 9.5 rhel centos fedora\nEnforcing\nSELINUX=enforcing\nrepos\n');
});

test('dnf 4: the per-minor Kubernetes repository, exclude= and --disableexcludes, name-version, upgrade by install, list, remove', async (t) => {
	const { hosts, remote, sh } = await rpmHost();
	t.teardown(async () => {
		remote.close();
		await hosts.stop();
	});
	const arch = (await sh(['uname', '-m'], false)).stdout.trim();
	const none = await sh(['dnf', 'install', '-y', 'kubeadm']);
	t.is(none.code, 1);
	t.is(none.stdout, 'No match for argument: kubeadm\n');
	t.is(none.stderr, 'Error: Unable to find a match: kubeadm\n');
	t.regex((await sh(['dnf', 'install', '-y', 'kubeadm'], false)).stderr, /^Error: This command has to be run with superuser privileges/);

	await remote.upload(kubernetesRepo('1.35'), '/etc/yum.repos.d/kubernetes.repo', { sudo: true, mode: 0o644 });
	const excluded = await sh(['dnf', 'install', '-y', 'kubeadm-1.35.2']);
	t.is(excluded.code, 1);
	t.is(excluded.stdout, 'All matches were filtered out by exclude filtering for argument: kubeadm-1.35.2\n');
	t.is(excluded.stderr, 'Error: Unable to find a match: kubeadm-1.35.2\n');
	const noKey = await sh(['dnf', 'install', '-y', 'kubeadm-1.35.2', '--disableexcludes=kubernetes']);
	t.is(noKey.code, 1, 'the repo file\'s gpgkey file must exist');
	t.regex(noKey.stderr, /Error: GPG check FAILED/);
	await remote.upload('-----BEGIN PGP PUBLIC KEY BLOCK-----\n', '/etc/pki/rpm-gpg/RPM-GPG-KEY-kubernetes', { sudo: true, mode: 0o644 });
	const asked = await sh(['dnf', 'install', 'kubeadm-1.35.2', '--disableexcludes=kubernetes']);
	t.is(asked.code, 1);
	t.regex(asked.stderr, /Is this ok \[y\/N\]: Operation aborted\./);
	const installed = await sh(['dnf', 'install', '-y', 'kubeadm-1.35.2', '--disableexcludes=kubernetes']);
	t.is(installed.code, 0, installed.stderr);
	t.regex(installed.stdout, new RegExp(`Installed:\\n  kubeadm-1\\.35\\.2-150500\\.1\\.1\\.${arch}\\n\\nComplete!`));
	t.is((await sh(['rpm', '-q', 'kubeadm'], false)).stdout, `kubeadm-1.35.2-150500.1.1.${arch}\n`);
	t.is((await sh(['kubeadm', 'version', '-o', 'short'], false)).stdout.trim(), 'v1.35.2');
	const again = await sh(['dnf', 'install', '-y', 'kubeadm-1.35.2', '--disableexcludes=kubernetes']);
	t.is(again.code, 0);
	t.regex(again.stdout, new RegExp(`Package kubeadm-1\\.35\\.2-150500\\.1\\.1\\.${arch} is already installed\\.\\nDependencies resolved\\.\\nNothing to do\\.\\nComplete!`));
	t.is((await sh(['dnf', 'install', '-y', 'kubeadm-1.35.9', '--disableexcludes=kubernetes'])).stdout, 'No match for argument: kubeadm-1.35.9\n', 'an unpublished patch');

	// The listing: installed first (@repo), then every published version except the installed one; excludes hide the available ones.
	const listed = await sh(['dnf', '--showduplicates', 'list', 'kubeadm', '--disableexcludes=kubernetes'], false);
	t.is(listed.code, 0, listed.stderr);
	const rows = listed.stdout.split('\n').filter((line) => line.startsWith('kubeadm.')).map((line) => line.split(/\s+/).slice(1).join(' '));
	t.deepEqual(rows, ['1.35.2-150500.1.1 @kubernetes', ...[0, 1, 3, 4, 5, 6, 7, 8].map((p) => `1.35.${p}-150500.1.1 kubernetes`)]);
	t.regex(listed.stdout, /^Last metadata expiration check: .*\nInstalled Packages\n.*\nAvailable Packages\n/);
	const hidden = await sh(['dnf', '--showduplicates', 'list', 'kubeadm'], false);
	t.notRegex(hidden.stdout, /Available Packages/, 'exclude= hides what the repository offers');
	const newest = await sh(['dnf', 'list', 'kubelet', '--disableexcludes=kubernetes'], false);
	t.deepEqual(newest.stdout.split('\n').filter((line) => line.startsWith('kubelet.')).map((line) => line.split(/\s+/)[1]), ['1.35.8-150500.1.1'], 'without --showduplicates: the newest');
	t.is((await sh(['dnf', 'list', 'kubelet'], false)).stderr, 'Error: No matching Packages to list\n');

	// The next minor: the repo file's baseurl changes (dnf caches metadata per baseurl), install upgrades.
	await remote.upload(kubernetesRepo('1.36'), '/etc/yum.repos.d/kubernetes.repo', { sudo: true, mode: 0o644 });
	const next = await sh(['dnf', '--showduplicates', 'list', 'kubeadm', '--disableexcludes=kubernetes'], false);
	t.deepEqual(next.stdout.split('\n').filter((line) => line.includes(' kubernetes')).map((line) => line.split(/\s+/)[1]).at(-1), '1.36.4-150500.1.1');
	const documented = await sh(['yum', 'install', '-y', 'kubeadm-1.36.2-*', '--disableexcludes=kubernetes']);
	t.is(documented.code, 0, documented.stderr);
	t.regex(documented.stdout, new RegExp(`Upgraded:\\n  kubeadm-1\\.36\\.2-150500\\.1\\.1\\.${arch}`), 'the kubeadm upgrade page\'s form kubeadm-\'1.36.x-*\'');
	const upgraded = await sh(['dnf', 'install', '-y', 'kubeadm-1.36.4', 'kubelet-1.36.4', '--disableexcludes=kubernetes']);
	t.regex(upgraded.stdout, new RegExp(`Upgraded:\\n  kubeadm-1\\.36\\.4-150500\\.1\\.1\\.${arch}\\nInstalled:\\n  kubelet-1\\.36\\.4-150500\\.1\\.1\\.${arch}`));
	t.is((await sh(['kubeadm', 'version', '-o', 'short'], false)).stdout.trim(), 'v1.36.4');
	t.is((await sh(['dnf', 'install', '-y', 'kubeadm-1.35.8', '--disableexcludes=kubernetes'])).code, 1, 'the 1.36 repository has no 1.35 package');

	// Removal: what is not installed is not an error.
	const removed = await sh(['dnf', 'remove', '-y', 'kubeadm', 'kubectl']);
	t.is(removed.code, 0);
	t.regex(removed.stdout, new RegExp(`No match for argument: kubectl\\nDependencies resolved\\.\\nRemoved:\\n  kubeadm-1\\.36\\.4-150500\\.1\\.1\\.${arch}`));
	const nothing = await sh(['dnf', 'remove', '-y', 'kubeadm']);
	t.is(nothing.code, 0);
	t.is(nothing.stdout, 'No match for argument: kubeadm\nNo packages marked for removal.\nDependencies resolved.\nNothing to do.\nComplete!\n');
	t.is((await sh(['rpm', '-q', 'kubeadm', 'kubelet'], false)).stdout, `package kubeadm is not installed\nkubelet-1.36.4-150500.1.1.${arch}\n`);
});

test('containerd on RHEL 9: no `containerd` in the distribution; containerd.io from Docker\'s repository', async (t) => {
	const { hosts, remote, sh } = await rpmHost();
	t.teardown(async () => {
		remote.close();
		await hosts.stop();
	});
	const distro = await sh(['dnf', 'install', '-y', 'containerd']);
	t.is(distro.code, 1);
	t.is(distro.stderr, 'Error: Unable to find a match: containerd\n');
	t.is((await sh(['dnf', 'install', '-y', 'containerd.io'])).code, 1, 'containerd.io needs Docker\'s repository');
	await remote.upload('[docker-ce-stable]\nbaseurl=https://download.docker.com/linux/centos/$releasever/$basearch/stable\nenabled=1\ngpgcheck=1\ngpgkey=file:///etc/pki/rpm-gpg/docker\n', '/etc/yum.repos.d/docker.repo', { sudo: true, mode: 0o644 });
	await remote.upload('key\n', '/etc/pki/rpm-gpg/docker', { sudo: true, mode: 0o644 });
	const docker = await sh(['dnf', 'install', '-y', 'containerd.io']);
	t.is(docker.code, 0, docker.stderr);
	t.regex(docker.stdout, /Installed:\n  containerd\.io-1\.7\.27-3\.1\.el9\./);
	t.is((await sh(['sh', '-c', 'command -v containerd && command -v ctr'], false)).code, 0);
	// Docker's rpm key, as download.docker.com serves it for its RPM repositories.
	const key = await sh(['sh', '-c', 'curl -fsSL https://download.docker.com/linux/centos/gpg | gpg --batch --show-keys --with-colons'], false);
	t.regex(key.stdout, /^fpr:::::::::060A61C51B558A7F742B77AAC52FEB6B621E9F35:$/m);
});
