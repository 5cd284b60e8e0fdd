// Every shipped manifest is the upstream file byte for byte: its sha256 is the one in PROVENANCE.md.
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { MANIFEST_FILES, manifestsDir, readManifest } from '../../source/cluster/manifests.js';

const APACHE_2_SHA256 = 'cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30';

async function sha256(file: URL): Promise<{ hash: string; bytes: number }> {
	const content = await readFile(file);
	return { hash: createHash('sha256').update(content).digest('hex'), bytes: content.length };
}

async function provenanceTable(): Promise<Map<string, { hash: string; bytes: number }>> {
	const text = await readFile(new URL('PROVENANCE.md', manifestsDir()), 'utf8');
	const rows = new Map<string, { hash: string; bytes: number }>();
	for (const match of text.matchAll(/^\| ([\w./-]+\.yaml) \| ([0-9a-f]{64}) \| (\d+) \|$/gm)) {
		rows.set(match[1] ?? '', { hash: match[2] ?? '', bytes: Number(match[3]) });
	}
	return rows;
}

async function shippedYaml(): Promise<string[]> {
	const files: string[] = [];
	for (const dir of ['cilium', 'calico']) {
		for (const name of await readdir(new URL(`${dir}/`, manifestsDir()))) if (name.endsWith('.yaml')) files.push(`${dir}/${name}`);
	}
	return files.sort();
}

test('manifests/ resolves from the compiled module', (t) => {
	t.regex(fileURLToPath(manifestsDir()), /[/\\]manifests[/\\]$/);
	t.false(fileURLToPath(manifestsDir()).includes('/dist/'), 'the repository (or package) root, not dist/');
});

test('every shipped manifest has its sha256 in PROVENANCE.md, and matches it', async (t) => {
	const table = await provenanceTable();
	const shipped = await shippedYaml();
	t.deepEqual([...table.keys()].sort(), shipped, 'PROVENANCE.md lists exactly the shipped files');
	for (const file of shipped) {
		t.deepEqual(await sha256(new URL(file, manifestsDir())), table.get(file), file);
	}
});

test('the renderer uses only files listed in PROVENANCE.md', async (t) => {
	const table = await provenanceTable();
	for (const file of Object.values(MANIFEST_FILES)) t.true(table.has(file), file);
});

test('LICENSE is the Apache License 2.0 text, named in PROVENANCE.md', async (t) => {
	t.is((await sha256(new URL('LICENSE', manifestsDir()))).hash, APACHE_2_SHA256);
	t.true((await readFile(new URL('PROVENANCE.md', manifestsDir()), 'utf8')).includes(APACHE_2_SHA256));
});

test('the Cilium file still has the one placeholder the renderer replaces', async (t) => {
	const text = await readFile(new URL(MANIFEST_FILES.cilium, manifestsDir()), 'utf8');
	t.is(text.split('{{ .PodSubnet }}').length - 1, 1);
	const config = readManifest(MANIFEST_FILES.cilium).find((o) => o['kind'] === 'ConfigMap');
	t.is((config?.['data'] as Record<string, unknown>)['cluster-pool-ipv4-cidr'], '{{ .PodSubnet }}');
});
