// `status --watch` on a terminal: the status view redrawn in place on every read, with the last
// read error shown under it while the cluster cannot be reached.
import { Box, render, Text } from 'ink';
import { useSyncExternalStore, type ReactElement } from 'react';
import type { StatusReport } from '../../cluster/health/index.js';
import { StatusView } from './status-view.js';

interface State {
	report?: StatusReport;
	error?: string;
}

export interface StatusHandle {
	update(report: StatusReport): void;
	error(message: string): void;
	finish(): Promise<void>;
}

interface Source {
	get(): State;
	subscribe(listener: () => void): () => void;
}

function LiveStatus({ source, color, width }: { source: Source; color: boolean; width: number }): ReactElement {
	const state = useSyncExternalStore(source.subscribe, source.get);
	return (
		<Box flexDirection="column">
			{state.report ? <StatusView report={state.report} color={color} width={width} /> : <Text>reading the cluster…</Text>}
			{state.error ? <Text {...(color ? { color: 'red' } : {})}>{`cannot read the cluster: ${state.error}`}</Text> : null}
			<Text dimColor={color}>Ctrl-C to stop</Text>
		</Box>
	);
}

export function mountStatus(stream: NodeJS.WriteStream, color: boolean): StatusHandle {
	let state: State = {};
	const listeners = new Set<() => void>();
	const source: Source = {
		get: () => state,
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
	};
	const set = (next: State): void => {
		state = next;
		for (const listener of listeners) listener();
	};
	const app = render(<LiveStatus source={source} color={color} width={stream.columns || 80} />, { stdout: stream, exitOnCtrlC: false, patchConsole: false });
	return {
		update: (report) => set({ report }),
		error: (message) => set({ ...state, error: message }),
		async finish() {
			await new Promise((resolve) => setTimeout(resolve, 20));
			app.unmount();
			await app.waitUntilExit();
		},
	};
}
