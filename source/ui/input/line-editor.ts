// One line of text and a cursor, edited by key presses as a shell's line editor does: Backspace,
// Ctrl-D, Ctrl-U (to the start), Ctrl-K (to the end), Ctrl-W (the word before the cursor), Home/End
// (Ctrl-A/Ctrl-E) and the arrows. Pure, so the same rules hold in every field.
import type { KeyPress } from './keys.js';

export interface Line {
	text: string;
	/** in code points, 0..length */
	cursor: number;
}

export function lineOf(text: string): Line {
	return { text, cursor: [...text].length };
}

/** The line after one press; undefined when the press is not an edit (Enter, Esc, Tab, ↑↓). */
export function editLine(line: Line, press: KeyPress): Line | undefined {
	const chars = [...line.text];
	const at = Math.max(0, Math.min(line.cursor, chars.length));
	const join = (left: string[], right: string[], cursor: number): Line => ({ text: [...left, ...right].join(''), cursor });
	switch (press.kind) {
		case 'text': {
			const added = [...press.text];
			return join([...chars.slice(0, at), ...added], chars.slice(at), at + added.length);
		}
		case 'backspace':
			return at === 0 ? line : join(chars.slice(0, at - 1), chars.slice(at), at - 1);
		case 'delete':
			return join(chars.slice(0, at), chars.slice(at + 1), at);
		case 'kill-line':
			return join([], chars.slice(at), 0);
		case 'kill-to-end':
			return join(chars.slice(0, at), [], at);
		case 'kill-word': {
			// Like a shell's Ctrl-W: spaces before the cursor, then the word.
			let start = at;
			while (start > 0 && chars[start - 1] === ' ') start--;
			while (start > 0 && chars[start - 1] !== ' ') start--;
			return join(chars.slice(0, start), chars.slice(at), start);
		}
		case 'left':
			return { ...line, cursor: Math.max(0, at - 1) };
		case 'right':
			return { ...line, cursor: Math.min(chars.length, at + 1) };
		case 'home':
			return { ...line, cursor: 0 };
		case 'end':
			return { ...line, cursor: chars.length };
		default:
			return undefined;
	}
}
