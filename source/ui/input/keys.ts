// Turns what Ink hands a key handler into the key presses a person made. Ink splits a read at escape
// sequences only, so a paste or a fast typist arrives as one string ("demo\r", "a\nb\nc\n") with its
// Enters and Backspaces inside; here every read becomes a list of presses, control characters that
// are not editing keys are dropped, and text is only ever printable characters.
import type { Key } from 'ink';

export type KeyPress =
	| { kind: 'text'; text: string }
	| {
		kind:
			| 'enter' | 'escape' | 'tab' | 'up' | 'down' | 'left' | 'right' | 'home' | 'end'
			| 'backspace' | 'delete' | 'kill-line' | 'kill-to-end' | 'kill-word' | 'interrupt';
	};

/** Ctrl-letter chords, as a shell's line editor (readline's emacs mode) reads them. */
const CTRL: Readonly<Record<string, KeyPress['kind']>> = {
	a: 'home',
	e: 'end',
	b: 'left',
	f: 'right',
	h: 'backspace',
	d: 'delete',
	u: 'kill-line',
	k: 'kill-to-end',
	w: 'kill-word',
	c: 'interrupt',
	j: 'enter',
	m: 'enter',
	i: 'tab',
	p: 'up',
	n: 'down',
};

/** C0 controls and DEL inside a text read, by code point. */
function controlKey(code: number): KeyPress['kind'] | undefined {
	if (code === 0x7f || code === 0x08) return 'backspace';
	if (code === 0x1b) return 'escape';
	if (code < 0x20) return CTRL[String.fromCharCode(code + 0x60)];
	return undefined;
}

/** C0, DEL and C1 controls never enter a value; neither do the bidirectional overrides. */
function printable(char: string): boolean {
	const code = char.codePointAt(0) ?? 0;
	if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return false;
	return !/[\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/u.test(char);
}

/** Splits a text read into presses: runs of printable characters, and the editing keys between them. */
export function splitText(text: string): KeyPress[] {
	const presses: KeyPress[] = [];
	let run = '';
	const flush = (): void => {
		if (run !== '') presses.push({ kind: 'text', text: run });
		run = '';
	};
	const chars = [...text];
	for (let index = 0; index < chars.length; index++) {
		const char = chars[index] ?? '';
		if (printable(char)) {
			run += char;
			continue;
		}
		flush();
		// CR LF (a paste from Windows) is one line end.
		if (char === '\r' && chars[index + 1] === '\n') index++;
		const kind = controlKey(char.codePointAt(0) ?? 0);
		if (kind !== undefined) presses.push({ kind } as KeyPress);
	}
	flush();
	return presses;
}

/** The presses in one Ink input event. */
export function keyPresses(input: string, key: Key): KeyPress[] {
	if (key.return) return [{ kind: 'enter' }];
	if (key.escape) return [{ kind: 'escape' }];
	if (key.upArrow) return [{ kind: 'up' }];
	if (key.downArrow) return [{ kind: 'down' }];
	if (key.leftArrow) return [{ kind: key.ctrl || key.meta ? 'home' : 'left' }];
	if (key.rightArrow) return [{ kind: key.ctrl || key.meta ? 'end' : 'right' }];
	if (key.home) return [{ kind: 'home' }];
	if (key.end) return [{ kind: 'end' }];
	if (key.tab) return [{ kind: 'tab' }];
	// Ink names DEL (what Backspace sends on most terminals) "delete", and so the Delete key's
	// ESC[3~ too; both erase backwards, as most line editors do with it. Ctrl-D deletes forwards.
	if (key.backspace || key.delete) return [{ kind: key.meta ? 'kill-word' : 'backspace' }];
	if (key.ctrl) {
		const kind = CTRL[input];
		return kind === undefined ? [] : [{ kind } as KeyPress];
	}
	// Alt-chords and unknown escape sequences are not text.
	if (key.meta) return [];
	if (key.pageUp || key.pageDown) return [];
	// A lone LF is Ctrl-J: Enter.
	return splitText(input);
}
