// Remote output is shown on the user's terminal and written to the run log, so a host must not be
// able to move the cursor, clear the screen, retitle the window or paint a fake "all checks passed":
// every escape sequence and control character is removed before a remote line goes anywhere.
// Tabs stay; a carriage return (which would overwrite the line start) goes.

// OSC (ESC ] … BEL or ESC \), DCS/SOS/PM/APC strings (ESC P|X|^|_ … ESC \), CSI (ESC [ or 0x9B with
// parameters), then any other two-character escape.
const SEQUENCES = /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[PX^_][^\u001b]*(?:\u001b\\)?|(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?|\u001b[ -~]?/g;
// C0 controls except tab and newline, DEL, and the C1 range.
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** One line (or a block of lines) with every terminal control removed. */
export function stripControls(text: string): string {
	return text.replace(SEQUENCES, '').replace(CONTROLS, '');
}
