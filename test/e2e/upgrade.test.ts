// kubestrap upgrade on real sshd hosts with the simulated node programs (which play kubeadm upgrade, the
// per-minor package repository, kubelet restarts and drains with PodDisruptionBudgets): a 1.35 cluster
// installed by kubestrap is upgraded to 1.36, every node Ready at the new version, and the ORDER is proved
// from the hosts' call logs; a re-run touches nothing; a blocked drain stops, says why, and resumes.
import { readFileSync, writeFileSync } from 'node:fs';
import test, { type ExecutionContext } from 'ava';
import { parse, stringify } from 'yaml';
import { startHosts, type SimCall, type TestHosts } from '../_helpers/sshd-hosts.js';
import { renderManifests } from '../../source/cluster/render.js';
import { bootCluster } from '../sim/_cluster.js';
import { join } from 'node:path';
import { TmuxSession } from '../_helpers/tmux.js';
import { ROOT, runCli, writeConfig, type Roles } from './_install.js';

interface Call extends SimCall {
	host: number;
	line: string;
}

interface NodeItem {
	metadata: { name: string; labels: Record<string, string> };
	spec: { unschedulable?: boolean };
	status: { nodeInfo: { kubeletVersion: string }; conditions: { type: string; status: string }[] };
}

async function allCalls(hosts: TestHosts): Promise<Call[]> {
	const lists = await Promise.all(hosts.hosts.map(async (_, host) => (await hosts.readCalls(host)).map((c) => ({ ...c, host, line: [c.prog, ...c.argv].join(' ') }))));
	return lists.flat().sort((a, b) => a.t - b.t);
}

function setVersion(config: string, version: string, cni?: 'cilium' | 'calico'): void {
	const doc = parse(readFileSync(config, 'utf8')) as { spec: { kubernetes: { version: string }; network: { cni: string } } };
	doc.spec.kubernetes.version = version;
	if (cni) doc.spec.network.cni = cni;
	writeFileSync(config, stringify(doc));
}

async function nodes(hosts: TestHosts): Promise<NodeItem[]> {
	const result = await hosts.simKubectl(['get', 'nodes', '-o', 'json']);
	return (JSON.parse(result.stdout) as { items: NodeItem[] }).items;
}

async function serverVersion(hosts: TestHosts): Promise<string> {
	const result = await hosts.simKubectl(['version']);
	return /Server Version: (\S+)/.exec(result.stdout)?.[1] ?? '';
}

const ready = (n: NodeItem): boolean => n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');

/** Installs `1.35` on the hosts with kubestrap, then sets the spec to 1.36. */
async function installAt135(t: ExecutionContext, hosts: TestHosts, roles: Roles, cni: 'cilium' | 'calico'): Promise<{ dir: string; config: string }> {
	const { dir, config } = writeConfig(hosts, roles);
	setVersion(config, '1.35', cni);
	const installed = await runCli(['install', '--config', config, '--yes'], dir);
	t.is(installed.code, 0, installed.stderr);
	t.true((await nodes(hosts)).every((n) => n.status.nodeInfo.kubeletVersion === 'v1.35.8'), 'installed at the newest 1.35 patch');
	setVersion(config, '1.36');
	return { dir, config };
}

function nodeOfHost(hosts: TestHosts, index: number, list: NodeItem[]): string {
	const address = hosts.hosts[index]!.address;
	const found = list.find((n) => (n as unknown as { status: { addresses: { address: string }[] } }).status.addresses.some((a) => a.address === address));
	return found?.metadata.name ?? `node${index + 1}`;
}

