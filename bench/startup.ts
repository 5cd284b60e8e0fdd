// Startup cost: `kubestrap --version` and `kubestrap render` against bare Node startup.
// Targets (issue 2): --version ≤ 2× `node -e 0`, render of the Cilium example ≤ 3×.
import { interleave, median, type Timed } from './measure.js';

export interface StartupResult {
	rows: Array<{ name: string; medianMs: number; ratio: number; target?: number }>;
}

export function benchStartup(root: string, rounds = 21): StartupResult {
	const node = process.execPath;
	const commands: Timed[] = [
		{ name: 'node -e 0', argv: [node, '-e', '0'] },
		{ name: 'kubestrap --version', argv: [node, 'bin/kubestrap.js', '--version'] },
		{ name: 'kubestrap validate (cilium example)', argv: [node, 'bin/kubestrap.js', 'validate', '--config', 'examples/baremetal-cilium.yaml'] },
		{ name: 'kubestrap render (cilium example)', argv: [node, 'bin/kubestrap.js', 'render', '--config', 'examples/baremetal-cilium.yaml'] },
		{ name: 'kubestrap render (aws eni example)', argv: [node, 'bin/kubestrap.js', 'render', '--config', 'examples/aws-cilium-eni.yaml'] },
		{ name: 'kubestrap render (calico example)', argv: [node, 'bin/kubestrap.js', 'render', '--config', 'examples/baremetal-calico-vxlan.yaml'] },
	];
	const targets: Record<string, number> = { 'kubestrap --version': 2, 'kubestrap render (cilium example)': 3 };
	const times = interleave(commands, rounds, root);
	const base = median(times.get('node -e 0') ?? []);
	return {
		rows: commands.map(({ name }) => {
			const m = median(times.get(name) ?? []);
			return { name, medianMs: m, ratio: m / base, target: targets[name] };
		}),
	};
}
