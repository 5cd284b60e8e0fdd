// The guided install: asks what the file and flags left open, one question at a time, checks each
// answer with the spec validators, and ends on the review screen. All I/O (saving, probing, installing)
// comes in through props, so the whole flow runs the same under ink-testing-library.
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { Box, Text, useApp } from 'ink';
import { useColumns } from './input/use-columns.js';
import { useKeys } from './input/use-keys.js';
import { validateCluster } from '../spec/rules.js';
import type { Cluster, Host } from '../spec/types.js';
import type { PortProbeResult } from '../remote/port-probe.js';
import { clusterYaml } from '../spec/cluster-yaml.js';
import { savedInstallCommand } from './equivalent-command.js';
import { newDraft, type AnswerValue } from './flow/draft.js';
import { AWS_DISCOVERY, AWS_SSH_CHECK, fieldOf, planQuestions, questionById, REVIEW, SECTION_TITLES, type PlanContext, type Section } from './flow/questions.js';
import { currentId, initialState, reduce, type WizardAction, type WizardState } from './flow/state.js';
import type { AwsDiscovery, AwsDiscoveryView } from '../session/aws-discovery.js';
import { AwsDiscoveryScreen } from './aws-discovery.js';
import type { ProbeState } from './host-list.js';
import { Notices } from './messages.js';
import { QuestionScreen } from './question-screen.js';
import { Review } from './review.js';
import type { ConnectionTest } from '../session/connection-test.js';
import { ColorContext, Tinted, WidthContext } from './theme.js';

export type WizardOutcome = { cluster: Cluster; savedPath?: string; install?: true } | 'aborted';

export interface WizardProps {
	/** the cluster merged from defaults, the file and the flags */
	cluster: Cluster;
	/** config paths the file or flags gave: never asked */
	provided: ReadonlySet<string>;
	color?: boolean;
	/** background TCP check of a host's SSH port; without it no reachability is shown */
	probe?: (host: string, port: number) => Promise<PortProbeResult>;
	/** the SSH step's per-host connection test, wired in by the SSH layer */
	connectionTest?: ConnectionTest;
	/** finds and checks the instances of spec.aws, wired in by the command layer (the SDK stays in source/cloud) */
	awsDiscovery?: AwsDiscovery;
	/** writes cluster.yaml (the caller resolves the path and sets mode 0600) */
	onSave: (path: string, text: string) => Promise<void>;
	/** where the saved file's `$schema` line points (the schema shipped with this kubestrap) */
	schemaLocation: string;
	fileExists?: (path: string) => Promise<boolean>;
	/** when given, the review offers "Install now" */
	onInstall?: (cluster: Cluster) => void;
	/** called once, as the wizard ends */
	onFinish: (outcome: WizardOutcome) => void;
	defaultSavePath?: string;
	/** prefill for the AWS region question (e.g. from AWS_REGION) */
	awsRegion?: string;
	/**
	 * Asks for a full repaint after the caller has cleared the screen (a narrower terminal): the frame
	 * then changes by one trailing blank line, so Ink writes all of it again rather than nothing.
	 */
	repaint?: { subscribe: (listener: () => void) => () => void };
}

const MAX_WIDTH = 80;

function Progress({ sections, current }: { sections: readonly Section[]; current: Section }) {
	return (
		<Text wrap="wrap">
			<Tinted bold>kubestrap</Tinted>
			<Text>  </Text>
			{sections.map((section, index) => (
				<Text key={section}>
					{index === 0 ? '' : ' › '}
					<Tinted tone={section === current ? 'accent' : 'muted'} bold={section === current}>{SECTION_TITLES[section]}</Tinted>
				</Text>
			))}
		</Text>
	);
}

