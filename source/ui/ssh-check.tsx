// The SSH step's connection test: one result line per host (authentication, host key, sudo -n true,
// kernel, OS). The test itself belongs to the SSH layer and comes in through the `connectionTest`
// prop; this screen shows its lines and answers its questions — whether to trust an unknown host key,
// a key file's passphrase — one at a time, so several hosts never ask at once. Leaving the screen
// (Esc, Ctrl-C) aborts the test, and every question still open is answered "no".
import { useEffect, useReducer, useRef, useState } from 'react';
import { Box, Text, useInput } from 'ink';
import TextInput from 'ink-text-input';
import type { ConnectionTest, ConnectionTestUi, HostCheck, HostKeyQuestion } from '../session/connection-test.js';
import type { Cluster } from '../spec/types.js';
import { HINTS, KeyHints } from './key-hints.js';
import { Help, Problems } from './messages.js';
import { SelectField, type SelectItem } from './select-field.js';
import { Tinted } from './theme.js';

type Question =
	| { kind: 'trust'; question: HostKeyQuestion; answer: (yes: boolean) => void }
	| { kind: 'secret'; prompt: string; answer: (value: string | undefined) => void };

export interface SshConnectionCheckProps {
	cluster: Cluster;
	connectionTest?: ConnectionTest;
	onContinue: () => void;
	onBack?: () => void;
	canGoBack?: boolean;
	/** jumps back to the host list (offered when hosts fail) */
	onEditHosts?: () => void;
	/** what that choice says; on AWS the hosts come from the instance selection */
	editHostsLabel?: string;
	/**
	 * jumps back to the SSH answers when they are not the screen before (on AWS the discovery is);
	 * null when they were not asked (the file gave them), so there is no such choice
	 */
	onEditSsh?: (() => void) | null;
	isActive?: boolean;
}

interface Run {
	checks: readonly HostCheck[];
	questions: readonly Question[];
	finished: boolean;
	failure?: string;
}

const PROBLEM_INDENT = 4;
const ICONS: Record<HostCheck['state'], string> = { waiting: '·', checking: '…', asking: '?', ok: '✓', failed: '✗' };
const WAITING: Partial<Record<HostCheck['state'], string>> = {
	waiting: 'waiting',
	checking: 'connecting…',
	asking: 'host key to confirm',
};

function freshRun(cluster: Cluster): Run {
	// Every host has a line from the start, so the list does not jump around as results come in.
	return { checks: cluster.spec.hosts.map((host) => ({ host: host.address, state: 'waiting' })), questions: [], finished: false };
}

function CheckLine({ check, width }: { check: HostCheck; width: number }) {
	const tone = check.state === 'ok' ? 'ok' : check.state === 'failed' ? 'error' : check.state === 'asking' ? 'warn' : 'muted';
	const detail = check.detail ?? WAITING[check.state] ?? '';
	return (
		<Box flexDirection="column">
			<Box>
				<Tinted tone={tone}>{ICONS[check.state]} </Tinted>
				<Text>{check.host.padEnd(width)}  </Text>
				<Tinted tone={check.state === 'failed' ? 'error' : check.state === 'ok' ? undefined : 'muted'} wrap="wrap" indent={width + 4}>{detail}</Tinted>
			</Box>
			{/* Under the line with a small indent: a fingerprint line is ~70 columns and must not wrap. */}
			{(check.problems ?? []).map((problem, index) => (
				<Box key={index} marginLeft={PROBLEM_INDENT}>
					<Tinted tone="error" wrap="wrap" indent={PROBLEM_INDENT}>{problem}</Tinted>
				</Box>
			))}
		</Box>
	);
}

function TrustPrompt({ question }: { question: HostKeyQuestion }) {
	const who = question.role === 'bastion' ? `The bastion ${question.host}` : `Host ${question.host}`;
	return (
		<Box flexDirection="column" marginTop={1}>
			<Tinted tone="warn" wrap="wrap">{`${who} is not in ${question.knownHostsFile}.`}</Tinted>
			<Text>{question.keyType} key fingerprint {question.fingerprint}</Text>
			<Help text={`Compare it with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_${question.keyType.toLowerCase()}_key.pub on its console).`} />
			<Box>
				<Tinted tone="accent" bold>Trust it?</Tinted>
				<Text> (y/N)</Text>
			</Box>
		</Box>
	);
}

function SecretPrompt({ prompt, onSubmit }: { prompt: string; onSubmit: (value: string) => void }) {
	const [value, setValue] = useState('');
	return (
		<Box marginTop={1}>
			<Tinted tone="accent" bold>{prompt}</Tinted>
			<Text> </Text>
			<TextInput value={value} mask="•" onChange={setValue} onSubmit={onSubmit} />
		</Box>
	);
}

type Choice = 'retry' | 'hosts' | 'back' | 'continue';

