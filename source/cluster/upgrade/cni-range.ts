// The Kubernetes minors CNI releases are tested on (pure): the pinned releases from the support table,
// earlier ones a running cluster may still have from their own compatibility pages.
import type { Cni } from '../../spec/types.js';
import { CALICO_VERSION, CILIUM_VERSION, KUBERNETES_MINORS } from '../../spec/versions.js';

/**
 * Earlier releases, by minor. Cilium 1.18: 1.30–1.33 and 1.19: 1.32–1.35 (Documentation/network/kubernetes/
 * compatibility.rst at v1.18.14 and 1.19.3). Calico 3.31: not read from its docs; its tested list ends at
 * 1.35 (upgrade notes in the day-2 research), so only 1.35 and earlier supported minors are counted.
 */
const EARLIER: Record<Cni, Record<string, readonly string[]>> = {
	cilium: { '1.18': ['1.30', '1.31', '1.32', '1.33'], '1.19': ['1.32', '1.33', '1.34', '1.35'] },
	calico: { '3.31': ['1.34', '1.35'] },
};

function minorOfRelease(release: string): string {
	return release.split('.').slice(0, 2).join('.');
}

export function cniTestedOn(cni: Cni, release: string, kubernetesMinor: string): boolean {
	const pinned = cni === 'cilium' ? CILIUM_VERSION : CALICO_VERSION;
	if (minorOfRelease(release) === minorOfRelease(pinned)) return KUBERNETES_MINORS.some((m) => m.minor === kubernetesMinor && m.cnis.includes(cni));
	return EARLIER[cni][minorOfRelease(release)]?.includes(kubernetesMinor) ?? false;
}
