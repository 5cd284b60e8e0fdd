// The network check's duration on 1+3 simulated hosts: a cluster installed once (without the check),
// then `kubestrap check --config … -o json` several times. The simulated pods follow the simulator's
// default timeline (a pod starts about 1 s after it is created), so the figure is kubestrap's own
// cost (SSH, kubectl calls, polling) plus two pod start-ups: echo pods, then client pods.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startHosts } from '../test/_helpers/sshd-hosts.js';
import { writeConfig } from '../test/e2e/_install.js';
import { median } from './measure.js';

export interface CheckBench {
	rounds: number;
	wallMs: number;
	/** the report's own durationMs (setup to results, without SSH connect and cleanup) */
	reportedMs: number;
	paths: number;
	kubectlCalls: number;
}

export async function benchCheck(root: string, rounds = 5): Promise<CheckBench> {
	const hosts = await startHosts(4);
	try {
		const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
		const cli = (args: string[]): ReturnType<typeof spawnSync> => spawnSync(process.execPath, [join(root, 'bin/kubestrap.js'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, SSH_AUTH_SOCK: '', NO_COLOR: '1' } });
		const install = cli(['install', '--config', config, '--yes', '--skip-check']);
		if (install.status !== 0) throw new Error(`install failed: ${String(install.stderr)}`);
		const walls: number[] = [];
		const reported: number[] = [];
		let paths = 0;
		const before = (await hosts.readCalls(0)).filter((c) => c.prog === 'kubectl').length;
		for (let round = 0; round < rounds; round++) {
			const start = process.hrtime.bigint();
			const run = cli(['check', '--config', config, '-o', 'json']);
			walls.push(Number(process.hrtime.bigint() - start) / 1e6);
			if (run.status !== 0) throw new Error(`check failed: ${String(run.stderr)}`);
			const report = JSON.parse(String(run.stdout)) as { durationMs: number; paths: unknown[] };
			reported.push(report.durationMs);
			paths = report.paths.length;
		}
		const after = (await hosts.readCalls(0)).filter((c) => c.prog === 'kubectl').length;
		return { rounds, wallMs: median(walls), reportedMs: median(reported), paths, kubectlCalls: (after - before) / rounds };
	} finally {
		await hosts.stop();
	}
}
