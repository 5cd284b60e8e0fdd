// Which problems an answer shows. The candidate answer is put into the draft and the whole cluster goes
// through validateCluster — the same check the file and the flags get — and the problems are split:
// those at this question's paths, those a later question will ask about (left to it), and those this
// answer newly causes at a path nobody will ask about again (shown here, since only here can they be fixed).
import { fieldByPath } from '../../spec/fields.js';
import { validateCluster } from '../../spec/rules.js';
import type { Cluster, Problem } from '../../spec/types.js';
import { applyAnswer, type AnswerValue, type Draft } from './draft.js';
import { orderOf, owns, planQuestions, type PlanContext, type Question } from './questions.js';

const keyOf = (problem: Problem): string => `${problem.path}\n${problem.message}`;

function problemsIn(question: Question, candidate: Cluster, before: Cluster, context: PlanContext): Problem[] {
	const all = validateCluster(candidate);
	const earlier = new Set(validateCluster(before).map(keyOf));
	const at = orderOf(question.id);
	const later = planQuestions(candidate, context).filter((q) => orderOf(q.id) > at);
	return all.filter((problem) => {
		if (owns(question, problem.path)) return !later.some((q) => q.takesOver?.includes(problem.path));
		if (later.some((q) => owns(q, problem.path))) return false;
		return !earlier.has(keyOf(problem));
	});
}

/** The drafts an answer is judged in: the draft itself, or one per choice of a question still to come. */
function candidates(question: Question, draft: Draft, value: AnswerValue, context: PlanContext): Cluster[] {
	const applied = applyAnswer(draft, question.id, value, context.provided).draft;
	const open = question.openWith;
	if (open === undefined) return [applied.cluster];
	const stillAsked = planQuestions(applied.cluster, context).some((q) => q.id === open && orderOf(q.id) > orderOf(question.id));
	const kind = fieldByPath(open)?.kind;
	if (!stillAsked || kind?.type !== 'enum') return [applied.cluster];
	return [applied.cluster, ...kind.choices.map((choice) => applyAnswer(applied, open, choice, context.provided).draft.cluster)];
}

/** Problems that keep this answer from being accepted (empty: it can be accepted). */
export function problemsFor(question: Question, draft: Draft, value: AnswerValue, context: PlanContext): Problem[] {
	let best: Problem[] | undefined;
	for (const candidate of candidates(question, draft, value, context)) {
		const problems = problemsIn(question, candidate, draft.cluster, context);
		if (problems.length === 0) return problems;
		best ??= problems;
	}
	return best ?? [];
}

/** One line for a problem under a field: its own path goes without saying, others are named. */
export function describeProblem(question: Question, problem: Problem): string {
	// The field table's "set it in the config file" advice is for files and flags; here the answer is the fix.
	const message = problem.message.startsWith('required; set it in the config file') ? 'required' : problem.message;
	return problem.path === question.id ? message : `${problem.path}: ${message}`;
}
