// What kubestrap installs: the pinned CNI releases (shipped under manifests/) and the Kubernetes minors
// both are tested on. This table is the one place those facts live; every row says where they come from.
// A minor is offered for a new cluster when both pinned CNI releases are tested on it and it has not reached
// end of life; the default is the newest such minor. Rows that are not offered stay in the table so a running
// cluster at that minor can still be recognised (and upgraded) and a refusal can give the reason.
import type { Cni } from './types.js';

export const CILIUM_VERSION = '1.20.1';
export const CALICO_VERSION = '3.32.1';

export interface KubernetesMinor {
	minor: string;
	/** kubeadm configuration API used for this minor (v1beta4 from 1.31; v1beta3 is gone in 1.36). */
	kubeadmApi: 'kubeadm.k8s.io/v1beta4';
	/**
	 * A published patch of the minor named by the sources below. Installs ask the package repository for the
	 * newest patch; this one is shown only where no host can be asked (a plan before the repository is set up).
	 */
	knownPatch: string;
	/** the pinned CNI releases whose Kubernetes compatibility lists name this minor */
	cnis: readonly Cni[];
	/** end-of-life date (YYYY-MM-DD): refused for new clusters from then on */
	endOfLife?: string;
}

export const KUBERNETES_MINORS: readonly KubernetesMinor[] = [
	// 1.34: end of life 2026-10-27 (kubernetes.io/releases). Calico 3.32 tested on 1.34–1.36 (tigera/docs
	// version-3.32 _system-requirements.mdx); Cilium 1.20 on 1.33–1.36 (see 1.36). Patch: v1.34.11 (minikube
	// constants_kubernetes_versions.go, 2026-08-22). Kept so a 1.34 cluster can be upgraded.
	{ minor: '1.34', kubeadmApi: 'kubeadm.k8s.io/v1beta4', knownPatch: '1.34.11', cnis: ['cilium', 'calico'], endOfLife: '2026-10-27' },
	// 1.35: Calico 3.32 tested (as above); Cilium 1.20 tested (as for 1.36; 1.19 lists 1.32–1.35 too).
	// Patch: v1.35.8 (minikube, 2026-08-22).
	{ minor: '1.35', kubeadmApi: 'kubeadm.k8s.io/v1beta4', knownPatch: '1.35.8', cnis: ['cilium', 'calico'] },
	// 1.36: Calico 3.32 tested (as above). Cilium 1.20: its compatibility list names the Kubernetes minors GA
	// before the release (1.36 GA 2026-04, Cilium 1.20.0 GA 2026-07-29; cilium/cilium#47846 added 1.36 to CI;
	// 1.18 → 1.30–1.33 and 1.19 → 1.32–1.35 follow the same rule). Patch: v1.36.4 (minikube, 2026-08-22).
	{ minor: '1.36', kubeadmApi: 'kubeadm.k8s.io/v1beta4', knownPatch: '1.36.4', cnis: ['cilium', 'calico'] },
	// 1.37: GA 2026-08-26 (kubernetes/sig-release releases/release-1.37), after Cilium 1.20.0, so not in its
	// tested list; Calico 3.32 is tested only up to 1.36. Refused until the pinned releases move.
	{ minor: '1.37', kubeadmApi: 'kubeadm.k8s.io/v1beta4', knownPatch: '1.37.0', cnis: [] },
];

/** The date end-of-life is judged against; a parameter so the table's tests do not depend on the clock. */
function offered(minor: KubernetesMinor, today: string): boolean {
	return minor.cnis.length === 2 && (minor.endOfLife === undefined || today < minor.endOfLife);
}

function todayUtc(): string {
	return new Date().toISOString().slice(0, 10);
}

/** Minors offered for a new cluster today (both CNIs tested, not end of life), oldest first. */
export function offeredMinors(today: string = todayUtc()): string[] {
	return KUBERNETES_MINORS.filter((m) => offered(m, today)).map((m) => m.minor);
}

/** The newest minor both pinned CNI releases are tested on. */
export const DEFAULT_KUBERNETES_MINOR = '1.36';

export interface ResolvedVersion {
	minor: KubernetesMinor;
	/** the exact version the spec names (e.g. 1.36.2); undefined = the newest patch the package repository has */
	patch?: string;
}

const VERSION = /^v?(1\.(\d{1,3}))(?:\.(\d{1,4}))?$/;

function cniRelease(cni: Cni): string {
	return cni === 'cilium' ? `Cilium ${CILIUM_VERSION}` : `Calico ${CALICO_VERSION}`;
}

export function parseKubernetesVersion(value: string): { minor: string; patch?: string } | undefined {
	const match = VERSION.exec(value.trim());
	if (!match || match[1] === undefined) return undefined;
	return { minor: match[1], ...(match[3] === undefined ? {} : { patch: `${match[1]}.${Number(match[3])}` }) };
}

/** Finds a minor in the table without judging it (what a running cluster reports). */
export function findMinor(minor: string): KubernetesMinor | undefined {
	return KUBERNETES_MINORS.find((m) => m.minor === minor);
}

/** Why this minor cannot run this CNI at all (a running cluster or an upgrade target), or undefined. */
export function cniRefusal(minor: KubernetesMinor, cni: Cni): string | undefined {
	if (minor.cnis.includes(cni)) return undefined;
	const with_ = KUBERNETES_MINORS.filter((m) => m.cnis.includes(cni)).map((m) => m.minor).join(', ');
	return `Kubernetes ${minor.minor} is not supported: ${cniRelease(cni)} is not tested on it (tested: ${with_})`;
}

/**
 * Resolves "1.36", "v1.36" or "1.36.2" against the support table for a new cluster or an upgrade target;
 * a string is the reason it is refused.
 */
export function resolveKubernetesVersion(value: string, cni?: Cni, today: string = todayUtc()): ResolvedVersion | string {
	const supported = offeredMinors(today).join(', ');
	const parsed = parseKubernetesVersion(value);
	if (!parsed) return `"${value}" is not a Kubernetes version; use a minor such as "${DEFAULT_KUBERNETES_MINOR}" or an exact patch such as "${DEFAULT_KUBERNETES_MINOR}.2" (supported: ${supported})`;
	const minor = findMinor(parsed.minor);
	if (!minor) return `Kubernetes ${parsed.minor} is not supported; supported minors: ${supported}`;
	if (minor.endOfLife !== undefined && today >= minor.endOfLife) {
		return `Kubernetes ${minor.minor} reached end of life on ${minor.endOfLife} and is not installed on new clusters; supported minors: ${supported}`;
	}
	// Offered only when both releases are tested, so switching the CNI later never meets an untested pair.
	const untested = (['cilium', 'calico'] as const).filter((c) => !minor.cnis.includes(c));
	if (untested.length > 0) {
		const names = untested.map(cniRelease).join(' and ');
		const mine = cni && untested.includes(cni) ? '' : ' (both pinned CNI releases must be)';
		return `Kubernetes ${minor.minor} is not supported: ${names} ${untested.length > 1 ? 'are' : 'is'} not tested on it${mine}; supported minors: ${supported}`;
	}
	return { minor, ...(parsed.patch === undefined ? {} : { patch: parsed.patch }) };
}
