// Golden files for rendered manifests, kept readable and small: the header, then every object in
// output order, printed exactly as rendered when it differs from upstream and as a one-line marker
// when it is identical to the upstream object (the Calico files are ~350 KB each).
//
// Regenerate after an intended change with:  UPDATE_GOLDEN=1 npx ava dist/test/cluster/
// (after `npx tsc -p .`), then review the diff of test/cluster/golden/ before committing it.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import type { ExecutionContext } from 'ava';
import type { RenderedManifests } from '../../source/cluster/render.js';
import { objectId } from './_diff.js';

type Obj = Record<string, unknown>;

const GOLDEN_DIR = new URL('../../../test/cluster/golden/', import.meta.url);

/** The rendered text reduced to what differs from `upstream` (objects printed byte for byte as rendered). */
export function goldenView(rendered: RenderedManifests, upstream: readonly Obj[]): string {
	// Every document starts with a `---` line; the printer never emits such a line inside one.
	const parts = rendered.text.split(/^---\n/m);
	const head = parts.shift() ?? '';
	if (parts.length !== rendered.documents.length) throw new Error(`${parts.length} document chunks for ${rendered.documents.length} objects`);
	const byId = new Map(upstream.map((o) => [objectId(o), o]));
	const chunks = rendered.documents.map((object, index) => {
		const id = objectId(object);
		const original = byId.get(id);
		if (original !== undefined && isDeepStrictEqual(original, object)) return `# unchanged upstream: ${id}\n`;
		return `---\n${parts[index] ?? ''}`;
	});
	return head + chunks.join('');
}

export async function assertGolden(t: ExecutionContext, name: string, actual: string): Promise<void> {
	const file = new URL(name, GOLDEN_DIR);
	if (process.env['UPDATE_GOLDEN'] === '1') {
		await mkdir(GOLDEN_DIR, { recursive: true });
		await writeFile(file, actual);
		t.log(`rewrote test/cluster/golden/${name}`);
		t.pass();
		return;
	}
	let expected: string;
	try {
		expected = await readFile(file, 'utf8');
	} catch {
		t.fail(`test/cluster/golden/${name} is missing; create it with UPDATE_GOLDEN=1`);
		return;
	}
	t.is(actual, expected, `rendered output differs from test/cluster/golden/${name} (UPDATE_GOLDEN=1 rewrites it)`);
}
