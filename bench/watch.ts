// The cost of following a cluster live: `kubestrap status --watch --interval 1s` in a real terminal
// (tmux) on a cluster with 60 extra pods, over the first control plane's SSH connection.
// - CPU: utime+stime of the kubestrap process over 30 s, as a share of one core (target < 5%).
// - Latency: a pod's readiness is flipped on the host (the simulated cluster records the moment) and
//   the screen is read every 50 ms until the row shows it (target ≤ 2 s).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHosts } from '../test/_helpers/sshd-hosts.js';
import { shellLine, TmuxSession } from '../test/_helpers/tmux.js';
import { writeConfig } from '../test/e2e/_install.js';
import { installRun, median } from './measure.js';

export interface WatchBench {
	pods: number;
	windowMs: number;
	cpuShare: number;
	latenciesMs: number[];
}

const TICKS_PER_SECOND = 100;

function cpuTicks(pid: number): number {
	// /proc/<pid>/stat: fields after the command name; utime and stime are the 14th and 15th fields.
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return Number(fields[11]) + Number(fields[12]);
}

function findProcess(marker: string): number | undefined {
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
			if (cmdline.some((arg) => arg.endsWith('bin/kubestrap.js')) && cmdline.includes('status') && cmdline.includes(marker)) return Number(entry);
		} catch {
			// the process ended while /proc was read
		}
	}
	return undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForScreen(session: TmuxSession, pattern: RegExp, timeoutMs: number): Promise<number> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (pattern.test(await session.capture())) return Date.now();
		await sleep(50);
	}
	throw new Error(`screen never showed ${pattern}`);
}

export async function benchWatch(root: string, windowMs = 30_000, extraPods = 60): Promise<WatchBench> {
	const hosts = await startHosts(2);
	try {
		await hosts.setClusterScenario({ extraPods });
		const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
		const install = installRun(root, dir, config);
		if (install.exitCode !== 0) throw new Error(`install failed: ${install.stderr}`);
		const list = await hosts.simKubectl(['get', 'pods', '-n', 'kube-system', '-o', 'json']);
		const pod = (JSON.parse(list.stdout) as { items: Array<{ metadata: { name: string } }> }).items.map((p) => p.metadata.name).find((name) => name.startsWith('coredns-'));
		if (!pod) throw new Error('no CoreDNS pod to flip');
		const session = await TmuxSession.start({
			command: `SSH_AUTH_SOCK= ${shellLine([process.execPath, join(root, 'bin/kubestrap.js'), 'status', '--config', config, '--watch', '--interval', '1s'])}`,
			cwd: dir,
			env: { NO_COLOR: '1' },
			width: 120,
			height: 60,
		});
		try {
			await waitForScreen(session, /Cluster e2e: healthy/, 60_000);
			const pid = findProcess(config);
			if (pid === undefined) throw new Error('status --watch process not found');
			const latencies: number[] = [];
			const start = Date.now();
			const before = cpuTicks(pid);
			let ready = true;
			while (Date.now() - start < windowMs) {
				await sleep(1500 + Math.random() * 1000);
				const flippedAt = await hosts.flipPod(pod);
				ready = !ready;
				const seenAt = await waitForScreen(session, new RegExp(`${pod}\\s+${ready ? '1/1' : '0/1'}\\s`), 15_000);
				latencies.push(seenAt - flippedAt);
			}
			const elapsed = Date.now() - start;
			const ticks = cpuTicks(pid) - before;
			return { pods: extraPods, windowMs: elapsed, cpuShare: ticks / TICKS_PER_SECOND / (elapsed / 1000), latenciesMs: latencies };
		} finally {
			await session.kill();
		}
	} finally {
		await hosts.stop();
	}
}

export function describeWatch(result: WatchBench): { lines: string[]; met: boolean } {
	const worst = Math.max(...result.latenciesMs);
	const cpuMet = result.cpuShare < 0.05;
	const latencyMet = worst <= 2000;
	return {
		met: cpuMet && latencyMet,
		lines: [
			`  kubestrap cpu while following ${result.pods} extra pods (+ system pods) for ${(result.windowMs / 1000).toFixed(0)} s: ${(result.cpuShare * 100).toFixed(2)}% of one core  target < 5%: ${cpuMet ? 'met' : 'MISSED'}`,
			`  pod change on the host → screen: median ${median(result.latenciesMs).toFixed(0)} ms, worst ${worst.toFixed(0)} ms over ${result.latenciesMs.length} flips  target ≤ 2000 ms: ${latencyMet ? 'met' : 'MISSED'}`,
		],
	};
}