/** The order kubeadm's upgrade page asks for, from the hosts' own call logs. */
function checkOrder(t: ExecutionContext, calls: Call[], hosts: TestHosts, controlPlanes: number, names: string[]): void {
	const first = (pred: (c: Call) => boolean): Call | undefined => calls.find(pred);
	const apply = first((c) => c.host === 0 && c.prog === 'kubeadm' && c.argv[0] === 'upgrade' && c.argv[1] === 'apply');
	t.truthy(apply, 'kubeadm upgrade apply ran on the first control plane');
	t.is(calls.filter((c) => c.prog === 'kubeadm' && c.argv[1] === 'apply').length, 1, 'apply ran once, nowhere else');
	const plan = first((c) => c.host === 0 && c.prog === 'kubeadm' && c.argv[1] === 'plan');
	t.true(plan !== undefined && plan.t <= apply!.t, 'plan before apply');
	const kubeadmPackage = first((c) => c.host === 0 && c.prog === 'apt-get' && c.argv.includes('install') && c.argv.some((a) => a.startsWith('kubeadm=1.36.')));
	t.true(kubeadmPackage !== undefined && kubeadmPackage.t <= plan!.t, 'the kubeadm package before plan');
	const nodeCalls = calls.filter((c) => c.prog === 'kubeadm' && c.argv[0] === 'upgrade' && c.argv[1] === 'node');
	t.is(nodeCalls.length, hosts.hosts.length - 1, 'kubeadm upgrade node on every other node');
	t.true(nodeCalls.every((c) => c.t > apply!.t && c.host !== 0), 'apply before any upgrade node');
	// The other control planes one at a time, before any kubelet changes.
	const cpNodes = nodeCalls.filter((c) => c.host > 0 && c.host < controlPlanes);
	t.is(cpNodes.length, controlPlanes - 1);
	const firstKubelet = first((c) => c.prog === 'apt-get' && c.argv.some((a) => a.startsWith('kubelet=1.36.')));
	t.true(cpNodes.every((c) => c.t < firstKubelet!.t), 'the other control planes are upgraded before any kubelet');
	// Each node: drained (on the first control plane), then its kubelet package, restart, then uncordoned.
	const windows: { host: number; from: number; to: number }[] = [];
	for (const [host, name] of names.entries()) {
		const drain = first((c) => c.host === 0 && c.prog === 'kubectl' && c.argv.includes('drain') && c.argv.includes(name));
		const kubelet = first((c) => c.host === host && c.prog === 'apt-get' && c.argv.some((a) => a.startsWith('kubelet=1.36.')));
		const restart = first((c) => c.host === host && c.prog === 'systemctl' && c.argv.includes('restart') && c.argv.includes('kubelet') && c.t > (kubelet?.t ?? 0));
		const uncordon = calls.filter((c) => c.host === 0 && c.prog === 'kubectl' && c.argv.includes('uncordon') && c.argv.includes(name)).at(-1);
		t.truthy(drain, `${name} drained`);
		t.truthy(kubelet, `${name}'s kubelet package changed`);
		t.true(drain!.t < kubelet!.t, `${name} drained before its kubelet package changed`);
		t.true(restart !== undefined && restart.t > kubelet!.t, `${name}'s kubelet restarted after the package`);
		t.true(uncordon !== undefined && uncordon.t > restart!.t, `${name} uncordoned after its kubelet restarted`);
		if (host >= controlPlanes) {
			const upgradeNode = nodeCalls.find((c) => c.host === host)!;
			t.true(drain!.t < upgradeNode.t && upgradeNode.t < kubelet!.t, `worker ${name}: drain, kubeadm upgrade node, kubelet`);
		}
		windows.push({ host, from: drain!.t, to: uncordon!.t });
	}
	// --max-unavailable 1: no two nodes drained at once (control planes one by one too).
	windows.sort((a, b) => a.from - b.from);
	for (let i = 1; i < windows.length; i++) t.true(windows[i]!.from > windows[i - 1]!.to, `host ${windows[i]!.host + 1} drained only after host ${windows[i - 1]!.host + 1} was back`);
	// Every kubeadm/kubelet/kubectl package change went through unhold … hold.
	for (const c of calls.filter((x) => x.prog === 'apt-get' && x.argv.includes('install') && x.argv.some((a) => /^kube(adm|let|ctl)=1\.36\./.test(a)))) {
		const unhold = calls.filter((x) => x.host === c.host && x.prog === 'apt-mark' && x.argv[0] === 'unhold' && x.t <= c.t).at(-1);
		t.truthy(unhold, `host ${c.host + 1}: apt-mark unhold before ${c.line}`);
	}
}