export function SshConnectionCheck({ cluster, connectionTest, onContinue, onBack, canGoBack = true, onEditHosts, editHostsLabel = 'Change the hosts', onEditSsh, isActive = true }: SshConnectionCheckProps) {
	const [attempt, retry] = useReducer((n: number) => n + 1, 0);
	const [run, setRun] = useState<Run>(() => freshRun(cluster));
	// Questions are answered from key handlers that can run before the next render; the ref is current.
	const questions = useRef<readonly Question[]>([]);
	const setQuestions = (next: readonly Question[]): void => {
		questions.current = next;
		setRun((current) => ({ ...current, questions: next }));
	};

	useEffect(() => {
		if (connectionTest === undefined) return;
		const controller = new AbortController();
		const { signal } = controller;
		setRun(freshRun(cluster));
		questions.current = [];
		const ask = <T,>(make: (answer: (value: T) => void) => Question, whenAborted: T): Promise<T> => {
			if (signal.aborted) return Promise.resolve(whenAborted);
			return new Promise<T>((resolve) => {
				const question = make((value) => {
					setQuestions(questions.current.filter((q) => q !== question));
					resolve(value);
				});
				signal.addEventListener('abort', () => resolve(whenAborted), { once: true });
				setQuestions([...questions.current, question]);
			});
		};
		const ui: ConnectionTestUi = {
			report(check) {
				if (signal.aborted) return;
				setRun((current) => {
					const known = current.checks.some((c) => c.host === check.host);
					const checks = known ? current.checks.map((c) => (c.host === check.host ? check : c)) : [...current.checks, check];
					return { ...current, checks };
				});
			},
			trustHostKey: (question) => ask<boolean>((answer) => ({ kind: 'trust', question, answer }), false),
			askSecret: (prompt) => ask<string | undefined>((answer) => ({ kind: 'secret', prompt, answer }), undefined),
		};
		connectionTest(cluster, ui, signal).then(
			() => {
				if (!signal.aborted) setRun((current) => ({ ...current, finished: true }));
			},
			(error: unknown) => {
				if (!signal.aborted) setRun((current) => ({ ...current, finished: true, failure: error instanceof Error ? error.message : String(error) }));
			},
		);
		return () => controller.abort();
	}, [cluster, connectionTest, attempt]);

	const current = run.questions[0];
	const failed = run.checks.filter((check) => check.state === 'failed').length;
	const passed = run.finished && failed === 0 && run.failure === undefined;
	const choosing = run.finished && !passed;

	useInput((input, key) => {
		const question = questions.current[0];
		if (question?.kind === 'trust') {
			if (input === 'y' || input === 'Y') question.answer(true);
			else if (input === 'n' || input === 'N' || key.return) question.answer(false);
			else if (key.escape) onBack?.();
			return;
		}
		if (question?.kind === 'secret') {
			if (key.escape) question.answer(undefined);
			return;
		}
		if (key.escape || key.leftArrow) onBack?.();
		else if (key.return && passed) onContinue();
	}, { isActive: isActive && connectionTest !== undefined && !(choosing && current === undefined) });

	if (connectionTest === undefined) return null;
	const editSsh = onEditSsh === null ? undefined : onEditSsh ?? (canGoBack ? onBack : undefined);
	const width = Math.min(32, Math.max(12, ...run.checks.map((check) => check.host.length)));
	const items: Array<SelectItem<Choice>> = [
		{ value: 'retry', label: 'Test again' },
		...(onEditHosts ? [{ value: 'hosts' as const, label: editHostsLabel }] : []),
		...(editSsh ? [{ value: 'back' as const, label: 'Change the SSH settings' }] : []),
		{ value: 'continue', label: `Continue anyway (install checks ${failed === 1 ? 'this host' : 'these hosts'} again and stops while ${failed === 1 ? 'it fails' : 'they fail'})` },
	];
	const ok = run.checks.length - failed;
	return (
		<Box flexDirection="column">
			<Tinted tone="accent" bold>SSH connection test</Tinted>
			<Help text="Each host: host key, login, sudo -n true, kernel ≥ 5.10 and a supported OS. Nothing is changed on the hosts." />
			<Box flexDirection="column" marginTop={1}>
				{run.checks.map((check) => <CheckLine key={check.host} check={check} width={width} />)}
			</Box>
			{run.failure === undefined ? null : <Problems messages={[`the connection test stopped: ${run.failure}`]} />}
			{current?.kind === 'trust' ? <TrustPrompt question={current.question} /> : null}
			{current?.kind === 'secret' ? <SecretPrompt key={current.prompt} prompt={current.prompt} onSubmit={(value) => current.answer(value)} /> : null}
			{current === undefined && run.finished ? (
				<Box marginTop={1}>
					<Tinted tone={passed ? 'ok' : 'error'} wrap="wrap">
						{passed ? `All ${ok} host${ok === 1 ? '' : 's'} passed.` : `${failed} of ${run.checks.length} host${run.checks.length === 1 ? '' : 's'} failed.`}
					</Tinted>
				</Box>
			) : null}
			{choosing && current === undefined ? (
				<Box flexDirection="column" marginTop={1}>
					<SelectField
						prompt="Select what to do"
						items={items}
						initial="retry"
						isActive={isActive}
						onSubmit={(choice) => {
							if (choice === 'retry') retry();
							else if (choice === 'hosts') onEditHosts?.();
							else if (choice === 'back') editSsh?.();
							else onContinue();
						}}
						onBack={onBack}
					/>
					<KeyHints hints={HINTS.select} canGoBack={canGoBack} />
				</Box>
			) : (
				<KeyHints hints={current?.kind === 'trust' ? HINTS.trust : current?.kind === 'secret' ? HINTS.secret : passed ? HINTS.continue : HINTS.checking} canGoBack={canGoBack} />
			)}
		</Box>
	);
}
