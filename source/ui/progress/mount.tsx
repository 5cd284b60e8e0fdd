// Mounts the install view on a terminal and feeds it step events; unmount prints the final state.
import { render } from 'ink';
import type { StepEvent } from '../../steps/types.js';
import { closeProgress, initialProgress, reduceProgress, type ProgressState } from './state.js';
import { InstallProgress, type ProgressSource } from './view.js';

export interface ProgressHandle {
	event(event: StepEvent): void;
	finish(): Promise<void>;
}

export function progressSource(): ProgressSource & { update(next: (state: ProgressState) => ProgressState): void } {
	let state = initialProgress();
	const listeners = new Set<() => void>();
	return {
		get: () => state,
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		update(next) {
			state = next(state);
			for (const listener of listeners) listener();
		},
	};
}

export function mountProgress(stream: NodeJS.WriteStream, color: boolean): ProgressHandle {
	const source = progressSource();
	const app = render(<InstallProgress source={source} color={color} />, { stdout: stream, exitOnCtrlC: false, patchConsole: false });
	return {
		event: (event) => source.update((state) => reduceProgress(state, event)),
		async finish() {
			source.update(closeProgress);
			await new Promise((resolve) => setTimeout(resolve, 20));
			app.unmount();
			await app.waitUntilExit();
		},
	};
}