async function checkUpgraded(t: ExecutionContext, hosts: TestHosts): Promise<void> {
	t.is(await serverVersion(hosts), 'v1.36.4', 'the API server runs the newest 1.36 patch');
	for (const n of await nodes(hosts)) {
		t.is(n.status.nodeInfo.kubeletVersion, 'v1.36.4', `${n.metadata.name} kubelet`);
		t.true(ready(n), `${n.metadata.name} Ready`);
		t.not(n.spec.unschedulable, true, `${n.metadata.name} not cordoned`);
	}
}

const CHANGES = (c: Call): boolean => (c.prog === 'apt-get' && c.argv.includes('install')) || c.prog === 'apt-mark' && c.argv[0] !== 'showhold'
	|| (c.prog === 'kubeadm' && c.argv[0] === 'upgrade') || (c.prog === 'kubectl' && (c.argv.includes('drain') || c.argv.includes('cordon')))
	|| (c.prog === 'systemctl' && c.argv.includes('restart'));

async function upgradeAndCheck(t: ExecutionContext, cni: 'cilium' | 'calico'): Promise<void> {
	const hosts = await startHosts(3);
	t.teardown(() => hosts.stop());
	const { dir, config } = await installAt135(t, hosts, { controlPlanes: 1 }, cni);
	const before = (await allCalls(hosts)).length;
	const upgraded = await runCli(['upgrade', '--config', config, '--yes', '--max-unavailable', '1'], dir);
	t.is(upgraded.code, 0, upgraded.stderr);
	t.regex(upgraded.stderr, /upgraded: control plane v1\.36\.4; node1 v1\.36\.4, node2 v1\.36\.4, node3 v1\.36\.4/);
	// Each node's move is on the plain view as it happens, in order: draining, restarted, Ready.
	for (const node of ['node2', 'node3']) {
		const moves = ['draining', 'kubelet restarted', 'Ready, uncordoned'].map((what) => upgraded.stderr.search(new RegExp(`${node} → v1\\.36\\.4: ${what}`)));
		t.true(moves.every((at, i) => at >= 0 && (i === 0 || at > moves[i - 1]!)), `${node}'s moves in order: ${moves.join(', ')}`);
	}
	await checkUpgraded(t, hosts);
	const calls = (await allCalls(hosts)).slice(0);
	const during = calls.filter((c) => c.t >= (calls[before - 1]?.t ?? 0));
	const list = await nodes(hosts);
	checkOrder(t, during, hosts, 1, [0, 1, 2].map((i) => nodeOfHost(hosts, i, list)));

	// A re-run: nothing to do, and nothing is touched.
	const mark = Date.now();
	const again = await runCli(['upgrade', '--config', config, '--yes'], dir);
	t.is(again.code, 0, again.stderr);
	t.regex(again.stderr, /nothing to upgrade, already at the target: control plane v1\.36\.4; node1 v1\.36\.4, node2 v1\.36\.4, node3 v1\.36\.4/);
	const touched = (await allCalls(hosts)).filter((c) => c.t >= mark && CHANGES(c));
	t.deepEqual(touched.map((c) => `${c.host + 1}: ${c.line}`), [], 'a re-run changes nothing');
	await checkUpgraded(t, hosts);
}

test('1+2 with Cilium: 1.35 → 1.36 in kubeadm\'s order, every node Ready at 1.36, a re-run is a no-op', async (t) => {
	await upgradeAndCheck(t, 'cilium');
});

test('1+2 with Calico: 1.35 → 1.36 in kubeadm\'s order, a re-run is a no-op', async (t) => {
	await upgradeAndCheck(t, 'calico');
});

test('HA 3+1: the other control planes get kubeadm upgrade node one at a time, then the worker', async (t) => {
	const hosts = await startHosts(4, { endpointAddress: true });
	t.teardown(() => hosts.stop());
	const { dir, config } = await installAt135(t, hosts, { controlPlanes: 3, endpoint: `${hosts.endpointAddress}:6443` }, 'cilium');
	const mark = Date.now();
	const upgraded = await runCli(['upgrade', '--config', config, '--yes'], dir);
	t.is(upgraded.code, 0, upgraded.stderr);
	await checkUpgraded(t, hosts);
	const calls = (await allCalls(hosts)).filter((c) => c.t >= mark);
	const list = await nodes(hosts);
	checkOrder(t, calls, hosts, 3, [0, 1, 2, 3].map((i) => nodeOfHost(hosts, i, list)));
	// One at a time: the second control plane's upgrade node finished before the third's started (calls are serial).
	const cpNode = calls.filter((c) => c.prog === 'kubeadm' && c.argv[1] === 'node' && c.host < 3).map((c) => c.host);
	t.deepEqual(cpNode, [1, 2]);
	for (const index of [1, 2]) {
		const pod = await hosts.simKubectl(['get', 'pod', '-n', 'kube-system', `kube-apiserver-${nodeOfHost(hosts, index, list)}`, '-o', 'json']);
		t.regex(pod.stdout, /registry\.k8s\.io\/kube-apiserver:v1\.36\.4/, `control plane ${index + 1}'s static pods at 1.36`);
	}
});