function useProbes(hosts: readonly Host[], port: number, probe: WizardProps['probe']): (host: Host) => ProbeState | undefined {
	const [probes, setProbes] = useState<Readonly<Record<string, ProbeState>>>({});
	const started = useRef(new Set<string>());
	const mounted = useRef(true);
	useEffect(() => () => {
		mounted.current = false;
	}, []);
	useEffect(() => {
		if (probe === undefined) return;
		for (const host of hosts) {
			const key = `${host.address}:${port}`;
			if (started.current.has(key)) continue;
			started.current.add(key);
			setProbes((current) => ({ ...current, [key]: { state: 'checking' } }));
			void probe(host.address, port).then((result) => {
				if (!mounted.current) return;
				const state: ProbeState = result.reachable ? { state: 'reachable', ms: result.ms } : { state: 'unreachable', reason: result.reason };
				setProbes((current) => ({ ...current, [key]: state }));
			});
		}
	}, [hosts, port, probe]);
	return useCallback((host: Host) => probes[`${host.address}:${port}`], [probes, port]);
}

type Finished = { outcome: WizardOutcome; line: string };

/** The AWS host answers, in the order they are asked: "Change the selection" goes to the first one asked. */
const AWS_SELECTION = ['spec.aws.region', 'spec.aws.instanceIds', 'spec.aws.instanceTags', 'spec.aws.addressType'];
const EXITED = 'Exited without saving; nothing was written.';

