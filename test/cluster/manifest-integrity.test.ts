// The pinned manifests are checked against their sha256 on every load, not only here: the table the
// loader uses equals PROVENANCE.md, and a changed byte is refused with a message naming the file.
import { readFile } from 'node:fs/promises';
import test from 'ava';
import { checkManifestHash, MANIFEST_SHA256, ManifestIntegrityError } from '../../source/cluster/manifest-hashes.js';
import { manifestsDir, MANIFEST_FILES, readManifest } from '../../source/cluster/manifests.js';

test('the loader\'s table is PROVENANCE.md\'s', async (t) => {
	const text = await readFile(new URL('PROVENANCE.md', manifestsDir()), 'utf8');
	const table = Object.fromEntries([...text.matchAll(/^\| ([\w./-]+\.yaml) \| ([0-9a-f]{64}) \| \d+ \|$/gm)].map((m) => [m[1], m[2]]));
	t.deepEqual(MANIFEST_SHA256, table);
	for (const file of Object.values(MANIFEST_FILES)) t.true(readManifest(file).length > 0, file);
});

test('a hash that differs is refused, naming the file and both hashes', (t) => {
	const error = t.throws(() => checkManifestHash('calico/calico.yaml', '0'.repeat(64)), { instanceOf: ManifestIntegrityError });
	t.is(error?.message, `manifests/calico/calico.yaml: sha256 ${'0'.repeat(64)} is not the pinned ${MANIFEST_SHA256['calico/calico.yaml']}; the file was changed after kubestrap was built: reinstall kubestrap`);
	t.throws(() => checkManifestHash('calico/other.yaml', '0'.repeat(64)), { message: /no pinned sha256/ });
});
