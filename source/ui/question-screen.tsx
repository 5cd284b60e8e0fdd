// One wizard question on screen, built from its field-table entry: the prompt from the label, the help,
// the choices, and a check that runs the candidate answer through the spec validators.
import { useMemo } from 'react';
import { Box } from 'ink';
import { getPath } from '../spec/merge.js';
import type { Field } from '../spec/fields.js';
import type { Cluster, Host, Role } from '../spec/types.js';
import { describeProblem, problemsFor } from './flow/check.js';
import { UNSET, type AnswerValue, type Draft } from './flow/draft.js';
import { answerText, parseAnswer } from './flow/parse.js';
import { fieldByPath } from '../spec/fields.js';
import type { PlanContext, Question } from './flow/questions.js';
import { ConfirmField } from './confirm-field.js';
import { HostList, type ProbeState } from './host-list.js';
import { HINTS, KeyHints } from './key-hints.js';
import { SelectField, type SelectItem } from './select-field.js';
import type { ConnectionTest } from '../session/connection-test.js';
import { SshConnectionCheck } from './ssh-check.js';
import { TextField } from './text-field.js';

export interface QuestionScreenProps {
	question: Question;
	field: Field;
	draft: Draft;
	context: PlanContext;
	canGoBack: boolean;
	onAnswer: (value: AnswerValue) => void;
	/** an answer changed without leaving the question (each host added or removed) */
	onEdit: (value: AnswerValue) => void;
	onContinue: (result?: { failedAll: boolean }) => void;
	onBack: () => void;
	/** back to the host list, when it was asked */
	onEditHosts?: () => void;
	probeOf?: (host: Host) => ProbeState | undefined;
	connectionTest?: ConnectionTest;
	/** what the connection test connects to when it is not the draft's hosts (AWS: the discovered instances) */
	testedCluster?: Cluster;
	/** the connection test's way back to the hosts, and what that choice says */
	editHostsLabel?: string;
	/** the connection test's way back to the SSH answers when they are not the screen before */
	onEditSsh?: (() => void) | null;
}

// Proper names and acronyms keep their capital after "Select".
const KEEP_CASE = /^(Cilium|Calico|Hubble|Kubernetes|[A-Z]{2,})\b/;

export function selectPrompt(label: string): string {
	return `Select ${KEEP_CASE.test(label) ? label : label.charAt(0).toLowerCase() + label.slice(1)}`;
}

function checker(question: Question, draft: Draft, context: PlanContext) {
	return (value: AnswerValue): string[] => problemsFor(question, draft, value, context).map((p) => describeProblem(question, p));
}

function TextQuestion({ question, field, draft, context, onAnswer, onBack }: QuestionScreenProps) {
	const check = checker(question, draft, context);
	const current = getPath(draft.cluster, question.id);
	// A default the spec does not fill in (spec.ssh.port) is shown as the answer; taking it unchanged keeps
	// the key unset, so what "unset" means (the ~/.ssh/config Port) still applies.
	const shownDefault = current === undefined && field.fill === false ? field.default : undefined;
	const initial = answerText(question, current ?? shownDefault);
	return (
		<TextField
			prompt={`${field.label}:`}
			help={field.help}
			initial={initial}
			check={(text) => {
				const parsed = parseAnswer(question, field, text);
				return parsed.ok ? check(parsed.value) : [parsed.message];
			}}
			onSubmit={(text) => {
				const parsed = parseAnswer(question, field, text);
				if (parsed.ok) onAnswer(shownDefault !== undefined && parsed.value === shownDefault ? UNSET : parsed.value);
			}}
			onBack={onBack}
		/>
	);
}

