// containerd with the systemd cgroup driver kubelet expects and the CRI plugin enabled (some packages
// disable it). On Debian and Ubuntu it comes from the distribution (`containerd`). RHEL 9 and its rebuilds
// (Rocky, Alma) ship no containerd package, so on dnf hosts it is Docker's `containerd.io` from Docker's
// repository (as the container-runtimes page of the Kubernetes docs points to), whose key is checked against
// the pinned fingerprint before the repository is trusted — unless the host already has Docker's repository.
import { probe, read, run, write } from '../exec.js';
import type { Facts, RunContext, Step, StepHost } from '../types.js';
import { DOCKER_RPM_KEY } from '../signing-key.js';
import { verifiedKey } from './kube-packages.js';

export const CONTAINERD_CONFIG = '/etc/containerd/config.toml';
/** Docker's repository for containerd.io, written by kubestrap (its own name, so a host's own docker-ce.repo is never touched). */
export const DOCKER_REPO = '/etc/yum.repos.d/kubestrap-docker-ce.repo';
export const DOCKER_KEY = '/etc/pki/rpm-gpg/RPM-GPG-KEY-kubestrap-docker-ce';

/** Docker's RPM repositories are per family: rhel for RHEL, fedora for Fedora, centos for CentOS and its rebuilds (Rocky, Alma). */
export function dockerFamily(facts: Pick<Facts, 'osId'> | undefined): 'rhel' | 'fedora' | 'centos' {
	return facts?.osId === 'rhel' ? 'rhel' : facts?.osId === 'fedora' ? 'fedora' : 'centos';
}

export function dockerRepoFile(family: string): string {
	return [
		'[docker-ce-stable]',
		'name=Docker CE Stable - $basearch',
		`baseurl=https://download.docker.com/linux/${family}/$releasever/$basearch/stable`,
		'enabled=1',
		'gpgcheck=1',
		`gpgkey=file://${DOCKER_KEY}`,
		'',
	].join('\n');
}

/** Lists the repo files that already configure one of Docker's repositories. */
export function dockerRepoGrep(): string[] {
	return ['grep', '-lrs', '--include=*.repo', '-e', '^[[:space:]]*baseurl[[:space:]]*=.*download\\.docker\\.com/linux/', '/etc/yum.repos.d'];
}

/** Docker's repository (unless one is configured already), then containerd.io from it. */
async function installContainerdRpm(ctx: RunContext, host: StepHost): Promise<void> {
	const configured = await probe(ctx, 'containerd', host, dockerRepoGrep());
	if (configured.stdout.trim() === '') {
		const family = dockerFamily(host.facts);
		const key = await verifiedKey(ctx, 'containerd', host, `https://download.docker.com/linux/${family}/gpg`, DOCKER_RPM_KEY);
		await run(ctx, 'containerd', host, ['mkdir', '-p', '-m', '755', '/etc/pki/rpm-gpg'], { sudo: true });
		await write(ctx, 'containerd', host, DOCKER_KEY, key, 0o644);
		await write(ctx, 'containerd', host, DOCKER_REPO, dockerRepoFile(family), 0o644);
	}
	await run(ctx, 'containerd', host, ['dnf', 'install', '-y', 'containerd.io'], { sudo: true });
}

/** containerd's default config with SystemdCgroup on (1.x and 2.x layouts) and cri not disabled. */
export function containerdConfig(defaults: string): string {
	return defaults
		.replace(/SystemdCgroup\s*=\s*false/g, 'SystemdCgroup = true')
		.replace(/^(\s*disabled_plugins\s*=\s*\[)([^\]]*)\]/m, (_, start: string, list: string) => `${start}${list.split(',').filter((item) => !/["']cri["']/.test(item)).join(',')}]`);
}

export const containerRuntimeStep: Step = {
	id: 'containerd',
	title: 'Container runtime (containerd, systemd cgroups)',
	parallel: true,
	targets: (ctx) => ctx.hosts,
	async shouldRun(ctx, host) {
		const active = await probe(ctx, 'containerd', host, ['systemctl', 'is-active', '--quiet', 'containerd']);
		const systemd = await probe(ctx, 'containerd', host, ['grep', '-q', 'SystemdCgroup = true', CONTAINERD_CONFIG], { sudo: true });
		return active.code !== 0 || systemd.code !== 0;
	},
	async run(ctx, host) {
		if (host.facts?.packageManager === 'dnf') {
			await installContainerdRpm(ctx, host);
		} else {
			await run(ctx, 'containerd', host, ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'update', '-q'], { sudo: true });
			await run(ctx, 'containerd', host, ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-q', 'containerd'], { sudo: true });
		}
		const defaults = ctx.dryRun ? '' : await read(ctx, 'containerd', host, ['containerd', 'config', 'default']);
		await run(ctx, 'containerd', host, ['mkdir', '-p', '/etc/containerd'], { sudo: true });
		await write(ctx, 'containerd', host, CONTAINERD_CONFIG, containerdConfig(defaults), 0o644);
		await run(ctx, 'containerd', host, ['systemctl', 'enable', 'containerd'], { sudo: true });
		await run(ctx, 'containerd', host, ['systemctl', 'restart', 'containerd'], { sudo: true });
	},
};
