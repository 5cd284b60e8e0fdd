// `kubestrap version`: kubestrap's own version and what it installs, from the support table and the
// pinned releases (spec/versions.ts), so the two can never disagree.
import { CALICO_VERSION, CILIUM_VERSION, DEFAULT_KUBERNETES_MINOR, KUBERNETES_MINORS } from '../spec/versions.js';
import { EXIT, type Io } from './io.js';

export interface VersionInfo {
	kubestrap: string;
	kubernetes: { default: string; minors: Array<{ minor: string; patch: string; cnis: string[] }> };
	cilium: string;
	calico: string;
}

export function versionInfo(kubestrap: string): VersionInfo {
	return {
		kubestrap,
		kubernetes: {
			default: DEFAULT_KUBERNETES_MINOR,
			minors: KUBERNETES_MINORS.map((m) => ({ minor: m.minor, patch: m.defaultPatch, cnis: [...m.cnis] })),
		},
		cilium: CILIUM_VERSION,
		calico: CALICO_VERSION,
	};
}

export function versionCommand(options: { output?: string }, kubestrap: string, io: Io): number {
	const info = versionInfo(kubestrap);
	if (options.output === 'json') {
		io.stdout(`${JSON.stringify(info, null, 2)}\n`);
		return EXIT.ok;
	}
	const minors = info.kubernetes.minors.map((m) => `${m.minor}${m.minor === info.kubernetes.default ? ' (default)' : ''}: ${m.patch}, with ${m.cnis.join(' or ')}`);
	io.stdout([
		`kubestrap ${info.kubestrap}`,
		`Kubernetes minors: ${minors.join('; ')}`,
		`Cilium ${info.cilium}`,
		`Calico ${info.calico}`,
	].join('\n') + '\n');
	return EXIT.ok;
}