function SelectQuestion({ question, field, draft, context, onAnswer, onBack }: QuestionScreenProps) {
	const choices = field.kind.type === 'enum' ? field.kind.choices : [];
	// A choice that cannot be accepted in this draft is shown with the validator's reason instead.
	const items = useMemo<Array<SelectItem<string>>>(() => choices.map((choice) => {
		const problem = problemsFor(question, draft, choice, context)[0];
		return { value: choice, label: choice, disabledReason: problem === undefined ? undefined : describeProblem(question, problem) };
	}), [choices, question, draft, context]);
	return (
		<SelectField
			prompt={selectPrompt(field.label)}
			help={field.help}
			items={items}
			initial={getPath(draft.cluster, question.id) as string | undefined}
			check={checker(question, draft, context)}
			onSubmit={onAnswer}
			onBack={onBack}
		/>
	);
}

function ConfirmQuestion({ question, field, draft, context, onAnswer, onBack }: QuestionScreenProps) {
	return (
		<ConfirmField
			prompt={`${field.label}?`}
			help={field.help}
			initial={getPath(draft.cluster, question.id) === true}
			check={checker(question, draft, context)}
			onSubmit={onAnswer}
			onBack={onBack}
		/>
	);
}

function HostsQuestion({ question, field, draft, context, canGoBack, onAnswer, onEdit, onBack, probeOf }: QuestionScreenProps) {
	const address = fieldByPath(`${question.id}[].address`);
	const roleField = fieldByPath(`${question.id}[].role`);
	const roles = (roleField?.kind.type === 'enum' ? roleField.kind.choices : ['control-plane', 'worker']) as readonly Role[];
	const details = (['privateAddress', 'name'] as const).flatMap((key) => {
		const detail = fieldByPath(`${question.id}[].${key}`);
		return detail === undefined ? [] : [{ key, label: detail.label, help: detail.help }];
	});
	const problems = (hosts: Host[]) => problemsFor(question, draft, hosts, context);
	return (
		<HostList
			prompt={`${field.label}:`}
			help={field.help}
			addressLabel={address?.label ?? 'Address'}
			addressHelp={address?.help}
			roles={roles}
			details={details}
			hosts={draft.cluster.spec.hosts}
			probeOf={probeOf}
			checkEntry={(hosts, index) => {
				// While one entry is typed, only its own problems and ones it causes elsewhere count;
				// list-wide ones (no control plane yet) wait for the end of the list.
				const item = `${question.id}[${index}].`;
				return problems(hosts)
					.filter((p) => p.path.startsWith(item) || !p.path.startsWith(question.id))
					.map((p) => (p.path.startsWith(item) ? p.message : `${p.path}: ${p.message}`));
			}}
			checkDone={(hosts) => problems(hosts).map((p) => describeProblem(question, p))}
			onChange={onEdit}
			onSubmit={onAnswer}
			onBack={onBack}
			canGoBack={canGoBack}
		/>
	);
}

export function QuestionScreen(props: QuestionScreenProps) {
	const { question, canGoBack } = props;
	switch (question.kind) {
		case 'hosts':
			return <HostsQuestion {...props} />;
		case 'ssh-check':
			return (
				<SshConnectionCheck
					cluster={props.testedCluster ?? props.draft.cluster}
					connectionTest={props.connectionTest}
					onContinue={props.onContinue}
					onBack={props.onBack}
					onEditHosts={props.onEditHosts}
					editHostsLabel={props.editHostsLabel}
					onEditSsh={props.onEditSsh}
					canGoBack={canGoBack}
				/>
			);
		case 'select':
			return (
				<Box flexDirection="column">
					<SelectQuestion {...props} />
					<KeyHints hints={HINTS.select} canGoBack={canGoBack} />
				</Box>
			);
		case 'confirm':
			return (
				<Box flexDirection="column">
					<ConfirmQuestion {...props} />
					<KeyHints hints={HINTS.confirm} canGoBack={canGoBack} />
				</Box>
			);
		default:
			return (
				<Box flexDirection="column">
					<TextQuestion {...props} />
					<KeyHints hints={HINTS.text} canGoBack={canGoBack} />
				</Box>
			);
	}
}
