// What kubestrap installs: the pinned CNI releases (shipped under manifests/) and the Kubernetes
// minors both are tested with. Calico 3.32 is tested on 1.34–1.36; Cilium 1.20 lists the four
// minors before its release (1.32–1.35). The default is the newest minor both support.
import type { Cni } from './types.js';

export const CILIUM_VERSION = '1.20.1';
export const CALICO_VERSION = '3.32.1';

export interface KubernetesMinor {
	minor: string;
	/** kubeadm configuration API used for this minor (v1beta4 from 1.31; v1beta3 is gone in 1.36). */
	kubeadmApi: 'kubeadm.k8s.io/v1beta4';
	/** patch installed when the spec names only the minor: a published release of that minor */
	defaultPatch: string;
	cnis: readonly Cni[];
}

export const KUBERNETES_MINORS: readonly KubernetesMinor[] = [
	{ minor: '1.34', kubeadmApi: 'kubeadm.k8s.io/v1beta4', defaultPatch: '1.34.4', cnis: ['cilium', 'calico'] },
	{ minor: '1.35', kubeadmApi: 'kubeadm.k8s.io/v1beta4', defaultPatch: '1.35.1', cnis: ['cilium', 'calico'] },
	{ minor: '1.36', kubeadmApi: 'kubeadm.k8s.io/v1beta4', defaultPatch: '1.36.1', cnis: ['calico'] },
];

export const DEFAULT_KUBERNETES_MINOR = '1.35';

export interface ResolvedVersion {
	minor: KubernetesMinor;
	/** exact version to install, e.g. 1.35.1 */
	patch: string;
}

const VERSION = /^v?(1\.(\d{1,3}))(?:\.(\d{1,4}))?$/;

function supportedList(cni?: Cni): string {
	return KUBERNETES_MINORS.filter((m) => !cni || m.cnis.includes(cni)).map((m) => m.minor).join(', ');
}

/** Resolves "1.35", "v1.35" or "1.35.2" against the support table; a string is the reason it is refused. */
export function resolveKubernetesVersion(value: string, cni?: Cni): ResolvedVersion | string {
	const match = VERSION.exec(value);
	if (!match) return `"${value}" is not a Kubernetes version; use a minor such as "${DEFAULT_KUBERNETES_MINOR}" or an exact patch such as "${DEFAULT_KUBERNETES_MINOR}.1" (supported: ${supportedList()})`;
	const minor = KUBERNETES_MINORS.find((m) => m.minor === match[1]);
	if (!minor) return `Kubernetes ${match[1]} is not supported; supported minors: ${supportedList(cni)}`;
	if (cni && !minor.cnis.includes(cni)) {
		const release = cni === 'cilium' ? `Cilium ${CILIUM_VERSION}` : `Calico ${CALICO_VERSION}`;
		return `Kubernetes ${minor.minor} is not supported by ${release}; supported with ${cni}: ${supportedList(cni)}`;
	}
	const patch = match[3] === undefined ? minor.defaultPatch : `${minor.minor}.${Number(match[3])}`;
	return { minor, patch };
}