test('a drain blocked by a PodDisruptionBudget stops naming the node, the pod, the budget and the fix, the node uncordoned; with the fix applied the re-run finishes', async (t) => {
	const hosts = await startHosts(3);
	t.teardown(() => hosts.stop());
	const { dir, config } = await installAt135(t, hosts, { controlPlanes: 1 }, 'cilium');
	await hosts.setClusterScenario({ drainTimeScale: 0.005 });
	const web = {
		apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
		spec: {
			replicas: 2, selector: { matchLabels: { app: 'web' } },
			template: { metadata: { labels: { app: 'web' } }, spec: {
				containers: [{ name: 'web', image: 'nginx:1.27' }],
				affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } },
			} },
		},
	};
	const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'default' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } };
	await hosts.seedClusterObject(web);
	await hosts.seedClusterObject(pdb);
	let pods: { metadata: { name: string }; spec: { nodeName: string } }[] = [];
	for (let i = 0; i < 100; i++) {
		const listed = JSON.parse((await hosts.simKubectl(['get', 'pods', '-n', 'default', '-o', 'json'])).stdout) as { items: { metadata: { name: string }; spec: { nodeName: string }; status: { conditions?: { type: string; status: string }[] } }[] };
		pods = listed.items;
		if (pods.length === 2 && listed.items.every((p) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))) break;
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	t.is(pods.length, 2);
	const firstWorker = 'node2';
	const blockingPod = pods.find((p) => p.spec.nodeName === firstWorker)!.metadata.name;

	const blocked = await runCli(['upgrade', '--config', config, '--yes'], dir);
	t.log(blocked.stderr.split('\n').slice(-16).join('\n'));
	t.is(blocked.code, 1, blocked.stderr);
	t.regex(blocked.stderr, new RegExp(`the drain of ${firstWorker} could not finish; blocking pods: default/${blockingPod}`));
	// kubectl names the pod; kubestrap names the budget from the API, its rule and numbers, and the fix for it.
	t.regex(blocked.stderr, new RegExp(`\\n {2}PodDisruptionBudget default/web \\(minAvailable 2; 2 of 2 pods healthy, 2 needed, 0 disruptions allowed now\\) covers default/${blockingPod}\\n`));
	t.regex(blocked.stderr, /what to do for default\/web: scale its workload so that 3 pods are Ready \(2 now\), or lower default\/web's minAvailable to 1 \(kubectl -n default patch pdb web --type=merge -p '\{"spec":\{"minAvailable":1\}\}'\)/);
	t.regex(blocked.stderr, new RegExp(`then run kubestrap upgrade again: it resumes at ${firstWorker}`));
	t.regex(blocked.stderr, new RegExp(`node ${firstWorker} was uncordoned again and still runs v1\\.35\\.8`));
	t.regex(blocked.stderr, /resume with: kubestrap upgrade --config .* --yes/);
	const after = await nodes(hosts);
	t.true(after.every((n) => n.spec.unschedulable !== true), 'no node left cordoned');
	t.is(await serverVersion(hosts), 'v1.36.4', 'the control plane was upgraded before the workers');
	t.is(after.find((n) => n.metadata.name === 'node3')!.status.nodeInfo.kubeletVersion, 'v1.35.8', 'no later worker was started');
	const node3Drains = (await allCalls(hosts)).filter((c) => c.prog === 'kubectl' && c.argv.includes('drain') && c.argv.includes('node3'));
	t.deepEqual(node3Drains, [], 'the next worker was not drained');

	// The fix kubestrap printed, run as printed: the budget then allows one disruption and the drain finishes.
	const fix = /\(kubectl -n (\S+) patch pdb (\S+) --type=merge -p '([^']+)'\)/.exec(blocked.stderr);
	t.truthy(fix, 'a patch command to run');
	const patched = await hosts.simKubectl(['-n', fix![1]!, 'patch', 'pdb', fix![2]!, '--type=merge', '-p', fix![3]!]);
	t.is(patched.code, 0, patched.stderr);
	const mark = Date.now();
	const resumed = await runCli(['upgrade', '--config', config, '--yes'], dir);
	t.is(resumed.code, 0, resumed.stderr);
	await checkUpgraded(t, hosts);
	const resumedCalls = (await allCalls(hosts)).filter((c) => c.t >= mark);
	t.deepEqual(resumedCalls.filter((c) => c.prog === 'kubeadm' && c.argv[1] === 'apply'), [], 'the resumed run does not apply again');
	t.true(resumedCalls.some((c) => c.prog === 'kubectl' && c.argv.includes('drain') && c.argv.includes(firstWorker)));
});

