// A scripted cluster behind fake hosts for the upgrade steps: the API server's version, each Node's kubelet
// version and cordon state, drains (and drains a PodDisruptionBudget blocks), kubeadm upgrade plan/apply/node
// with kubeadm's refusal to skip a minor, and the packages each host has installed.
import type { ExecResult } from '../../source/steps/types.js';
import { FakeRemote, freshHost, type FakeHostState } from './_fake-remote.js';

export interface FakeNode {
	controlPlane: boolean;
	kubelet: string;
	unschedulable: boolean;
	ready: boolean;
}

export interface FakeCluster {
	apiServer: string;
	nodes: Map<string, FakeNode>;
	/** node → drain error output (a PDB) */
	blockedDrains: Map<string, string>;
	/** what `kubectl get pdb -A -o json` lists (PodDisruptionBudget objects, with status) */
	pdbs: unknown[];
	/** the pods `kubectl get pods -A --field-selector spec.nodeName=N` lists, by node */
	pods: Map<string, unknown[]>;
	cniImage: string;
	/** every cluster-changing call in order, "host: argv" */
	log: string[];
}

const ok = (stdout = ''): ExecResult => ({ code: 0, signal: null, stdout, stderr: '' });
const fail = (stderr: string, code = 1): ExecResult => ({ code, signal: null, stdout: '', stderr });
const minor = (v: string): number => Number(v.replace(/^v/, '').split('.')[1]);

export class FakeClusterRemote extends FakeRemote {
	readonly packages = new Map<string, string>();

	constructor(state: FakeHostState, readonly cluster: FakeCluster, readonly nodeName: string, version: string) {
		super(state);
		for (const name of ['kubeadm', 'kubelet', 'kubectl']) this.packages.set(name, version);
		state.kubeadm = `v${version}`;
	}

	private snapshot(): string {
		const items: unknown[] = [];
		for (const [name, node] of this.cluster.nodes) {
			items.push({
				kind: 'Node', metadata: { name, labels: node.controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {} },
				spec: node.unschedulable ? { unschedulable: true } : {},
				status: { conditions: [{ type: 'Ready', status: node.ready ? 'True' : 'False' }], nodeInfo: { kubeletVersion: `v${node.kubelet}`, kernelVersion: '6.8', osImage: 'x', containerRuntimeVersion: 'containerd://1.7', architecture: 'amd64' }, addresses: [] },
			});
		}
		items.push({ kind: 'DaemonSet', metadata: { name: 'cilium', namespace: 'kube-system' }, spec: { template: { spec: { containers: [{ name: 'cilium-agent', image: this.cluster.cniImage }] } } }, status: { desiredNumberScheduled: 1, numberReady: 1 } });
		return JSON.stringify({ kind: 'List', items });
	}

	protected override healthRead(): ExecResult {
		return ok(this.snapshot());
	}

