// The install pipeline's own overhead: `kubestrap install` against 1+3 and 1+19 sshd test hosts whose
// node programs are instant simulations, so what is measured is kubestrap (SSH, steps, journal).
// Target (issue 4): 1+19 takes at most 2x the time of 1+3; one SSH connection per host per run.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHosts } from '../test/_helpers/sshd-hosts.js';
import { writeConfig } from '../test/e2e/_install.js';
import { installRun, median } from './measure.js';

export interface PipelineRow {
	hosts: number;
	medianMs: number;
	connectionsPerHost: number;
	/** CPU time of the kubestrap process itself (the rest of the wall time is the simulated hosts) */
	cpuMs: number;
}

function installOnce(root: string, dir: string, config: string): { ms: number; connections: number[]; cpuMs: number } {
	const start = process.hrtime.bigint();
	const result = installRun(root, dir, config);
	const ms = Number(process.hrtime.bigint() - start) / 1e6;
	if (result.exitCode !== 0) throw new Error(`install failed: ${result.stderr}`);
	const logs = join(dir, '.kubestrap/e2e/logs');
	const newest = readdirSync(logs).sort().pop() ?? '';
	const connections = [...readFileSync(join(logs, newest), 'utf8').matchAll(/ssh connections opened: (\d+)/g)].map((m) => Number(m[1]));
	const cpuMs = Number(/kubestrap cpu time: (\d+) ms/.exec(readFileSync(join(logs, newest), 'utf8'))?.[1] ?? 0);
	return { ms, connections, cpuMs };
}

export async function benchPipeline(root: string, rounds = 3): Promise<PipelineRow[]> {
	const rows: PipelineRow[] = [];
	const sizes = [4, 20];
	const times = new Map<number, number[]>(sizes.map((n) => [n, []]));
	const connections = new Map<number, number[]>(sizes.map((n) => [n, []]));
	const cpu = new Map<number, number[]>(sizes.map((n) => [n, []]));
	// Fresh hosts every round (a second install on the same hosts would skip everything), sizes interleaved.
	for (let round = 0; round < rounds; round++) {
		for (const size of sizes) {
			const hosts = await startHosts(size);
			try {
				const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
				const run = installOnce(root, dir, config);
				times.get(size)?.push(run.ms);
				connections.get(size)?.push(...run.connections);
				cpu.get(size)?.push(run.cpuMs);
			} finally {
				await hosts.stop();
			}
		}
	}
	for (const size of sizes) {
		const opened = connections.get(size) ?? [];
		rows.push({ hosts: size, medianMs: median(times.get(size) ?? []), cpuMs: median(cpu.get(size) ?? []), connectionsPerHost: opened.length === 0 ? 0 : opened.reduce((a, b) => a + b, 0) / opened.length });
	}
	return rows;
}
