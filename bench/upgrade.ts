// The upgrade's own overhead: `kubestrap upgrade` 1.35 → 1.36 of 1+3 and 1+19 sshd test hosts installed
// at 1.35 by kubestrap. The simulated cluster's own waits (pods starting, nodes turning Ready) are sped up
// 1000× through the cluster scenario, so the wall time left is kubestrap's (SSH, steps, journal, polls)
// plus the simulated node programs; kubestrap's own CPU comes from its run log.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { $ } from 'zx';
import { startHosts } from '../test/_helpers/sshd-hosts.js';
import { writeConfig } from '../test/e2e/_install.js';
import { installRun, median } from './measure.js';

export interface UpgradeRow {
	hosts: number;
	wallMs: number;
	cpuMs: number;
	cpuPerNodeMs: number;
}

function setVersion(config: string, version: string): void {
	const doc = parse(readFileSync(config, 'utf8')) as { spec: { kubernetes: { version: string } } };
	doc.spec.kubernetes.version = version;
	writeFileSync(config, stringify(doc));
}

function upgradeOnce(root: string, dir: string, config: string): { ms: number; cpuMs: number } {
	const start = process.hrtime.bigint();
	const result = $({ cwd: dir, quiet: true, nothrow: true, sync: true, env: { ...process.env, SSH_AUTH_SOCK: '', NO_COLOR: '1' } })`${process.execPath} ${join(root, 'bin/kubestrap.js')} upgrade --config ${config} --yes`;
	const ms = Number(process.hrtime.bigint() - start) / 1e6;
	if (result.exitCode !== 0) throw new Error(`upgrade failed: ${result.stderr}`);
	const logs = join(dir, '.kubestrap/e2e/logs');
	const newest = readdirSync(logs).filter((name) => name.endsWith('-upgrade.log')).sort().pop() ?? '';
	const cpuMs = Number(/kubestrap cpu time: (\d+) ms/.exec(readFileSync(join(logs, newest), 'utf8'))?.[1] ?? 0);
	return { ms, cpuMs };
}

export async function benchUpgrade(root: string, rounds = 1): Promise<UpgradeRow[]> {
	const sizes = [4, 20];
	const wall = new Map<number, number[]>(sizes.map((n) => [n, []]));
	const cpu = new Map<number, number[]>(sizes.map((n) => [n, []]));
	for (let round = 0; round < rounds; round++) {
		for (const size of sizes) {
			const hosts = await startHosts(size);
			try {
				const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
				const installed = installRun(root, dir, config);
				if (installed.exitCode !== 0) throw new Error(`install failed: ${installed.stderr}`);
				await hosts.setClusterScenario({ speed: 1000 });
				setVersion(config, '1.36');
				const run = upgradeOnce(root, dir, config);
				wall.get(size)?.push(run.ms);
				cpu.get(size)?.push(run.cpuMs);
			} finally {
				await hosts.stop();
			}
		}
	}
	return sizes.map((size) => {
		const cpuMs = median(cpu.get(size) ?? []);
		return { hosts: size, wallMs: median(wall.get(size) ?? []), cpuMs, cpuPerNodeMs: cpuMs / size };
	});
}
