// Mounts the live pod table on a terminal while install waits for readiness; each verdict replaces
// the previous one, so rows update in place, and unmounting leaves the last table on screen.
import { render } from 'ink';
import { useSyncExternalStore, type ReactElement } from 'react';
import type { Verdict } from '../../cluster/health/index.js';
import { PodTable } from './pod-table.js';

export interface LiveTableHandle {
	update(verdict: Verdict, elapsedMs: number): void;
	finish(): Promise<void>;
}

interface Source {
	get(): { verdict: Verdict; elapsedMs: number } | undefined;
	subscribe(listener: () => void): () => void;
}

function LiveTable({ source, color, title, width }: { source: Source; color: boolean; title: string; width: number }): ReactElement | null {
	const state = useSyncExternalStore(source.subscribe, source.get);
	if (!state) return null;
	return <PodTable verdict={state.verdict} elapsedMs={state.elapsedMs} color={color} title={title} width={width} />;
}

export function mountLiveTable(stream: NodeJS.WriteStream, color: boolean, title: string): LiveTableHandle {
	let state: { verdict: Verdict; elapsedMs: number } | undefined;
	const listeners = new Set<() => void>();
	const source: Source = {
		get: () => state,
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
	};
	const app = render(<LiveTable source={source} color={color} title={title} width={stream.columns || 80} />, { stdout: stream, exitOnCtrlC: false, patchConsole: false });
	return {
		update(verdict, elapsedMs) {
			state = { verdict, elapsedMs };
			for (const listener of listeners) listener();
		},
		async finish() {
			await new Promise((resolve) => setTimeout(resolve, 20));
			app.unmount();
			await app.waitUntilExit();
		},
	};
}
