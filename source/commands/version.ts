// `kubestrap version`: kubestrap's own version and what it installs, from the support table and the
// pinned releases (spec/versions.ts), so the two can never disagree.
import { CALICO_VERSION, CILIUM_VERSION, DEFAULT_KUBERNETES_MINOR, KUBERNETES_MINORS, offeredMinors } from '../spec/versions.js';
import { EXIT, type Io } from './io.js';

export interface VersionInfo {
	kubestrap: string;
	/**
	 * Every minor of the support table. `offered`: installed on new clusters today. `knownPatch`: a published
	 * patch; installs take the newest patch the package repository offers unless the spec names one.
	 */
	kubernetes: { default: string; minors: Array<{ minor: string; offered: boolean; knownPatch: string; cnis: string[]; endOfLife?: string }> };
	cilium: string;
	calico: string;
}

export function versionInfo(kubestrap: string): VersionInfo {
	return {
		kubestrap,
		kubernetes: {
			default: DEFAULT_KUBERNETES_MINOR,
			minors: KUBERNETES_MINORS.map((m) => ({ minor: m.minor, offered: offeredMinors().includes(m.minor), knownPatch: m.knownPatch, cnis: [...m.cnis], ...(m.endOfLife ? { endOfLife: m.endOfLife } : {}) })),
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
	const minors = info.kubernetes.minors.filter((m) => m.offered).map((m) => `${m.minor}${m.minor === info.kubernetes.default ? ' (default)' : ''} with ${m.cnis.join(' or ')}`);
	io.stdout([
		`kubestrap ${info.kubestrap}`,
		`Kubernetes minors: ${minors.join('; ')} (the newest patch the package repository offers, unless the spec names one)`,
		`Cilium ${info.cilium}`,
		`Calico ${info.calico}`,
	].join('\n') + '\n');
	return EXIT.ok;
}
