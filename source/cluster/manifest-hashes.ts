// The sha256 of each pinned upstream manifest, as recorded in manifests/PROVENANCE.md. Every load is
// checked against it, so an edited or corrupted file in an installed package is refused instead of
// being applied to a cluster (test/cluster/provenance.test.ts keeps this table and PROVENANCE.md equal).
export const MANIFEST_SHA256: Readonly<Record<string, string>> = {
	'cilium/cilium-1.20.1.yaml': 'a13714e3497e5fe4191d79bf8f95f206296a68415f14172abc1fb31664f04b22',
	'calico/calico.yaml': 'a1df919d9721cf667accdc3e72848911b0cb25cfab7d2478ad0c996302c95744',
	'calico/calico-vxlan.yaml': 'c2ab4f9a4ecde01d66e6f040d6745cd7f174d5ded573164c809ffb9f40a9d566',
	'calico/calico-typha.yaml': '7ecc42a5ca2bd47764384f5c52b89b007c06cbf907fd3214c1cf4abc75ead76f',
};

export class ManifestIntegrityError extends Error {
	constructor(readonly file: string, readonly actual: string, readonly expected: string | undefined) {
		super(expected === undefined
			? `manifests/${file}: no pinned sha256 for this file; reinstall kubestrap`
			: `manifests/${file}: sha256 ${actual} is not the pinned ${expected}; the file was changed after kubestrap was built: reinstall kubestrap`);
		this.name = 'ManifestIntegrityError';
	}
}

/** Throws ManifestIntegrityError unless hash is the pinned one for file. */
export function checkManifestHash(file: string, hash: string): void {
	const expected = MANIFEST_SHA256[file];
	if (expected !== hash) throw new ManifestIntegrityError(file, hash, expected);
}
