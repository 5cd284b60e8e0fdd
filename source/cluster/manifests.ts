// Where the pinned upstream manifests live and how they are read. They ship in the package next to
// dist/ (package.json "files") and, in the single executable, as assets under the same paths; reads go
// through package-files.ts, which knows which of the two is running.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { packageFileUrl, readPackageText } from '../package-files.js';
import { CALICO_VERSION, CILIUM_VERSION } from '../spec/versions.js';
import { parseStream, type KubeObject } from './yaml-stream.js';
import { checkManifestHash } from './manifest-hashes.js';

/** Paths under manifests/, as named in manifests/PROVENANCE.md. */
export const MANIFEST_FILES = {
	cilium: `cilium/cilium-${CILIUM_VERSION}.yaml`,
	calico: 'calico/calico.yaml',
	calicoVxlan: 'calico/calico-vxlan.yaml',
	calicoTypha: 'calico/calico-typha.yaml',
} as const;

export type ManifestFile = (typeof MANIFEST_FILES)[keyof typeof MANIFEST_FILES];

export function manifestsDir(): URL {
	return packageFileUrl('manifests/');
}

export function manifestUrl(file: string): URL {
	return new URL(file, manifestsDir());
}

// Parsing the 350 KB Calico files as YAML costs more than the rest of a render, so the build stores
// each file's parsed objects as JSON in dist/manifests/ together with the sha256 of the YAML they came
// from. A cache whose hash does not match the shipped YAML (or no cache) means parsing the YAML.
interface ManifestCache {
	sha256: string;
	objects: KubeObject[];
}

function cachePath(file: string): string {
	return `dist/manifests/${file}.json`;
}

/** Package-relative paths of every manifest and its parse cache: what the single executable embeds. */
export function manifestAssetPaths(): string[] {
	return Object.values(MANIFEST_FILES).flatMap((file) => [`manifests/${file}`, cachePath(file)]);
}

function sha256(text: string): string {
	return createHash('sha256').update(text).digest('hex');
}

function fromCache(file: string, hash: string): KubeObject[] | undefined {
	try {
		const cache = JSON.parse(readPackageText(cachePath(file))) as ManifestCache;
		return cache.sha256 === hash && Array.isArray(cache.objects) ? cache.objects : undefined;
	} catch {
		return undefined;
	}
}

/** Reads and parses one pinned file; every call returns fresh objects, so callers may edit the result. */
export function readManifest(file: ManifestFile): KubeObject[] {
	const text = readPackageText(`manifests/${file}`);
	const hash = sha256(text);
	checkManifestHash(file, hash);
	return fromCache(file, hash) ?? parseStream(text, `manifests/${file}`);
}

/** Parses every pinned file from YAML and writes the JSON cache next to the compiled code (run by `npm run build`). */
export function writeManifestCache(): string[] {
	return Object.values(MANIFEST_FILES).map((file) => {
		const text = readFileSync(manifestUrl(file), 'utf8');
		const cache: ManifestCache = { sha256: sha256(text), objects: parseStream(text, `manifests/${file}`) };
		const url = packageFileUrl(cachePath(file));
		mkdirSync(new URL('.', url), { recursive: true });
		writeFileSync(url, JSON.stringify(cache));
		return file;
	});
}
