// A scripted first control plane for the CNI steps: kubectl answers from a tiny cluster of agent pods (one
// per node) — a deleted pod is replaced by a new one that turns Ready after a few polls, as a DaemonSet's
// would — plus the pre-flight DaemonSet, which turns ready on every node after a few polls, and Calico's
// IP pools (get, and merge patches as the API server applies them).
import type { ExecOptions, ExecResult, StepRemote } from '../../source/steps/types.js';

export type ExecResultLike = ExecResult;

interface Pod { name: string; node: string; created: number; polls: number; gone: boolean }

export interface FakeOptions {
	nodes: string[];
	/** what `get configmaps,daemonsets` shows: "kind/name" → object */
	live: Map<string, unknown>;
	/** polls of the pod list before a replacement is Ready (Infinity: never) */
	readyAfterPolls?: number;
	/** polls before the pre-flight DaemonSet is ready everywhere */
	preflightReadyAfter?: number;
	/** Calico's IP pools (ippools.crd.projectcalico.org) */
	pools?: FakePool[];
	/** the agent pods' name prefix and label value (default cilium) */
	agent?: string;
	/** a patch is answered "patched" but the stored pool does not change (another writer reverts it) */
	patchReverted?: boolean;
}

export interface FakePool { name: string; cidr: string; ipipMode: string; vxlanMode: string }

function poolObject(pool: FakePool): unknown {
	return { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: pool.name }, spec: { blockSize: 26, cidr: pool.cidr, ipipMode: pool.ipipMode, natOutgoing: true, nodeSelector: 'all()', vxlanMode: pool.vxlanMode } };
}

const ok = (stdout = ''): ExecResult => ({ code: 0, signal: null, stdout, stderr: '' });

export class FakeRemote implements StepRemote {
	readonly calls: string[] = [];
	readonly uploads: Array<{ path: string; content: string }> = [];
	readonly files = new Map<string, string>();
	/** the cluster's clock, epoch seconds */
	clock = 1_800_000_000;
	/** when a listed pod was Ready: its node and the index of the call that showed it */
	readonly readySeen: Array<{ node: string; callIndex: number }> = [];
	private readonly pods: Pod[];
	private preflightPolls = 0;

	constructor(private readonly options: FakeOptions) {
		this.pods = options.nodes.map((node) => ({ name: `${options.agent ?? 'cilium'}-${node}-0`, node, created: this.clock - 100, polls: Infinity, gone: false }));
	}

	sent(): string[] {
		return [...this.calls];
	}

	private ready(pod: Pod): boolean {
		return pod.polls >= (this.options.readyAfterPolls ?? 1);
	}

	private podList(): string {
		const live = this.pods.filter((p) => !p.gone);
		for (const pod of live) {
			pod.polls += 1;
			if (this.ready(pod)) this.readySeen.push({ node: pod.node, callIndex: this.calls.length - 1 });
		}
		return JSON.stringify({ kind: 'List', items: live.map((p) => ({
			metadata: { name: p.name, creationTimestamp: new Date(p.created * 1000).toISOString().replace('.000Z', 'Z') },
			spec: { nodeName: p.node },
			status: { conditions: [{ type: 'Ready', status: this.ready(p) ? 'True' : 'False' }] },
		})) });
	}

	private kubectl(args: string[]): ExecResult {
		const line = args.join(' ');
		if (line.includes('get configmaps,daemonsets')) {
			const items = [...this.options.live].map(([, value]) => value);
			return ok(JSON.stringify({ kind: 'List', items }));
		}
		if (line.includes('get daemonset cilium-pre-flight-check cilium')) {
			this.preflightPolls += 1;
			const n = this.options.nodes.length;
			const ready = this.preflightPolls >= (this.options.preflightReadyAfter ?? 1) ? n : 0;
			return ok(JSON.stringify({ kind: 'List', items: [
				{ metadata: { name: 'cilium-pre-flight-check' }, status: { desiredNumberScheduled: n, numberReady: ready } },
				{ metadata: { name: 'cilium' }, status: { desiredNumberScheduled: n, numberReady: n } },
			] }));
		}
		if (line.includes('get ippools.crd.projectcalico.org')) {
			const pools = this.options.pools ?? [];
			const name = args[args.indexOf('ippools.crd.projectcalico.org') + 1];
			if (name && !name.startsWith('-')) {
				const pool = pools.find((p) => p.name === name);
				return pool ? ok(JSON.stringify(poolObject(pool))) : { code: 1, signal: null, stdout: '', stderr: `Error from server (NotFound): ippools.crd.projectcalico.org "${name}" not found` };
			}
			return ok(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: pools.map(poolObject) }));
		}
		if (line.includes('patch ippools.crd.projectcalico.org')) {
			const name = args[args.indexOf('ippools.crd.projectcalico.org') + 1];
			const pool = (this.options.pools ?? []).find((p) => p.name === name);
			if (!pool) return { code: 1, signal: null, stdout: '', stderr: `Error from server (NotFound): ippools.crd.projectcalico.org "${name}" not found` };
			const body = JSON.parse(args[args.indexOf('-p') + 1] ?? '{}') as { spec?: Partial<FakePool> };
			if (!this.options.patchReverted) Object.assign(pool, body.spec);
			return ok(`ippool.crd.projectcalico.org/${name} patched\n`);
		}
		if (line.includes(`get daemonset ${this.options.agent ?? 'cilium'} `)) {
			const n = this.options.nodes.length;
			return ok(JSON.stringify({ kind: 'DaemonSet', metadata: { generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: n, updatedNumberScheduled: n, numberReady: n } }));
		}
		if (line.includes('get deployment cilium-operator')) {
			return ok(JSON.stringify({ kind: 'Deployment', metadata: { generation: 2 }, spec: { replicas: 1 }, status: { observedGeneration: 2, replicas: 1, updatedReplicas: 1, readyReplicas: 1 } }));
		}
		if (line.includes(`get pods -l k8s-app=${this.options.agent ?? 'cilium'}`)) return ok(this.podList());
		if (line.includes('delete pod')) {
			const name = args[args.indexOf('pod') + 1];
			const pod = this.pods.find((p) => p.name === name && !p.gone);
			if (!pod) return { code: 1, signal: null, stdout: '', stderr: `Error from server (NotFound): pods "${name}" not found` };
			pod.gone = true;
			this.clock += 1;
			this.pods.push({ name: pod.name.replace(/-(\d+)$/, (_, n: string) => `-${Number(n) + 1}`), node: pod.node, created: this.clock, polls: 0, gone: false });
			return ok(`pod "${name}" deleted from kube-system namespace\n`);
		}
		return ok();
	}

	async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
		this.calls.push(`${options.sudo ? 'sudo ' : ''}${argv.join(' ')}`);
		const [cmd, ...args] = argv;
		if (cmd === 'date') return ok(`${this.clock}\n`);
		if (cmd === 'rm') {
			for (const path of args.filter((a) => a.startsWith('/'))) this.files.delete(path);
			return ok();
		}
		if (cmd === 'kubectl') return this.kubectl(args);
		return ok();
	}

	async upload(content: string | Buffer, path: string): Promise<void> {
		this.uploads.push({ path, content: content.toString() });
		this.files.set(path, content.toString());
	}

	async download(path: string): Promise<Buffer> {
		return Buffer.from(this.files.get(path) ?? '');
	}
}
