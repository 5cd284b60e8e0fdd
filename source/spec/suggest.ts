// "did you mean": the closest known word by edit distance, case-insensitive.

function distance(a: string, b: string): number {
	const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
	for (let i = 1; i <= a.length; i++) {
		let diagonal = previous[0] ?? 0;
		previous[0] = i;
		for (let j = 1; j <= b.length; j++) {
			const above = previous[j] ?? 0;
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			previous[j] = Math.min(above + 1, (previous[j - 1] ?? 0) + 1, diagonal + cost);
			diagonal = above;
		}
	}
	return previous[b.length] ?? 0;
}

/** The candidate nearest to `word`, if it is near enough to be a plausible typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
	const lower = word.toLowerCase();
	let best: string | undefined;
	let bestScore = Infinity;
	for (const candidate of candidates) {
		const score = distance(lower, candidate.toLowerCase());
		if (score < bestScore) {
			best = candidate;
			bestScore = score;
		}
	}
	const limit = Math.max(2, Math.floor(Math.max(word.length, best?.length ?? 0) / 3));
	if (best !== undefined && bestScore <= limit && bestScore < word.length) return best;
	// Same stem, different ending (podCidr → podSubnet): accept when exactly one candidate shares it.
	const stem = lower.slice(0, 3);
	const sharing = stem.length === 3 ? candidates.filter((c) => c.toLowerCase().startsWith(stem)) : [];
	return sharing.length === 1 ? sharing[0] : undefined;
}
