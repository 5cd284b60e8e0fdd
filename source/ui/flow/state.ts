// Where the wizard is: the draft, the questions visited (so Esc walks back through exactly what was
// asked, answers kept), and the notices the last answer produced. A pure reducer, tested without Ink.
import { applyAnswer, type AnswerValue, type Draft } from './draft.js';
import { firstQuestion, nextQuestion, type PlanContext } from './questions.js';

export interface WizardState {
	draft: Draft;
	/** question ids asked so far; the last one is on screen ('review' at the end) */
	history: string[];
	notices: string[];
}

export type WizardAction =
	/** accept an answer (already checked) and move on */
	| { type: 'answer'; id: string; value: AnswerValue }
	/** change an answer in place, e.g. each add or delete in the host list */
	| { type: 'edit'; id: string; value: AnswerValue }
	/** move on without an answer (a screen that only shows results) */
	| { type: 'continue'; id: string }
	| { type: 'back' }
	/** back to an earlier question, e.g. from the connection test to the host list */
	| { type: 'backTo'; id: string }
	/** from a screen straight to a later one, e.g. from the AWS discovery to the review when discovery cannot run */
	| { type: 'skipTo'; from: string; id: string };

export function initialState(draft: Draft, context: PlanContext): WizardState {
	return { draft, history: [firstQuestion(draft.cluster, context)], notices: [] };
}

export function currentId(state: WizardState): string {
	return state.history[state.history.length - 1] as string;
}

export function reduce(state: WizardState, action: WizardAction, context: PlanContext): WizardState {
	switch (action.type) {
		case 'answer': {
			if (action.id !== currentId(state)) return state;
			const { draft, notices } = applyAnswer(state.draft, action.id, action.value, context.provided);
			return { draft, history: [...state.history, nextQuestion(draft.cluster, action.id, context)], notices };
		}
		case 'edit':
			return { ...state, draft: applyAnswer(state.draft, action.id, action.value, context.provided).draft };
		case 'continue':
			if (action.id !== currentId(state)) return state;
			return { ...state, history: [...state.history, nextQuestion(state.draft.cluster, action.id, context)], notices: [] };
		case 'back':
			return state.history.length > 1 ? { ...state, history: state.history.slice(0, -1), notices: [] } : state;
		case 'skipTo':
			if (action.from !== currentId(state)) return state;
			return { ...state, history: [...state.history, action.id], notices: [] };
		case 'backTo': {
			const at = state.history.lastIndexOf(action.id);
			return at === -1 || at === state.history.length - 1 ? state : { ...state, history: state.history.slice(0, at + 1), notices: [] };
		}
	}
}