function Screens(props: WizardProps) {
	const { cluster, provided, probe, connectionTest, awsDiscovery, onSave, fileExists, onInstall, onFinish, defaultSavePath = './cluster.yaml', awsRegion, schemaLocation } = props;
	const { exit } = useApp();
	const columns = useColumns(MAX_WIDTH);
	const [paint, setPaint] = useState(0);
	const repaint = props.repaint;
	useEffect(() => repaint?.subscribe(() => setPaint((n) => n + 1)), [repaint]);
	const context = useMemo<PlanContext>(
		() => ({ provided, connectionTest: connectionTest !== undefined, awsDiscovery: awsDiscovery !== undefined }),
		[provided, connectionTest, awsDiscovery],
	);
	const reducer = useCallback((state: WizardState, action: WizardAction) => reduce(state, action, context), [context]);
	const [state, dispatch] = useReducer(reducer, undefined, () => initialState(newDraft(cluster, awsRegion), context));
	const [finished, setFinished] = useState<Finished | undefined>(undefined);
	// Every host failed the connection test and the user went on anyway: the review then does not
	// put "Install now" first.
	const [sshFailedAll, setSshFailedAll] = useState(false);
	// The AWS discovery could not run here and the user chose to save the file for another machine.
	const [skippedDiscovery, setSkippedDiscovery] = useState(false);
	const draftCluster = state.draft.cluster;
	const probeOf = useProbes(draftCluster.spec.hosts, draftCluster.spec.ssh.port ?? 22, probe);
	// The instances confirmed on the discovery screen. They are only tested and shown, never put into the
	// draft: the saved file keeps spec.aws, so install finds the instances again as they are then.
	const [discovered, setDiscovered] = useState<AwsDiscoveryView | undefined>(undefined);
	// One object per draft and discovery: the connection test runs again whenever its cluster changes.
	const testedCluster = useMemo<Cluster | undefined>(
		() => (discovered === undefined ? undefined : { ...draftCluster, spec: { ...draftCluster.spec, hosts: [...discovered.hosts] } }),
		[draftCluster, discovered],
	);

	const finish = (outcome: WizardOutcome, line: string): void => {
		if (finished !== undefined) return;
		onFinish(outcome);
		setFinished({ outcome, line });
	};
	// Exit after the closing line has been drawn, so it stays on the terminal.
	useEffect(() => {
		if (finished !== undefined) exit();
	}, [finished, exit]);
	useKeys((press) => {
		if (press.kind !== 'interrupt') return;
		finish('aborted', 'Interrupted; nothing was saved.');
		return 'stop';
	});

	const width = Math.min(columns, MAX_WIDTH);
	if (finished !== undefined) {
		return (
			<WidthContext.Provider value={width}>
				<Box width={width}>
					<Tinted wrap="wrap">{finished.line}</Tinted>
				</Box>
			</WidthContext.Provider>
		);
	}
	const id = currentId(state);
	const canGoBack = state.history.length > 1;
	const back = (): void => dispatch({ type: 'back' });
	const question = questionById(id);
	const field = question === undefined ? undefined : fieldOf(question);
	const sections = [...new Set<Section>([...planQuestions(draftCluster, context).map((q) => q.section), ...(question ? [question.section] : []), 'review'])];
	const current: Section = question?.section ?? 'review';
	const asked = (ids: readonly string[]): string | undefined => ids.find((candidate) => state.history.includes(candidate));
	const selection = asked(AWS_SELECTION);
	const toSelection = selection === undefined ? undefined : () => dispatch({ type: 'backTo', id: selection });
	const lastSsh = [...state.history].reverse().find((candidate) => candidate.startsWith('spec.ssh.'));

	let body;
	if (id === REVIEW || question === undefined) {
		body = (
			<Review
				cluster={draftCluster}
				problems={validateCluster(draftCluster)}
				defaultPath={defaultSavePath}
				sshFailedAll={sshFailedAll}
				installUnavailable={skippedDiscovery && state.history.includes(AWS_DISCOVERY) ? 'the instances were not found from here; install from a machine with AWS access' : undefined}
				onSave={(path) => onSave(path, clusterYaml(draftCluster, schemaLocation))}
				fileExists={fileExists}
				onExit={(savedPath) => {
					if (savedPath === undefined) finish({ cluster: draftCluster }, EXITED);
					else finish({ cluster: draftCluster, savedPath }, `Saved ${savedPath} (mode 0600). Install with: ${savedInstallCommand(savedPath)}`);
				}}
				onInstall={onInstall === undefined ? undefined : (chosen) => {
					onInstall(chosen);
					finish({ cluster: chosen, install: true }, 'Installing…');
				}}
				onBack={back}
				canGoBack={canGoBack}
			/>
		);
	} else if (question.kind === 'aws-discovery' && awsDiscovery !== undefined) {
		body = (
			<AwsDiscoveryScreen
				key={id}
				cluster={draftCluster}
				discover={awsDiscovery}
				onUse={(view) => {
					setSkippedDiscovery(false);
					setDiscovered(view);
					dispatch({ type: 'continue', id });
				}}
				onChangeSelection={toSelection}
				onBack={back}
				canGoBack={canGoBack}
				onExit={() => finish({ cluster: draftCluster }, EXITED)}
				onSaveWithout={() => {
					setDiscovered(undefined);
					setSkippedDiscovery(true);
					dispatch({ type: 'skipTo', from: id, id: REVIEW });
				}}
			/>
		);
	} else if (question.kind === 'ssh-check' || field !== undefined) {
		const onAws = id === AWS_SSH_CHECK;
		body = (
			<QuestionScreen
				key={id}
				question={question}
				field={field ?? { path: id, label: id, help: '', kind: { type: 'string' } }}
				draft={state.draft}
				context={context}
				canGoBack={canGoBack}
				onAnswer={(value: AnswerValue) => dispatch({ type: 'answer', id, value })}
				onEdit={(value: AnswerValue) => dispatch({ type: 'edit', id, value })}
				onContinue={(result) => {
					setSshFailedAll(result?.failedAll === true);
					dispatch({ type: 'continue', id });
				}}
				onBack={back}
				onEditHosts={onAws ? toSelection : state.history.includes('spec.hosts') ? () => dispatch({ type: 'backTo', id: 'spec.hosts' }) : undefined}
				probeOf={probe === undefined ? undefined : probeOf}
				connectionTest={connectionTest}
				{...(onAws ? {
					testedCluster,
					editHostsLabel: 'Change the instance selection',
					onEditSsh: lastSsh === undefined ? null : () => dispatch({ type: 'backTo', id: lastSsh }),
				} : {})}
			/>
		);
	}
	return (
		<WidthContext.Provider value={width}>
			<Box flexDirection="column" width={width}>
				<Progress sections={sections} current={current} />
				<Box marginTop={1} flexDirection="column">
					<Notices lines={state.notices} />
					{body}
				</Box>
				{paint % 2 === 1 ? <Text> </Text> : null}
			</Box>
		</WidthContext.Provider>
	);
}

export function Wizard(props: WizardProps) {
	return (
		<ColorContext.Provider value={props.color ?? true}>
			<Screens {...props} />
		</ColorContext.Provider>
	);
}
