// Word wrapping done before Ink sees the text: Ink's own wrap keeps the space it broke at, which
// starts every continuation line with a blank. The line breaking itself is the health views' own.
import { wrapText } from '../cluster/health/wrap.js';

/** Breaks text at spaces into lines of at most `width` columns, paragraph by paragraph; longer words are cut. */
export function wrapWords(text: string, width: number): string {
	return text.split('\n').map((paragraph) => wrapText(paragraph, width).join('\n')).join('\n');
}
