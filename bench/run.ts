// `npm run bench`: prints each benchmark's medians and ratios, and whether each target is met.
import { fileURLToPath } from 'node:url';
import { benchExecutable } from './executable.js';
import { benchPipeline } from './pipeline.js';
import { benchStartup } from './startup.js';
import { benchWatch, describeWatch } from './watch.js';
import { benchScaleWatch, describeScaleWatch } from './scale-watch.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const rounds = Number(process.env.BENCH_ROUNDS ?? 21);
// BENCH_ONLY=startup,executable,pipeline,watch,scale,check,upgrade runs just those sections (default: all).
const only = new Set((process.env.BENCH_ONLY ?? 'startup,executable,pipeline,watch,scale,check,upgrade').split(','));

let missed = 0;
if (only.has('startup')) console.log(`startup (${rounds} interleaved rounds, median wall time)`);
for (const row of only.has('startup') ? benchStartup(root, rounds).rows : []) {
	const verdict = row.target === undefined ? '' : row.ratio <= row.target ? `  target ≤ ${row.target}×: met` : `  target ≤ ${row.target}×: MISSED`;
	if (row.target !== undefined && row.ratio > row.target) missed++;
	console.log(`  ${row.name.padEnd(40)} ${row.medianMs.toFixed(1).padStart(7)} ms  ${row.ratio.toFixed(2)}×${verdict}`);
}

if (only.has('executable')) {
	console.log(`\nsingle executable (linux-x64) against the npm CLI (${rounds} interleaved rounds, median wall time, ratio to this machine's node -e 0)`);
	for (const row of await benchExecutable(root, rounds)) console.log(`  ${row.name.padEnd(40)} ${row.medianMs.toFixed(1).padStart(7)} ms  ${row.ratio.toFixed(2)}×`);
}

const pipelineRounds = Number(process.env.BENCH_PIPELINE_ROUNDS ?? 3);
if (only.has('pipeline')) console.log(`\ninstall pipeline with instant simulated node programs (${pipelineRounds} rounds, fresh sshd hosts each, median wall time)`);
const pipeline = only.has('pipeline') ? await benchPipeline(root, pipelineRounds) : [];
for (const row of pipeline) console.log(`  1+${String(row.hosts - 1).padEnd(2)} hosts  wall ${row.medianMs.toFixed(0).padStart(6)} ms  kubestrap cpu ${row.cpuMs.toFixed(0).padStart(5)} ms  ssh connections per host per run: ${row.connectionsPerHost.toFixed(2)}`);
const small = pipeline[0];
const large = pipeline[1];
if (small && large) {
	const ratio = large.medianMs / small.medianMs;
	const met = ratio <= 2 && pipeline.every((row) => row.connectionsPerHost === 1);
	if (!met) missed++;
	console.log(`  ratio 1+19 / 1+3: wall ${ratio.toFixed(2)}×, kubestrap cpu ${(large.cpuMs / Math.max(1, small.cpuMs)).toFixed(2)}×  target ≤ 2× and 1 connection per host: ${met ? 'met' : 'MISSED'}`);
	console.log('  (the simulated hosts\' sshd, shells and node programs share this machine\'s cores with kubestrap, so wall time grows with host count here; on real hosts that work runs on each host)');
}

if (only.has('watch')) {
	console.log('\nfollowing a cluster live: status --watch --interval 1s in tmux, over SSH');
	const watch = describeWatch(await benchWatch(root, Number(process.env.BENCH_WATCH_MS ?? 30_000)));
	for (const line of watch.lines) console.log(line);
	if (!watch.met) missed++;
}

if (only.has('scale')) {
	console.log('\nstatus --watch -o json at scale: 1,000 nodes and 30,000 pods (a stand-in kubectl and a stand-in API server), the old --poll route and both watch routes');
	const scale = describeScaleWatch(await benchScaleWatch(root, Number(process.env.BENCH_SCALE_MS ?? 15_000)));
	for (const line of scale.lines) console.log(line);
	if (!scale.met) missed++;
}
const checkRounds = Number(process.env.BENCH_CHECK_ROUNDS ?? 5);
if (only.has('check')) {
	console.log(`\nnetwork check on 1+3 simulated hosts (${checkRounds} runs of kubestrap check -o json, median)`);
	const { benchCheck } = await import('./check.js');
	const checked = await benchCheck(root, checkRounds);
	console.log(`  wall ${(checked.wallMs / 1000).toFixed(1)} s (check itself ${(checked.reportedMs / 1000).toFixed(1)} s), ${checked.paths} paths, ${checked.kubectlCalls.toFixed(0)} kubectl calls per check`);
	const checkMet = checked.wallMs <= 60_000;
	if (!checkMet) missed++;
	console.log(`  target about a minute (≤ 60 s): ${checkMet ? 'met' : 'MISSED'} (simulated pods start about 1 s after creation; real image pulls add to this)`);
}

const upgradeRounds = Number(process.env.BENCH_UPGRADE_ROUNDS ?? 1);
if (only.has('upgrade')) {
	console.log(`\nkubestrap upgrade 1.35 → 1.36 on simulated hosts installed at 1.35 (${upgradeRounds} round${upgradeRounds === 1 ? '' : 's'}, median; the simulated cluster's waits sped up 1000×)`);
	const { benchUpgrade } = await import('./upgrade.js');
	const rows = await benchUpgrade(root, upgradeRounds);
	for (const row of rows) console.log(`  1+${String(row.hosts - 1).padEnd(2)} hosts  wall ${(row.wallMs / 1000).toFixed(1).padStart(5)} s (${(row.wallMs / row.hosts / 1000).toFixed(2)} s per node)  kubestrap cpu ${row.cpuMs.toFixed(0).padStart(5)} ms (${row.cpuPerNodeMs.toFixed(0)} ms per node)`);
	const [small, large] = rows;
	if (small && large) console.log(`  ratio 1+19 / 1+3: wall ${(large.wallMs / small.wallMs).toFixed(2)}×, kubestrap cpu per node ${(large.cpuPerNodeMs / Math.max(1, small.cpuPerNodeMs)).toFixed(2)}× (nodes are upgraded one at a time: wall grows with the node count by design)`);
}
process.exitCode = missed === 0 ? 0 : 1;
