// useInput, one key press at a time: a read holding several keys (a paste, a fast typist, tmux)
// calls the handler once per press, in order. A handler returns 'stop' when a press ended its screen
// (an answer was submitted): the rest of that read belongs to no field and is dropped, rather than
// being applied a second time to a screen that is already gone.
import { useInput } from 'ink';
import { keyPresses, type KeyPress } from './keys.js';

/** 'stop': this press ended the screen; 'consumed-rest': the handler took the presses after it too (a paste). */
export type KeyHandler = (press: KeyPress, rest: readonly KeyPress[]) => 'stop' | 'consumed-rest' | void;

export function useKeys(handler: KeyHandler, options: { isActive?: boolean } = {}): void {
	useInput((input, key) => {
		const presses = keyPresses(input, key);
		for (let index = 0; index < presses.length; index++) {
			const press = presses[index];
			if (press === undefined) continue;
			const result = handler(press, presses.slice(index + 1));
			if (result === 'stop' || result === 'consumed-rest') return;
		}
	}, { isActive: options.isActive ?? true });
}
