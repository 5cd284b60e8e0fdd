// `status --watch` on a cluster of 1,000 nodes and 30,000 pods, the polling route and the watch route
// side by side in one run. The cluster is served by a stand-in kubectl (bench/scale/kubectl.mjs) from
// files: objects made by the test simulator's model (nodes, kube-system) plus 30,000 pause pods, so
// serving costs next to nothing and the figures are kubestrap's: bytes it read per second once
// settled (/proc/<pid>/io rchar: everything its kubectl children handed it), its CPU, the time to the
// first frame, and — on the watch route, where one kube-system pod flips readiness every second —
// the time from the flip to the JSON document on stdout that shows it.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './measure.js';
import { startApi } from './scale/api.js';

export interface ScaleRun {
	/** poll: the old full re-read; watch: list then watch with a local kubectl --raw; api: list then watch with @kubernetes/client-node */
	route: 'poll' | 'watch' | 'api';
	/** NaN when no frame came within the wait (then `failure` says why) */
	firstFrameMs: number;
	/** the first frame drawn once every first list completed (earlier frames show the pages read so far) */
	completeFrameMs: number;
	failure?: string;
	bytesPerSecond: number;
	cpuShare: number;
	latenciesMs: number[];
}

export interface ScaleBench {
	nodes: number;
	pods: number;
	fullListBytes: number;
	runs: ScaleRun[];
}

type Obj = Record<string, any>;

function cpuTicks(pid: number): number {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return Number(fields[11]) + Number(fields[12]);
}