test('two minors: a 1.34 cluster (end of life, not installable, made through the simulator) goes to 1.36 in two complete hops', async (t) => {
	// kubestrap refuses new 1.34 clusters, so this one is bootstrapped the way the install steps do it,
	// with the 1.34 packages already on the hosts, and the pinned CNI applied.
	const sim = await bootCluster(3, { kubernetesVersion: '1.34.11', scenario: { packages: { kubeadm: '1.34.11-1.1', kubelet: '1.34.11-1.1', kubectl: '1.34.11-1.1', containerd: '1.7.24-1' } } });
	t.teardown(() => sim.close());
	const hosts = sim.hosts;
	await sim.remotes[0]!.upload(renderManifests(sim.cluster).text, '/etc/kubestrap/cni.yaml', { sudo: true, mode: 0o600 });
	const applied = await sim.kubectl(['apply', '--server-side', '--field-manager=kubestrap', '--force-conflicts', '-f', '/etc/kubestrap/cni.yaml']);
	t.is(applied.code, 0, applied.stderr);
	for (let i = 0; i < 100 && !(await nodes(hosts)).every(ready); i++) await new Promise((resolve) => setTimeout(resolve, 200));
	t.is(await serverVersion(hosts), 'v1.34.11');
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	setVersion(config, '1.36', sim.cluster.spec.network.cni);

	const planned = await runCli(['upgrade', '--config', config, '--dry-run'], dir);
	t.is(planned.code, 0, planned.stderr);
	t.regex(planned.stderr, /hop 1: 1\.34 → 1\.35/);
	t.regex(planned.stderr, /hop 2: 1\.35 → 1\.36/);
	t.deepEqual((await allCalls(hosts)).filter(CHANGES).filter((c) => c.prog !== 'systemctl'), [], 'the dry run changed nothing');

	const mark = Date.now();
	const upgraded = await runCli(['upgrade', '--config', config, '--yes'], dir);
	t.is(upgraded.code, 0, upgraded.stderr);
	await checkUpgraded(t, hosts);
	const calls = (await allCalls(hosts)).filter((c) => c.t >= mark);
	const applies = calls.filter((c) => c.prog === 'kubeadm' && c.argv[1] === 'apply');
	t.is(applies.length, 2, 'one kubeadm upgrade apply per hop');
	const configs = calls.filter((c) => c.host === 0 && c.prog === 'apt-get' && c.argv.some((a) => a.startsWith('kubeadm=')));
	t.deepEqual(configs.map((c) => c.argv.find((a) => a.startsWith('kubeadm='))), ['kubeadm=1.35.8-1.1', 'kubeadm=1.36.4-1.1']);
	// Every node's kubelet reached 1.35 (drained, restarted, uncordoned) before the second apply started.
	const kubelet135 = calls.filter((c) => c.prog === 'apt-get' && c.argv.some((a) => a.startsWith('kubelet=1.35.')));
	t.is(kubelet135.length, 3);
	t.true(kubelet135.every((c) => c.t < applies[1]!.t), 'the first hop is complete before the second starts');
});

