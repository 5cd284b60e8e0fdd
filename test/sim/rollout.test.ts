// The simulated DaemonSet controller's rolling update, straight from the model (node/model.mjs is a pure
// function of recorded times, so these tests hand it the times and read the pods at any moment): a template
// change replaces at most maxUnavailable pods at a time (a number, or a percentage of the desired nodes
// rounded up), each replacement is created once the old pod is gone, the next batch starts when the
// replacements are available (minReadySeconds included); an already unavailable old pod is replaced at once;
// an unavailable updated pod holds the rollout; OnDelete replaces only what is deleted; a `kubectl delete pod`
// during a rollout is replaced from the current template and counts against maxUnavailable.
import { fileURLToPath } from 'node:url';
import test from 'ava';

interface SimPod {
	name: string;
	node: { name: string };
	createdAt: number;
	readyAt: number;
	deletedAt?: number;
	goneAt?: number;
	revision: { hash: string };
	workload: { name: string };
	status: { conditions: Array<{ type: string; status: string }> };
}
interface Model { ctx: { pods: SimPod[] }; pods: SimPod[]; workloads: Array<{ kind: string; name: string }> }
interface ModelModule {
	clusterAt(input: unknown, now: number): Model;
	daemonSetObject(w: unknown, pods: SimPod[], ctx: unknown): { status: Record<string, number | undefined> };
	maxUnavailableOf(spec: unknown, desired: number): number;
}

const model = (await import(fileURLToPath(new URL('../../../test/_helpers/sim/node/model.mjs', import.meta.url)))) as ModelModule;

const T = 100_000; // the template change
const STEP = 2000; // per pod at speed 1: 1 s Terminating, then 0.4 s sandbox + 0.6 s to Ready

interface Options {
	nodes: number;
	updateStrategy?: unknown;
	minReadySeconds?: number;
	flips?: Array<{ pod: string; at: number }>;
	deletions?: Array<{ name: string; at: number }>;
}

function template(image: string): unknown {
	return {
		metadata: { labels: { app: 'agent' } },
		spec: { hostNetwork: true, tolerations: [{ operator: 'Exists' }], containers: [{ name: 'agent', image }] },
	};
}

function input(options: Options): unknown {
	const spec = {
		selector: { matchLabels: { app: 'agent' } },
		template: template('agent:2'),
		...(options.updateStrategy ? { updateStrategy: options.updateStrategy } : {}),
		...(options.minReadySeconds ? { minReadySeconds: options.minReadySeconds } : {}),
	};
	const nodes = Array.from({ length: options.nodes }, (_, i) => ({ name: `node${i + 1}`, role: i === 0 ? 'control-plane' : 'worker', joinedAt: 1000 + i, untainted: true }));
	return {
		info: { version: 'v1.35.1', initAt: 0, kubeProxy: false, coreDNS: false },
		scenario: {},
		flips: options.flips ?? [],
		nodes,
		workloads: [{
			kind: 'DaemonSet', group: 'apps', namespace: 'kube-system', name: 'agent', generation: 2, createdAt: 2000,
			object: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'kube-system', uid: 'uid-agent', generation: 2 }, spec },
			revisions: [{ hash: 'one', at: 2000, generation: 1, template: template('agent:1') }, { hash: 'two', at: T, generation: 2, template: template('agent:2') }],
		}],
		services: [],
		cniReadyAt: 0,
		deletions: (options.deletions ?? []).map((d) => ({ namespace: 'kube-system', ...d })),
	};
}

/** Every pod the controller made up to `until` (gone ones too). */
function allPods(options: Options, until: number): SimPod[] {
	return model.clusterAt(input(options), until).ctx.pods.filter((p) => p.workload.name === 'agent');
}

const available = (p: SimPod, t: number, minReady = 0): boolean => p.readyAt + minReady <= t && (p.deletedAt === undefined || p.deletedAt > t);

/** The most nodes without an available agent at any moment from T on (every 50 ms). */
function worstUnavailable(pods: SimPod[], nodes: number, until: number, minReady = 0, flips: Array<{ pod: string; at: number }> = []): number {
	let worst = 0;
	for (let t = T; t <= until; t += 50) {
		const flipped = (p: SimPod): boolean => flips.filter((f) => f.pod === p.name && f.at <= t).length % 2 === 1;
		const up = new Set(pods.filter((p) => available(p, t, minReady) && !flipped(p)).map((p) => p.node.name));
		worst = Math.max(worst, nodes - up.size);
	}
	return worst;
}

/** When each node's old pod was deleted, by node. */
function deletedAt(pods: SimPod[]): Record<string, number | undefined> {
	return Object.fromEntries(pods.filter((p) => p.revision.hash === 'one').map((p) => [p.node.name, p.deletedAt === undefined ? undefined : p.deletedAt - T]));
}

function status(options: Options, at: number): Record<string, number | undefined> {
	const m = model.clusterAt(input(options), at);
	return model.daemonSetObject(m.workloads.find((w) => w.name === 'agent'), m.pods, m.ctx).status;
}