	protected override answer(argv: string[]): ExecResult {
		const c = this.cluster;
		const [cmd, ...args] = argv;
		const line = argv.join(' ');
		for (const [prefix, result] of this.state.failures) if (line.startsWith(prefix)) return result;
		if (cmd === 'env' && args.includes('install')) {
			for (const spec of args.filter((a) => /^kube(adm|let|ctl)=/.test(a))) {
				const [name, version] = spec.split('=');
				if (this.state.files.has(`/held/${name}`)) return fail('E: Held packages were changed and -y was used without --allow-change-held-packages.', 100);
				this.packages.set(name!, version!.replace(/-1\.1$/, ''));
				c.log.push(`${this.nodeName}: install ${name}=${version}`);
			}
			this.state.kubeadm = `v${this.packages.get('kubeadm')}`;
			return ok();
		}
		if (cmd === 'dnf' && args.includes('install')) {
			// dnf: the repo file's exclude= is the hold, lifted per call by --disableexcludes=kubernetes.
			const specs = args.filter((a) => /^kube(adm|let|ctl)-\d/.test(a));
			if (specs.length > 0 && !args.includes('--disableexcludes=kubernetes')) {
				return { code: 1, signal: null, stdout: specs.map((spec) => `All matches were filtered out by exclude filtering for argument: ${spec}\n`).join(''), stderr: `Error: Unable to find a match: ${specs.join(' ')}\n` };
			}
			for (const spec of specs) {
				const name = spec.slice(0, spec.indexOf('-'));
				this.packages.set(name, spec.slice(name.length + 1));
				c.log.push(`${this.nodeName}: dnf install ${spec}`);
			}
			this.state.kubeadm = `v${this.packages.get('kubeadm')}`;
			return ok('Complete!\n');
		}
		if (cmd === 'dnf' && args.includes('list')) c.log.push(`${this.nodeName}: dnf list (${/\/v(\d+\.\d+)\//.exec(this.state.files.get('/etc/yum.repos.d/kubernetes.repo')?.content ?? '')?.[1] ?? 'no repo'})`);
		if (cmd === 'apt-mark') {
			for (const name of args.slice(1)) {
				if (args[0] === 'hold') this.state.files.set(`/held/${name}`, { content: '', mode: 0 });
				else this.state.files.delete(`/held/${name}`);
			}
			return ok();
		}
		if (cmd === 'kubeadm' && args[0] === 'version') return ok(`v${this.packages.get('kubeadm')}\n`);
		if (cmd === 'kubeadm' && args[0] === 'upgrade') {
			const kubeadm = this.packages.get('kubeadm')!;
			if (args[1] === 'plan') return ok(`[upgrade/versions] Target version: v${kubeadm}\n`);
			if (args[1] === 'apply') {
				if (minor(kubeadm) > minor(c.apiServer) + 1) return fail(`[upgrade/version] FATAL: the --version argument is invalid due to these fatal errors:\n\n\t- Specified version to upgrade to "v${kubeadm}" is too high; kubeadm can upgrade only 1 minor version at a time\n`);
				c.apiServer = kubeadm;
				c.log.push(`${this.nodeName}: kubeadm upgrade apply v${kubeadm}`);
				return ok(`[upgrade] SUCCESS! A control plane node of your cluster was upgraded to "v${kubeadm}".`);
			}
			if (args[1] === 'node') {
				c.log.push(`${this.nodeName}: kubeadm upgrade node`);
				return ok('[upgrade] The configuration for this node was successfully updated!');
			}
		}
		if (cmd === 'systemctl' && args[0] === 'restart' && args[1] === 'kubelet') {
			const node = c.nodes.get(this.nodeName);
			if (node) node.kubelet = this.packages.get('kubelet')!;
			c.log.push(`${this.nodeName}: restart kubelet`);
			return ok();
		}
		if (cmd === 'kubectl') {
			const rest = args.slice(2);
			if (rest[0] === 'version') return ok(JSON.stringify({ serverVersion: { gitVersion: `v${c.apiServer}` } }));
			if (rest[0] === 'get' && rest[1] === 'nodes,pods,daemonsets,deployments') return ok(this.snapshot());
			if (rest[0] === 'get' && rest[1] === 'node') {
				const node = c.nodes.get(rest[2]!);
				return node ? ok(JSON.stringify({ spec: { unschedulable: node.unschedulable }, status: { nodeInfo: { kubeletVersion: `v${node.kubelet}` } } })) : fail(`Error from server (NotFound): nodes "${rest[2]}" not found`);
			}
			if (rest[0] === 'get' && rest[1] === 'pdb' && rest.includes('-A')) return ok(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: c.pdbs }));
			if (rest[0] === 'get' && rest[1] === 'pods' && rest.includes('--field-selector')) {
				const node = rest[rest.indexOf('--field-selector') + 1]!.replace(/^spec\.nodeName=/, '');
				return ok(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: c.pods.get(node) ?? [] }));
			}
			if (rest[0] === 'drain') {
				const node = c.nodes.get(rest[1]!)!;
				node.unschedulable = true;
				c.log.push(`${rest[1]}: drain`);
				const blocked = c.blockedDrains.get(rest[1]!);
				return blocked ? { code: 1, signal: null, stdout: `node/${rest[1]} cordoned\n`, stderr: blocked } : ok(`node/${rest[1]} cordoned\nnode/${rest[1]} drained\n`);
			}
			if (rest[0] === 'uncordon') {
				c.nodes.get(rest[1]!)!.unschedulable = false;
				c.log.push(`${rest[1]}: uncordon`);
				return ok(`node/${rest[1]} uncordoned\n`);
			}
		}
		return super.answer(argv);
	}

	override async upload(content: string | Buffer, path: string, options: { mode?: number } = {}): Promise<void> {
		await super.upload(content, path, options);
		if (path.startsWith('/etc/yum.repos.d/') || path.startsWith('/etc/apt/sources.list.d/')) this.cluster.log.push(`${this.nodeName}: write ${path} (${/\/v(\d+\.\d+)\//.exec(content.toString())?.[1] ?? ''})`);
	}
}

/** Hosts 0..n-1 (the first ones control planes) of a cluster at `version`, every node Ready. */
export function fakeCluster(version: string, names: Array<{ name: string; controlPlane: boolean }>, cniImage = 'quay.io/cilium/cilium:v1.20.1@sha256:0', options: { rpm?: boolean } = {}): { cluster: FakeCluster; remote(name: string): FakeClusterRemote } {
	const cluster: FakeCluster = { apiServer: version, nodes: new Map(), blockedDrains: new Map(), pdbs: [], pods: new Map(), cniImage, log: [] };
	const remotes = new Map<string, FakeClusterRemote>();
	for (const { name, controlPlane } of names) {
		cluster.nodes.set(name, { controlPlane, kubelet: version, unschedulable: false, ready: true });
		const state = freshHost(name, { swapOn: false, ...(options.rpm ? { osId: 'rocky', osVersion: '9.5' } : {}) });
		if (controlPlane) state.files.set('/etc/kubernetes/admin.conf', { content: 'admin', mode: 0o600 });
		state.files.set('/etc/kubernetes/kubelet.conf', { content: 'kubelet', mode: 0o600 });
		const minorOf = version.split('.').slice(0, 2).join('.');
		if (options.rpm) state.files.set('/etc/yum.repos.d/kubernetes.repo', { content: `[kubernetes]\nbaseurl=https://pkgs.k8s.io/core:/stable:/v${minorOf}/rpm/\nexclude=kubelet kubeadm kubectl cri-tools kubernetes-cni\n`, mode: 0o644 });
		else state.files.set('/etc/apt/sources.list.d/kubernetes.list', { content: `deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/v${version.split('.').slice(0, 2).join('.')}/deb/ /\n`, mode: 0o644 });
		remotes.set(name, new FakeClusterRemote(state, cluster, name, version));
	}
	return { cluster, remote: (name) => remotes.get(name)! };
}
