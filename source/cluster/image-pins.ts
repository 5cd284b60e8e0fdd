// Image digests kubestrap adds to the pinned manifests, each from a public source, and the images that stay
// pinned by tag only, with why. Every image a render can produce is either `…@sha256:<digest>` or listed in
// TAG_ONLY_IMAGES (a test renders every variant and checks; the README lists the same images).

/**
 * Cilium's operator for ENI mode, per release. Source: the Cilium v1.20.1 release notes, section "Docker
 * Manifests" (https://github.com/cilium/cilium/releases/tag/v1.20.1), which list
 * `quay.io/cilium/operator-aws:v1.20.1@sha256:7cf0cb0e…45acd7`; the same notes give the cilium and
 * operator-generic digests the shipped render already carries (ae9ea21f…, 6c3885fc…), which ties them
 * to that release.
 */
export const CILIUM_OPERATOR_AWS_DIGESTS: Readonly<Record<string, string>> = {
	'v1.20.1': 'sha256:7cf0cb0e6584f72ca8de951a1be03829f69fcaeba69dc6c7856fc4470545acd7',
};

/**
 * Images rendered by tag only, and why. Calico publishes its v3.32.1 images by tag: neither its manifests
 * (`manifests/calico*.yaml` at the tag) nor its release notes name digests, and no other public source
 * kubestrap could cite gives them; a digest copied from an unattributable page would be a guess.
 */
export const TAG_ONLY_IMAGES: Readonly<Record<string, string>> = {
	'quay.io/calico/cni:v3.32.1': 'Calico publishes no digest for its release images',
	'quay.io/calico/node:v3.32.1': 'Calico publishes no digest for its release images',
	'quay.io/calico/kube-controllers:v3.32.1': 'Calico publishes no digest for its release images',
	'quay.io/calico/typha:v3.32.1': 'Calico publishes no digest for its release images (Typha: more than 50 nodes)',
};

/** Whether an image reference carries a sha256 digest. */
export function pinnedByDigest(image: string): boolean {
	return /@sha256:[0-9a-f]{64}$/.test(image);
}
