// Turns a byte stream into complete lines, decoding UTF-8 across chunk boundaries.

import { StringDecoder } from 'node:string_decoder';

import { stripControls } from './sanitize.js';

export interface LineSplitter {
	push(chunk: Buffer): void;
	/** Emits a last line without a trailing newline, if any. */
	end(): void;
}

/** Lines come out with terminal controls stripped (sanitize.ts): this is the one path remote lines take to be shown or logged. */
export function createLineSplitter(emit: (line: string) => void): LineSplitter {
	const onLine = (line: string): void => emit(stripControls(line));
	const decoder = new StringDecoder('utf8');
	let pending = '';

	const emitComplete = (): void => {
		let newline = pending.indexOf('\n');
		while (newline >= 0) {
			onLine(pending.slice(0, newline).replace(/\r$/, ''));
			pending = pending.slice(newline + 1);
			newline = pending.indexOf('\n');
		}
	};

	return {
		push(chunk) {
			pending += decoder.write(chunk);
			emitComplete();
		},
		end() {
			pending += decoder.end();
			emitComplete();
			if (pending !== '') {
				onLine(pending.replace(/\r$/, ''));
				pending = '';
			}
		},
	};
}
