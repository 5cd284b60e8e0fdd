// Valid starting points for table tests: each row changes a few paths and states what must be reported.
import { stringify } from 'yaml';
import { resolveSpec, formatProblem } from '../../source/spec/resolve.js';
import type { Problem } from '../../source/spec/types.js';

type Tree = Record<string, unknown>;

export function baremetalBase(): Tree {
	return {
		apiVersion: 'kubestrap.dev/v1alpha1',
		kind: 'Cluster',
		metadata: { name: 'demo' },
		spec: {
			target: 'baremetal',
			hosts: [
				{ address: '192.0.2.10', role: 'control-plane', privateAddress: '10.0.0.10', name: 'cp-1' },
				{ address: '192.0.2.11', role: 'worker', privateAddress: '10.0.0.11', name: 'worker-1' },
			],
			ssh: { user: 'ubuntu', port: 22, knownHostsFile: '~/.ssh/known_hosts', hostKeyPolicy: 'strict' },
			kubernetes: { version: '1.35', podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12' },
			network: { cni: 'cilium', cilium: { ipam: 'cluster-pool', tunnel: 'vxlan' } },
		},
	};
}

export function awsBase(): Tree {
	const base = baremetalBase();
	const spec = base.spec as Tree;
	spec.target = 'aws';
	delete spec.hosts;
	spec.aws = { region: 'eu-west-1', instanceIds: ['i-0abc123def4567890'], addressType: 'private' };
	return base;
}

/** Sets (or with undefined, deletes) dotted paths; `hosts.1.name` indexes lists. */
export function withPaths(base: Tree, changes: Record<string, unknown>): Tree {
	const tree = structuredClone(base);
	for (const [path, value] of Object.entries(changes)) {
		const keys = path.split('.');
		const last = keys.pop() as string;
		let node: Tree = tree;
		for (const key of keys) node = (node[key] ??= {}) as Tree;
		if (value === undefined) delete node[last];
		else node[last] = structuredClone(value);
	}
	return tree;
}

export function check(tree: Tree): Problem[] {
	const result = resolveSpec({ file: { content: stringify(tree), name: 'cluster.yaml' } });
	return result.ok ? [] : result.problems;
}

export function checkText(text: string): Problem[] {
	const result = resolveSpec({ file: { content: text, name: 'cluster.yaml' } });
	return result.ok ? [] : result.problems;
}

export function lines(problems: Problem[]): string[] {
	return problems.map(formatProblem);
}
