// Which node pairs the cross-node probes cover. Up to ten nodes every ordered pair is tested; beyond
// that a ring (each node to the next) plus a few random partners per node, so the number of probes
// grows linearly with the cluster while every node still sends and receives across the network.
export const FULL_MESH_LIMIT = 10;
const EXTRA_PARTNERS = 2;

/** A small seeded generator (mulberry32): the same seed picks the same pairs, so a run can be repeated. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Ordered [from, to] pairs over `nodes` (names, in a stable order). */
export function selectPairs(nodes: readonly string[], random: () => number): Array<[string, string]> {
	const pairs: Array<[string, string]> = [];
	if (nodes.length <= FULL_MESH_LIMIT) {
		for (const from of nodes) for (const to of nodes) if (from !== to) pairs.push([from, to]);
		return pairs;
	}
	const n = nodes.length;
	for (let i = 0; i < n; i++) {
		const from = nodes[i] as string;
		const chosen = new Set<number>([i, (i + 1) % n]);
		pairs.push([from, nodes[(i + 1) % n] as string]);
		let guard = 0;
		while (chosen.size < 2 + EXTRA_PARTNERS && guard++ < 100) {
			const j = Math.floor(random() * n);
			if (chosen.has(j)) continue;
			chosen.add(j);
			pairs.push([from, nodes[j] as string]);
		}
	}
	return pairs;
}
