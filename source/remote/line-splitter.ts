// Turns a byte stream into complete lines, decoding UTF-8 across chunk boundaries.

import { StringDecoder } from 'node:string_decoder';

export interface LineSplitter {
	push(chunk: Buffer): void;
	/** Emits a last line without a trailing newline, if any. */
	end(): void;
}

export function createLineSplitter(onLine: (line: string) => void): LineSplitter {
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
