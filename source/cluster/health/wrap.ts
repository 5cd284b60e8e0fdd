// Word wrapping for causes (scheduler messages run to several hundred characters).

/** Breaks at spaces into lines of at most `width` characters; longer words are cut. */
export function wrapText(text: string, width: number): string[] {
	const limit = Math.max(10, width);
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(' ')) {
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
	return lines;
}
