// The live ✓/✗ grid of a network check: one row per node, a cell per node pair (pod → pod and node →
// pod to that node) and per path of the node's own (same node, ClusterIP, Service name, kubernetes.default,
// NodePort). Redrawn in place as client pods report; unmounting leaves the last grid on screen.
import { Box, render, Text } from 'ink';
import { useSyncExternalStore, type ReactElement } from 'react';
import { gridLines } from '../../cluster/check/report.js';
import type { CheckNode, ProbeResult } from '../../cluster/check/types.js';
import { createStore, type Store } from '../health/store.js';
import { unmountAfterFrame } from '../health/live.js';

export interface GridState {
	phase: string;
	namespace?: string;
	nodes: CheckNode[];
	results: ProbeResult[];
	elapsedMs: number;
}

const PHASE_TEXT: Record<string, string> = {
	setup: 'creating the check namespace',
	echo: 'waiting for the echo pods',
	probing: 'client pods are probing',
	cleanup: 'deleting the check namespace',
	done: 'done',
};

export function CheckGrid({ state, color }: { state: GridState; color: boolean }): ReactElement {
	const done = state.results.filter((r) => r.outcome !== 'pending').length;
	const lines = state.nodes.length > 0 && state.results.length > 0 ? gridLines(state.nodes, state.results) : [];
	const tone = (line: string): string | undefined => (!color ? undefined : line.includes('✗') ? 'red' : line.includes('…') ? 'yellow' : line.includes('✓') ? 'green' : undefined);
	return (
		<Box flexDirection="column">
			<Text>
				network check{state.namespace ? ` (${state.namespace})` : ''}: {PHASE_TEXT[state.phase] ?? state.phase} · {done}/{state.results.length} paths · {Math.round(state.elapsedMs / 1000)}s
			</Text>
			{lines.map((line, i) => {
				const c = i === 0 ? undefined : tone(line);
				return c ? <Text key={i} color={c}>{line}</Text> : <Text key={i}>{line}</Text>;
			})}
			{state.nodes.length > 0 ? <Text dimColor={color}>{state.nodes.map((n, i) => `${i + 1}=${n.name}`).join('  ')}</Text> : null}
		</Box>
	);
}

function Live({ store, color }: { store: Store<GridState | undefined>; color: boolean }): ReactElement | null {
	const state = useSyncExternalStore(store.subscribe, store.get);
	return state ? <CheckGrid state={state} color={color} /> : null;
}

export interface GridHandle {
	update(state: GridState): void;
	finish(): Promise<void>;
}

export function mountCheckGrid(stream: NodeJS.WriteStream, color: boolean): GridHandle {
	const store = createStore<GridState | undefined>(undefined);
	const app = render(<Live store={store} color={color} />, { stdout: stream, exitOnCtrlC: false, patchConsole: false });
	return {
		update: (state) => store.set({ ...state }),
		finish: () => unmountAfterFrame(app),
	};
}
