// What the install progress view shows, folded from step events: finished steps (printed once, as
// <Static> lines), the current step with each host's state, and the last lines of host output.
import type { StepEvent } from '../../steps/types.js';

export type HostState = 'waiting' | 'running' | 'done' | 'skipped' | 'failed';

export interface FinishedStep {
	id: string;
	title: string;
	done: number;
	skipped: number;
	failed: string[];
}

export interface ProgressState {
	finished: FinishedStep[];
	current?: { id: string; title: string; hosts: Array<{ id: string; state: HostState; detail?: string }> };
	tail: string[];
	tailSize: number;
}

export function initialProgress(tailSize = 6): ProgressState {
	return { finished: [], tail: [], tailSize };
}

function finish(state: ProgressState): FinishedStep[] {
	const current = state.current;
	if (!current) return state.finished;
	return [
		...state.finished,
		{
			id: current.id,
			title: current.title,
			done: current.hosts.filter((h) => h.state === 'done').length,
			skipped: current.hosts.filter((h) => h.state === 'skipped').length,
			failed: current.hosts.filter((h) => h.state === 'failed').map((h) => `${h.id}: ${(h.detail ?? '').split('\n')[0]}`),
		},
	];
}

export function reduceProgress(state: ProgressState, event: StepEvent): ProgressState {
	switch (event.kind) {
		case 'step':
			return { ...state, finished: finish(state), current: { id: event.step, title: event.title, hosts: event.hosts.map((id) => ({ id, state: 'waiting' })) }, tail: [] };
		case 'host': {
			if (!state.current) return state;
			const hosts = state.current.hosts.map((h) => (h.id === event.host ? { id: h.id, state: event.state, ...(event.detail ? { detail: event.detail } : {}) } : h));
			return { ...state, current: { ...state.current, hosts } };
		}
		case 'log':
			return { ...state, tail: [...state.tail, `[${event.host}] ${event.line}`].slice(-state.tailSize) };
		case 'plan':
		case 'note':
		case 'health':
			return state;
	}
}

/** Ends the view: the current step moves to the finished list. */
export function closeProgress(state: ProgressState): ProgressState {
	return { finished: finish(state), tail: [], tailSize: state.tailSize };
}
