// Mounts the live pod table on a terminal while install waits for readiness; each verdict replaces
// the previous one, so rows update in place, and unmounting leaves the last table on screen.
import { render } from 'ink';
import { useSyncExternalStore, type ReactElement } from 'react';
import type { Verdict } from '../../cluster/health/index.js';
import { PodTable } from './pod-table.js';
import { createStore, type Store } from './store.js';

export interface LiveTableHandle {
	update(verdict: Verdict, elapsedMs: number): void;
	finish(): Promise<void>;
}

type State = { verdict: Verdict; elapsedMs: number } | undefined;

function LiveTable({ store, color, title, width }: { store: Store<State>; color: boolean; title: string; width: number }): ReactElement | null {
	const state = useSyncExternalStore(store.subscribe, store.get);
	if (!state) return null;
	return <PodTable verdict={state.verdict} elapsedMs={state.elapsedMs} color={color} title={title} width={width} />;
}

/** Unmounts after a last frame is drawn, leaving it on screen. */
export async function unmountAfterFrame(app: ReturnType<typeof render>): Promise<void> {
	await new Promise((resolve) => setTimeout(resolve, 20));
	app.unmount();
	await app.waitUntilExit();
}

export function mountLiveTable(stream: NodeJS.WriteStream, color: boolean, title: string): LiveTableHandle {
	const store = createStore<State>(undefined);
	const app = render(<LiveTable store={store} color={color} title={title} width={stream.columns || 80} />, { stdout: stream, exitOnCtrlC: false, patchConsole: false });
	return {
		update: (verdict, elapsedMs) => store.set({ verdict, elapsedMs }),
		finish: () => unmountAfterFrame(app),
	};
}
