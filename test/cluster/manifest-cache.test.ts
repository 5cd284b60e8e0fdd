import { readFileSync } from 'node:fs';
import test from 'ava';
import { MANIFEST_FILES, manifestUrl, readManifest } from '../../source/cluster/manifests.js';
import { parseStream } from '../../source/cluster/yaml-stream.js';

test('the build cache gives exactly the objects parsing the pinned YAML gives', (t) => {
	for (const file of Object.values(MANIFEST_FILES)) {
		const parsed = parseStream(readFileSync(manifestUrl(file), 'utf8'), file);
		t.deepEqual(readManifest(file), parsed, file);
	}
});

test('each read returns fresh objects callers may edit', (t) => {
	const first = readManifest(MANIFEST_FILES.cilium);
	(first[0] as Record<string, unknown>).kind = 'Edited';
	t.not(readManifest(MANIFEST_FILES.cilium)[0]?.kind, 'Edited');
});