test('Ctrl-C while the workers are upgraded: exit 130 with the resume command and the nodes left cordoned; the re-run finishes without applying again and leaves no node cordoned', async (t) => {
	const hosts = await startHosts(3);
	t.teardown(() => hosts.stop());
	const { dir, config } = await installAt135(t, hosts, { controlPlanes: 1 }, 'cilium');
	const stopped = await runCli(['upgrade', '--config', config, '--yes'], dir, { signalAfter: { pattern: /node2 → v1\.36\.4: kubelet restarted/, signal: 'SIGINT' } });
	t.is(stopped.code, 130, stopped.stderr);
	t.regex(stopped.stderr, /interrupted: the journal is saved; resume with: kubestrap upgrade --config .* --yes/);
	t.is(await serverVersion(hosts), 'v1.36.4', 'the control plane was upgraded before the interrupt');
	// The output names exactly the nodes the API shows cordoned (the interrupt may come before or after the drain's cordon).
	const cordoned = (await nodes(hosts)).filter((n) => n.spec.unschedulable === true).map((n) => n.metadata.name);
	const named = [...stopped.stderr.matchAll(/^node (\S+) is still cordoned: this run drained it for its upgrade; the resumed run finishes its upgrade and uncordons it \(to put it back in service before that: kubectl uncordon \1\)$/gm)].map((m) => m[1]);
	t.deepEqual(named, cordoned, stopped.stderr);
	if (cordoned.length === 0) t.regex(stopped.stderr, /^no node is left cordoned$/m);
	t.log(`cordoned at the interrupt: ${cordoned.join(', ') || 'none'}`);
	const mark = Date.now();
	const resumed = await runCli(['upgrade', '--config', config, '--yes'], dir);
	t.is(resumed.code, 0, resumed.stderr);
	await checkUpgraded(t, hosts);
	const calls = (await allCalls(hosts)).filter((c) => c.t >= mark);
	t.deepEqual(calls.filter((c) => c.prog === 'kubeadm' && c.argv[1] === 'apply').map((c) => c.line), [], 'apply is not run again');
});

// On a terminal: the plan stays readable above the question (no live view redrawing over it), a wrong name
// changes nothing (exit 2), the cluster name typed upgrades with the live view.
test('on a terminal: the plan, then the cluster name typed; a wrong name changes nothing', async (t) => {
	const hosts = await startHosts(2);
	t.teardown(() => hosts.stop());
	const { dir, config } = await installAt135(t, hosts, { controlPlanes: 1 }, 'cilium');
	const command = `SSH_AUTH_SOCK= ${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, 'bin/kubestrap.js'))} upgrade --config ${JSON.stringify(config)}`;
	const upgrades = async (): Promise<number> => (await hosts.readCalls(0)).filter((c) => c.prog === 'kubeadm' && c.argv[0] === 'upgrade' && c.argv[1] === 'apply').length;

	const wrong = await TmuxSession.start({ command, cwd: dir, env: { NO_COLOR: '1' }, width: 140, height: 50 });
	t.teardown(() => wrong.kill());
	const asked = await wrong.waitFor(/type the cluster name \(e2e\) to upgrade it:/, { timeoutMs: 60_000 });
	t.regex(asked, /node1 +control-plane +v1\.35\.8 → the newest 1\.36 patch/);
	t.regex(asked, /node2 +worker +v1\.35\.8 → the newest 1\.36 patch/);
	await wrong.text('demo');
	await wrong.keys('Enter');
	t.is(await wrong.waitForExit({ timeoutMs: 30_000 }), 2);
	t.regex(await wrong.capture(), /not confirmed; nothing was changed/);
	t.is(await upgrades(), 0, 'no kubeadm upgrade apply after a wrong name');

	const session = await TmuxSession.start({ command, cwd: dir, env: { NO_COLOR: '1' }, width: 140, height: 50 });
	t.teardown(() => session.kill());
	await session.waitFor(/type the cluster name \(e2e\) to upgrade it:/, { timeoutMs: 60_000 });
	await session.text('e2e');
	await session.keys('Enter');
	t.is(await session.waitForExit({ timeoutMs: 180_000 }), 0, await session.scrollback());
	t.regex(await session.scrollback(), /upgraded: control plane v1\.36\.4; node1 v1\.36\.4, node2 v1\.36\.4/);
	t.is(await upgrades(), 1);
});
