// Output as lines of toned segments: the plain formatters join the text, the Ink views colour the
// segments. One layout serves both, so the live table and the plain lines never disagree.
import { cutEnd, safeText } from './text.js';

export type LineTone = 'accent' | 'error' | 'ok' | 'muted' | 'warn';

export interface Segment {
	text: string;
	tone?: LineTone;
	bold?: boolean;
}

export interface Line {
	/** stable across updates (a pod key for a pod's row), so a view updates the line in place */
	key: string;
	segments: Segment[];
}

/** The printable text of a line (see safeText). */
export function lineText(line: Line): string {
	return line.segments.map((s) => safeText(s.text)).join('');
}

/** The lines as plain text, each cut to `width` columns when one is given. */
export function plainLines(lines: readonly Line[], width?: number): string[] {
	return lines.map((line) => (width === undefined ? lineText(line) : cutEnd(lineText(line), width)));
}