test('maxUnavailable: a number, or a percentage of the desired nodes rounded up; 1 when missing or 0', (t) => {
	const of = (value: unknown, desired: number): number => model.maxUnavailableOf({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: value } } }, desired);
	t.is(of(1, 20), 1);
	t.is(of(2, 20), 2);
	t.is(of('30%', 5), 2, '1.5 rounds up');
	t.is(of('10%', 5), 1, '0.5 rounds up');
	t.is(of('10%', 20), 2);
	t.is(of('100%', 3), 3);
	t.is(of(0, 3), 1);
	t.is(of('0%', 3), 1);
	t.is(model.maxUnavailableOf({}, 3), 1, 'the API server default');
});

test('maxUnavailable 1: one node at a time, each replacement created when the old pod is gone, the next once it is Ready', (t) => {
	const options = { nodes: 4, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } } };
	const pods = allPods(options, T + 20_000);
	t.deepEqual(deletedAt(pods), { node1: 0, node2: STEP, node3: 2 * STEP, node4: 3 * STEP });
	for (const old of pods.filter((p) => p.revision.hash === 'one')) {
		const fresh = pods.find((p) => p.revision.hash === 'two' && p.node.name === old.node.name)!;
		t.is(fresh.createdAt, old.goneAt!, `${old.node.name}: created when the old pod is gone`);
		t.not(fresh.name, old.name);
	}
	t.is(worstUnavailable(pods, 4, T + 20_000), 1);

	// The DaemonSet's status follows (what kubestrap's rolledOut() reads).
	t.like(status(options, T + STEP + 1500), { desiredNumberScheduled: 4, updatedNumberScheduled: 2, numberReady: 3, numberAvailable: 3, numberUnavailable: 1, observedGeneration: 2 });
	const done = status(options, T + 4 * STEP);
	t.like(done, { desiredNumberScheduled: 4, updatedNumberScheduled: 4, numberReady: 4, numberAvailable: 4 });
	t.is(done['numberUnavailable'], undefined);
	t.not(status(options, T + 4 * STEP - 1)['numberUnavailable'], undefined, 'not rolled out before the last replacement is Ready');
});

test('maxUnavailable 2: two nodes at a time', (t) => {
	const pods = allPods({ nodes: 5, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } }, T + 20_000);
	t.deepEqual(deletedAt(pods), { node1: 0, node2: 0, node3: STEP, node4: STEP, node5: 2 * STEP });
	t.is(worstUnavailable(pods, 5, T + 20_000), 2);
});

test('a percentage: 30% of 5 nodes is 2 at a time (rounded up)', (t) => {
	const pods = allPods({ nodes: 5, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '30%' } } }, T + 20_000);
	t.deepEqual(deletedAt(pods), { node1: 0, node2: 0, node3: STEP, node4: STEP, node5: 2 * STEP });
	t.is(worstUnavailable(pods, 5, T + 20_000), 2);
});

test('no updateStrategy: the default RollingUpdate with maxUnavailable 1', (t) => {
	const pods = allPods({ nodes: 3 }, T + 20_000);
	t.deepEqual(deletedAt(pods), { node1: 0, node2: STEP, node3: 2 * STEP });
});

test('minReadySeconds: the next node waits until the replacement was Ready that long; numberAvailable lags numberReady', (t) => {
	const options = { nodes: 3, minReadySeconds: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } };
	const pods = allPods(options, T + 30_000);
	t.deepEqual(deletedAt(pods), { node1: 0, node2: STEP + 3000, node3: 2 * (STEP + 3000) });
	t.is(worstUnavailable(pods, 3, T + 30_000, 3000), 1);
	t.like(status(options, T + STEP + 1000), { numberReady: 3, numberAvailable: 2, numberUnavailable: 1 });
});

test('an old pod that is not available is replaced at once, beside the first batch; then one at a time', (t) => {
	const options = { nodes: 4, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } };
	const before = allPods(options, T - 1);
	const broken = before.find((p) => p.node.name === 'node3')!;
	const flips = [{ pod: broken.name, at: T - 5000 }];
	const pods = allPods({ ...options, flips }, T + 20_000);
	// As pkg/controller/daemon's rollingUpdate: the unavailable old pod is deleted whatever maxUnavailable
	// allows, and in that pass it does not count, so node1 goes with it; from then on it counts (its node has
	// no available pod) until its replacement is Ready.
	t.deepEqual(deletedAt(pods), { node1: 0, node2: STEP, node3: 0, node4: 2 * STEP });
	t.true(pods.filter((p) => p.revision.hash === 'two').every((p) => p.readyAt <= T + 3 * STEP));
});

