// Word wrapping done before Ink sees the text: Ink's own wrap keeps the space it broke at, which
// starts every continuation line with a blank.

/** Breaks text at spaces into lines of at most `width` columns; longer words are cut. */
export function wrapWords(text: string, width: number): string {
	const limit = Math.max(10, width);
	return text.split('\n').map((paragraph) => {
		const lines: string[] = [];
		let line = '';
		for (const word of paragraph.split(' ')) {
			if (line === '') line = word;
			else if (line.length + 1 + word.length <= limit) line = `${line} ${word}`;
			else {
				lines.push(line);
				line = word;
			}
			while (line.length > limit) {
				lines.push(line.slice(0, limit));
				line = line.slice(limit);
			}
		}
		lines.push(line);
		return lines.join('\n');
	}).join('\n');
}
