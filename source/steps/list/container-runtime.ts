// containerd from the distribution, with the systemd cgroup driver kubelet expects and the CRI
// plugin enabled (some packages disable it).
import { probe, read, run, write } from '../exec.js';
import type { Step } from '../types.js';

export const CONTAINERD_CONFIG = '/etc/containerd/config.toml';

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
			await run(ctx, 'containerd', host, ['dnf', 'install', '-y', 'containerd'], { sudo: true });
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
