// Text from the cluster (messages, log lines, names) reaches a terminal: control characters and
// escape sequences are removed so no pod can move the cursor or recolour the screen.

// CSI / OSC sequences first (so their parameters go with them), then any other C0/C1 control.
// Only used with String.replace, which resets lastIndex, so sharing these global patterns is safe.
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]?/g;
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** One printable line: escapes removed, newlines and tabs turned into single spaces, trimmed. */
export function oneLine(text: string): string {
	return text.replace(ESCAPES, '').replace(/[\n\t]+/g, ' ').replace(CONTROLS, '').replace(/ {2,}/g, ' ').trim();
}

/** A log line kept as it is apart from escapes and controls (tabs become spaces). */
export function printable(text: string): string {
	return text.replace(ESCAPES, '').replace(/\t/g, '  ').replace(/[\n\r]/g, ' ').replace(CONTROLS, '').trimEnd();
}

/**
 * Text that is safe to print and no wider than it was: escapes and controls removed, tabs and line
 * breaks as single spaces. Every line leaves the model through it (names come from the cluster too).
 */
export function safeText(text: string): string {
	return text.replace(ESCAPES, '').replace(/[\t\n\r]/g, ' ').replace(CONTROLS, '');
}

/** At most `width` characters, ending in "…" when cut. */
export function cutEnd(text: string, width: number): string {
	if (text.length <= width) return text;
	if (width <= 0) return '';
	return `${text.slice(0, width - 1)}…`;
}

/** At most `width` characters, cut in the middle so a pod name keeps its unique suffix. */
export function cutMiddle(text: string, width: number): string {
	if (text.length <= width) return text;
	if (width <= 4) return cutEnd(text, width);
	const tail = Math.min(6, Math.floor((width - 1) / 3));
	return `${text.slice(0, width - 1 - tail)}…${text.slice(text.length - tail)}`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
	return `${count} ${count === 1 ? one : many}`;
}
