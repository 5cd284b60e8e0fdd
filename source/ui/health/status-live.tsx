// `status --watch` on a terminal: the status view redrawn in place on every read, with the last
// read error shown under it while the cluster cannot be reached.
import { Box, render, Text } from 'ink';
import { useSyncExternalStore, type ReactElement } from 'react';
import type { StatusReport } from '../../cluster/health/index.js';
import { unmountAfterFrame } from './live.js';
import { StatusView } from './status-view.js';
import { createStore, type Store } from './store.js';

interface State {
	report?: StatusReport;
	error?: string;
	/** e.g. "listing the cluster: 2500 more objects to read" */
	notice?: string;
}

export interface StatusHandle {
	update(report: StatusReport): void;
	/** a read error, or undefined once reads succeed again */
	error(message: string | undefined): void;
	notice(text: string | undefined): void;
	finish(): Promise<void>;
}

function LiveStatus({ store, color, width }: { store: Store<State>; color: boolean; width: number }): ReactElement {
	const state = useSyncExternalStore(store.subscribe, store.get);
	return (
		<Box flexDirection="column">
			{state.report ? <StatusView report={state.report} color={color} width={width} /> : <Text>reading the cluster…</Text>}
			{state.notice ? <Text dimColor={color}>{state.notice}</Text> : null}
			{state.error ? <Text {...(color ? { color: 'red' } : {})}>{`cannot read the cluster: ${state.error}`}</Text> : null}
			<Text dimColor={color}>Ctrl-C to stop</Text>
		</Box>
	);
}

export function mountStatus(stream: NodeJS.WriteStream, color: boolean): StatusHandle {
	const store = createStore<State>({});
	const app = render(<LiveStatus store={store} color={color} width={stream.columns || 80} />, { stdout: stream, exitOnCtrlC: false, patchConsole: false });
	return {
		update: (report) => store.set({ ...store.get(), report }),
		error: (message) => {
			if (store.get().error !== message) store.set({ ...store.get(), error: message });
		},
		notice: (text) => {
			if (store.get().notice !== text) store.set({ ...store.get(), notice: text });
		},
		finish: () => unmountAfterFrame(app),
	};
}
