// Where the pinned upstream manifests live and how they are read. They ship in the package next to
// dist/ (package.json "files"), so they are found relative to this compiled module:
// dist/source/cluster/manifests.js → ../../../manifests/.
import { readFileSync } from 'node:fs';
import { CALICO_VERSION, CILIUM_VERSION } from '../spec/versions.js';
import { parseStream, type KubeObject } from './yaml-stream.js';

/** Paths under manifests/, as named in manifests/PROVENANCE.md. */
export const MANIFEST_FILES = {
	cilium: `cilium/cilium-${CILIUM_VERSION}.yaml`,
	calico: 'calico/calico.yaml',
	calicoVxlan: 'calico/calico-vxlan.yaml',
	calicoTypha: 'calico/calico-typha.yaml',
} as const;

export type ManifestFile = (typeof MANIFEST_FILES)[keyof typeof MANIFEST_FILES];

export function manifestsDir(): URL {
	return new URL('../../../manifests/', import.meta.url);
}

export function manifestUrl(file: string): URL {
	return new URL(file, manifestsDir());
}

/** Reads and parses one pinned file; every call parses afresh, so callers may edit the result. */
export function readManifest(file: ManifestFile): KubeObject[] {
	const text = readFileSync(manifestUrl(file), 'utf8');
	return parseStream(text, `manifests/${file}`);
}