function bytesRead(pid: number): number {
	return Number(/^rchar: (\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
}

/** A usable kubeconfig (the status command refuses one without a context or credentials). */
export function benchKubeconfig(server: string, ca?: Buffer): string {
	return ['apiVersion: v1', 'kind: Config', 'clusters:', '- name: scale', '  cluster:', `    server: ${server}`, ...(ca ? [`    certificate-authority-data: ${ca.toString('base64')}`] : []), 'users:', '- name: scale', '  user:', '    token: bench-token', 'contexts:', '- name: scale', '  context:', '    cluster: scale', '    user: scale', 'current-context: scale', ''].join('\n');
}

export async function writeCluster(root: string, data: string, nodeCount: number, extraPods: number): Promise<number> {
	const dir = join(data, 'sim-cluster');
	mkdirSync(join(dir, 'nodes'), { recursive: true });
	mkdirSync(join(dir, 'node-info'), { recursive: true });
	const initAt = Date.now() - 3_600_000;
	writeFileSync(join(dir, 'info.json'), JSON.stringify({ version: 'v1.35.1', initAt, kubeProxy: true, coreDNS: true, podSubnet: '10.0.0.0/8', serviceSubnet: '10.96.0.0/12' }));
	for (let i = 0; i < nodeCount; i++) {
		const name = `node-${String(i).padStart(4, '0')}`;
		writeFileSync(join(dir, 'nodes', name), i < 3 ? 'control-plane\n' : 'worker\n');
		writeFileSync(join(dir, 'node-info', `${name}.json`), JSON.stringify({ joinedAt: initAt + 1000, address: `10.1.${i >> 8}.${i & 255}` }));
	}
	writeFileSync(join(dir, 'cni-ready'), '');
	utimesSync(join(dir, 'cni-ready'), new Date(initAt + 2000), new Date(initAt + 2000));
	const modelPath = join(root, 'test/_helpers/sim/node/model.mjs');
	const model = (await import(modelPath)) as Obj;
	const m = model['clusterAt'](model['readCluster'](dir), Date.now());
	const strip = ({ kind: _k, apiVersion: _a, ...rest }: Obj): Obj => rest;
	const nodes: Obj[] = m.nodes.map((n: Obj) => model['nodeObject'](n, m.ctx));
	const pods: Obj[] = m.pods.map((p: Obj) => model['podObject'](p, m.ctx));
	const daemonSets: Obj[] = m.workloads.filter((w: Obj) => w['kind'] === 'DaemonSet').map((w: Obj) => model['daemonSetObject'](w, m.pods, m.ctx));
	const deployments: Obj[] = m.workloads.filter((w: Obj) => w['kind'] === 'Deployment').map((w: Obj) => model['deploymentObject'](w, m.pods, m.ctx));
	const template = pods.find((p) => String(p['metadata']['name']).startsWith('kube-proxy-')) as Obj;
	const extra: Obj[] = [];
	for (let i = 0; i < extraPods; i++) {
		const pod = structuredClone(template);
		pod['metadata'] = { ...pod['metadata'], name: `pause-${i}`, namespace: 'default', uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, labels: { app: 'pause' } };
		pod['spec'] = { ...pod['spec'], nodeName: nodes[i % nodes.length]?.['metadata']['name'] };
		extra.push(pod);
	}
	const collections = {
		'/api/v1/namespaces': ['default', 'kube-node-lease', 'kube-public', 'kube-system'].map((name) => ({ metadata: { name } })),
		'/api/v1/nodes': nodes.map(strip),
		'/api/v1/namespaces/kube-system/pods': pods.map(strip),
		'/apis/apps/v1/namespaces/kube-system/daemonsets': daemonSets.map(strip),
		'/apis/apps/v1/namespaces/kube-system/deployments': deployments.map(strip),
	};
	for (const [path, items] of Object.entries(collections)) writeFileSync(join(data, `${path.replaceAll('/', '_')}.json`), JSON.stringify(items));
	// kubectl -o json prints the List with four-space indentation.
	const full = join(data, 'full-list.json');
	writeFileSync(full, JSON.stringify({ apiVersion: 'v1', items: [...nodes, ...pods, ...extra, ...daemonSets, ...deployments], kind: 'List', metadata: { resourceVersion: '' } }, null, 4));
	return statSync(full).size;
}

async function measure(root: string, data: string, bin: string, route: 'poll' | 'watch' | 'api', windowMs: number): Promise<ScaleRun> {
	const kubeconfig = join(data, route === 'api' ? 'kubeconfig-api' : 'kubeconfig');
	const args = [join(root, 'bin/kubestrap.js'), 'status', '--kubeconfig', kubeconfig, '--watch', '-o', 'json', ...(route === 'poll' ? ['--poll', '--interval', '1s'] : [])];
	rmSync(join(data, 'flips.log'), { force: true });
	const started = Date.now();
	const child = spawn(process.execPath, args, { cwd: data, env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}`, KUBESTRAP_BENCH_DATA: data, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
	const docs: Array<{ at: number; ready: boolean | undefined }> = [];
	let partial = '';
	let stderr = '';
	let firstFrame: number | undefined;
	let completeFrame: number | undefined;
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	child.stdout.on('data', (chunk: Buffer) => {
		const lines = (partial + chunk.toString()).split('\n');
		partial = lines.pop() ?? '';
		for (const line of lines) {
			// Only status documents count: the closing error document of an interrupted -o json run is printed indented.
			if (!line.startsWith('{"apiVersion"')) continue;
			const at = Date.now();
			firstFrame ??= at;
			const doc = JSON.parse(line) as { pods: Array<{ name: string; ready: boolean }>; listing?: unknown };
			if (doc.listing === undefined) completeFrame ??= at;
			docs.push({ at, ready: doc.pods.find((p) => p.name.startsWith('coredns-'))?.ready });
		}
	});
	const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
	const deadline = Date.now() + 60_000;
	while (firstFrame === undefined && Date.now() < deadline && child.exitCode === null) await sleep(20);
	if (child.exitCode !== null) throw new Error(`${route}: status exited ${child.exitCode}: ${stderr}`);
	// Settle: the watch route's first list is done; the polling route is in its cycle.
	await sleep(5000);
	const pid = child.pid as number;
	const cpu0 = cpuTicks(pid);
	const read0 = bytesRead(pid);
	const t0 = Date.now();
	await sleep(windowMs);
	const elapsed = Date.now() - t0;
	const cpu = cpuTicks(pid) - cpu0;
	const read = bytesRead(pid) - read0;
	child.kill('SIGINT');
	await new Promise((resolve) => child.once('close', resolve));
	const latencies: number[] = [];
	const flips = route !== 'poll' ? readFileSync(join(data, 'flips.log'), 'utf8').trim().split('\n').map((l) => l.split(' ')) : [];
	for (const [at, ready] of flips) {
		const flippedAt = Number(at);
		if (flippedAt < t0) continue;
		const seen = docs.find((d) => d.at >= flippedAt && d.ready === (ready === 'true'));
		if (seen) latencies.push(seen.at - flippedAt);
	}
	const failure = firstFrame === undefined ? stderr.trim().split('\n').find((l) => l.includes('exited') || l.includes('failed')) ?? 'no frame' : undefined;
	return { route, firstFrameMs: firstFrame === undefined ? Number.NaN : firstFrame - started, completeFrameMs: completeFrame === undefined ? Number.NaN : completeFrame - started, ...(failure ? { failure } : {}), bytesPerSecond: read / (elapsed / 1000), cpuShare: cpu / 100 / (elapsed / 1000), latenciesMs: latencies };
}

export async function benchScaleWatch(root: string, windowMs = 20_000, nodes = 1000, pods = 30_000): Promise<ScaleBench> {
	const data = mkdtempSync(join(tmpdir(), 'kubestrap-scale-'));
	try {
		const bin = join(data, 'bin');
		mkdirSync(bin);
		writeFileSync(join(bin, 'kubectl'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(root, 'bench/scale/kubectl.mjs'))} "$@"\n`);
		chmodSync(join(bin, 'kubectl'), 0o755);
		writeFileSync(join(data, 'kubeconfig'), benchKubeconfig('https://127.0.0.1:1'), { mode: 0o600 });
		const fullListBytes = await writeCluster(root, data, nodes, pods);
		const api = await startApi(data);
		const runs: ScaleRun[] = [];
		try {
			writeFileSync(join(data, 'kubeconfig-api'), benchKubeconfig(api.server, api.ca), { mode: 0o600 });
			runs.push(await measure(root, data, bin, 'poll', windowMs), await measure(root, data, bin, 'watch', windowMs), await measure(root, data, bin, 'api', windowMs));
		} finally {
			await api.close();
		}
		return { nodes, pods, fullListBytes, runs };
	} finally {
		rmSync(data, { recursive: true, force: true });
	}
}

export function describeScaleWatch(result: ScaleBench): { lines: string[]; met: boolean } {
	const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`;
	const lines = [`  cluster: ${result.nodes} nodes, ${result.pods} pods besides kube-system; one full list (kubectl get nodes,pods,daemonsets,deployments -A -o json) is ${mb(result.fullListBytes)}`];
	let met = true;
	for (const run of result.runs) {
		const share = run.bytesPerSecond / result.fullListBytes;
		const label = { poll: 'old: --poll every 1s, local kubectl      ', watch: 'new: list then watch, local kubectl --raw', api: 'new: list then watch, client-node (API) ' }[run.route];
		lines.push(`  ${label}  first frame ${Number.isNaN(run.firstFrameMs) ? `none within 60 s (${run.failure ?? ''})` : `${(run.firstFrameMs / 1000).toFixed(2)} s`}${run.route !== 'poll' ? ` (complete ${(run.completeFrameMs / 1000).toFixed(2)} s)` : ''}  read ${mb(run.bytesPerSecond)}/s (${(share * 100).toFixed(3)}% of a full list)  cpu ${(run.cpuShare * 100).toFixed(1)}% of a core${run.route !== 'poll' ? `  change → output: median ${median(run.latenciesMs).toFixed(0)} ms, worst ${Math.max(...run.latenciesMs).toFixed(0)} ms over ${run.latenciesMs.length} flips` : ''}`);
		if (run.route !== 'poll') {
			const checks = [
				['transfer < 1% of a full list per second', share < 0.01],
				['cpu < 5% of a core', run.cpuShare < 0.05],
				['first frame < 3 s', run.firstFrameMs < 3000],
				['change on output < 2 s', run.latenciesMs.length > 0 && Math.max(...run.latenciesMs) < 2000],
			] as const;
			lines.push(`  targets (${run.route === 'api' ? 'client-node' : 'kubectl --raw'} route): ${checks.map(([name, ok]) => `${name}: ${ok ? 'met' : 'MISSED'}`).join('; ')}`);
			met &&= checks.every(([, ok]) => ok);
		}
	}
	return { lines, met };
}