test('an updated pod that turns unavailable holds the rollout until it is Ready again', (t) => {
	const options = { nodes: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } };
	const first = allPods(options, T + STEP).find((p) => p.revision.hash === 'two' && p.node.name === 'node1')!;
	const flips = [{ pod: first.name, at: T + STEP + 500 }, { pod: first.name, at: T + 6000 }];
	const pods = allPods({ ...options, flips }, T + 20_000);
	t.deepEqual(deletedAt(pods), { node1: 0, node2: STEP, node3: 6000 });
	t.is(worstUnavailable(pods, 3, T + 20_000, 0, flips), 2, 'the flip itself is the second unavailable pod, not the controller');
	t.is(worstUnavailable(pods.filter((p) => p.node.name !== 'node1'), 2, T + 20_000), 1);
});

test('OnDelete: nothing is replaced until a pod is deleted; its replacement has the current template', (t) => {
	const options = { nodes: 3, updateStrategy: { type: 'OnDelete' } };
	const untouched = allPods(options, T + 20_000);
	t.deepEqual(deletedAt(untouched), { node1: undefined, node2: undefined, node3: undefined });
	t.is(status(options, T + 20_000)['updatedNumberScheduled'], undefined);

	const node2 = untouched.find((p) => p.node.name === 'node2')!;
	const pods = allPods({ ...options, deletions: [{ name: node2.name, at: T + 3000 }] }, T + 20_000);
	t.deepEqual(deletedAt(pods), { node1: undefined, node2: 3000, node3: undefined });
	const fresh = pods.find((p) => p.node.name === 'node2' && p.revision.hash === 'two')!;
	t.is(fresh.createdAt, T + 4000);
	t.like(status({ ...options, deletions: [{ name: node2.name, at: T + 3000 }] }, T + 20_000), { updatedNumberScheduled: 1, numberReady: 3 });
});

test('a kubectl delete during a rollout: replaced from the current template, and it counts against maxUnavailable', (t) => {
	const options = { nodes: 4, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } };
	const node3 = allPods(options, T).find((p) => p.node.name === 'node3')!;
	const deletions = [{ name: node3.name, at: T + 500 }];
	const pods = allPods({ ...options, deletions }, T + 20_000);
	// node1's replacement is Ready at T+2000, but node3's (created at T+1500) only at T+2500: node2 waits for it.
	t.deepEqual(deletedAt(pods), { node1: 0, node2: 2500, node3: 500, node4: 2500 + STEP });
	const fresh = pods.filter((p) => p.node.name === 'node3');
	t.is(fresh.length, 2, 'the old pod and one replacement, of the current template');
	t.is(fresh[1]!.revision.hash, 'two');
	t.is(fresh[1]!.createdAt, T + 1500);

	// Deleting a replacement again: another one, with another name.
	const again = [...deletions, { name: fresh[1]!.name, at: T + 10_000 }];
	const later = allPods({ ...options, deletions: again }, T + 20_000).filter((p) => p.node.name === 'node3');
	t.is(later.length, 3);
	t.is(later[2]!.createdAt, T + 11_000);
	t.is(new Set(later.map((p) => p.name)).size, 3);
});

test('kube-proxy after kubeadm upgrade apply: its pods keep their names until their turn, then roll one node at a time to the new image', (t) => {
	const cluster = (info: Record<string, unknown>): unknown => ({
		info: { version: 'v1.35.8', initAt: 0, kubeProxy: true, coreDNS: false, ...info },
		scenario: {}, flips: [], services: [], cniReadyAt: 0, deletions: [], workloads: [],
		nodes: [1, 2, 3].map((i) => ({ name: `node${i}`, role: i === 1 ? 'control-plane' : 'worker', joinedAt: 1000 + i })),
	});
	const proxies = (m: Model): SimPod[] => m.ctx.pods.filter((p) => p.workload.name === 'kube-proxy');
	const before = proxies(model.clusterAt(cluster({}), T - 1));
	const upgraded = cluster({ version: 'v1.36.4', upgradedAt: T, previousVersion: 'v1.35.8', previousAt: 0 });
	const pods = proxies(model.clusterAt(upgraded, T + 20_000));
	const old = pods.filter((p) => before.some((b) => b.name === p.name));
	t.is(old.length, 3, 'the pods from before the upgrade, by name');
	t.deepEqual(old.map((p) => [p.node.name, p.deletedAt! - T]), [['node1', 0], ['node2', STEP], ['node3', 2 * STEP]]);
	const image = (p: SimPod): string => (p as unknown as { spec: { containers: Array<{ image: string }> } }).spec.containers[0]!.image;
	t.true(old.every((p) => image(p) === 'registry.k8s.io/kube-proxy:v1.35.8'));
	const fresh = pods.filter((p) => !old.includes(p));
	t.deepEqual(fresh.map((p) => [p.node.name, p.createdAt - T, image(p)]), [['node1', 1000, 'registry.k8s.io/kube-proxy:v1.36.4'], ['node2', STEP + 1000, 'registry.k8s.io/kube-proxy:v1.36.4'], ['node3', 2 * STEP + 1000, 'registry.k8s.io/kube-proxy:v1.36.4']]);
	t.is(worstUnavailable(pods, 3, T + 20_000), 1);
});
