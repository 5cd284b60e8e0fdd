// Typed text to a field value and back. Only the syntax a text box adds is checked here (a whole
// number, KEY=VALUE pairs); what the value means is checked by the spec validators.
import type { Field } from '../../spec/fields.js';
import { UNSET, type AnswerValue } from './draft.js';
import type { Question } from './questions.js';

export type Parsed = { ok: true; value: AnswerValue } | { ok: false; message: string };

/** An empty answer removes an optional key; a field with a default keeps '' so its own check speaks. */
function empty(field: Field): Parsed {
	return { ok: true, value: field.default === undefined ? UNSET : '' };
}

export function parseAnswer(question: Question, field: Field, text: string): Parsed {
	const trimmed = text.trim();
	switch (question.kind) {
		case 'integer': {
			if (trimmed === '' && field.default === undefined) return { ok: true, value: UNSET };
			const range = field.kind.type === 'integer' ? field.kind : { min: 0, max: Number.MAX_SAFE_INTEGER };
			// The same wording as a bad integer flag, so the wizard and the command line read alike.
			if (!/^\d{1,6}$/.test(trimmed) || Number(trimmed) < range.min || Number(trimmed) > range.max) {
				return { ok: false, message: `${JSON.stringify(trimmed)} must be a whole number from ${range.min} to ${range.max}` };
			}
			return { ok: true, value: Number(trimmed) };
		}
		case 'list':
			return { ok: true, value: trimmed.split(/[\s,]+/).filter((item) => item !== '') };
		case 'map': {
			const map: Record<string, string> = {};
			for (const pair of trimmed.split(',').map((item) => item.trim()).filter((item) => item !== '')) {
				const at = pair.indexOf('=');
				if (at <= 0) return { ok: false, message: `${JSON.stringify(pair)} must be KEY=VALUE (separate several with commas)` };
				map[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
			}
			return { ok: true, value: map };
		}
		default:
			return trimmed === '' ? empty(field) : { ok: true, value: trimmed };
	}
}

/** The text a text box starts with for the current value. */
export function answerText(question: Question, value: unknown): string {
	if (value === undefined || value === null) return '';
	if (question.kind === 'list' && Array.isArray(value)) return value.join(', ');
	if (question.kind === 'map' && typeof value === 'object') {
		return Object.entries(value as Record<string, string>).map(([key, item]) => `${key}=${item}`).join(', ');
	}
	return String(value);
}
