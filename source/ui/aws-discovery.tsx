// The AWS step's discovery screen: the instances spec.aws selects, as a table to confirm, with every
// problem the install would stop on (each with its config path and fix) and the warnings it would print.
// The discovery itself is session/aws-discovery.ts (the AWS SDK stays in source/cloud) and comes in
// through the `discover` prop; leaving the screen (Esc, Ctrl-C) aborts it.
import { useContext, useEffect, useReducer, useState } from 'react';
import { Box, Text, useInput } from 'ink';
import type { AwsDiscovery, AwsDiscoveryView, AwsInstanceView } from '../session/aws-discovery.js';
import type { AwsSpec, Cluster } from '../spec/types.js';
import { HINTS, KeyHints } from './key-hints.js';
import { Help, Problems } from './messages.js';
import { SelectField, type SelectItem } from './select-field.js';
import { Tinted, WidthContext } from './theme.js';

/** How the selection reads in a sentence: "tags kubestrap.dev/cluster=demo", "IDs i-1, i-2". */
export function awsSelectorText(aws: AwsSpec): string {
	const ids = aws.instanceIds;
	if (ids.length === 0) return `tags ${Object.entries(aws.instanceTags).map(([key, value]) => `${key}=${value}`).join(', ')}`;
	// Beyond three IDs the sentence would wrap over several lines; the table lists them anyway.
	return ids.length <= 3 ? `ID${ids.length === 1 ? '' : 's'} ${ids.join(', ')}` : `${ids.length} instance IDs`;
}

type ColumnKey = 'id' | 'name' | 'type' | 'az' | 'subnet' | 'privateIp' | 'publicIp' | 'state' | 'role';

const COLUMNS: ReadonlyArray<{ key: ColumnKey; title: string; cell: (row: AwsInstanceView) => string }> = [
	{ key: 'id', title: 'ID', cell: (r) => r.id },
	{ key: 'name', title: 'NAME', cell: (r) => r.name || '-' },
	{ key: 'type', title: 'TYPE', cell: (r) => r.type },
	{ key: 'az', title: 'AZ', cell: (r) => r.az },
	{ key: 'subnet', title: 'SUBNET', cell: (r) => r.subnet },
	{ key: 'privateIp', title: 'PRIVATE IP', cell: (r) => r.privateIp || '-' },
	{ key: 'publicIp', title: 'PUBLIC IP', cell: (r) => r.publicIp ?? '-' },
	{ key: 'state', title: 'STATE', cell: (r) => r.state },
	// A tag that is not a role is shown as found, in brackets, so the problem below it can be matched.
	{ key: 'role', title: 'ROLE', cell: (r) => r.role ?? (r.roleTag === undefined ? '(no tag)' : `(${r.roleTag})`) },
];

const GAP = 2;
/** A name cut shorter than this says too little to be worth its column. */
const MIN_NAME = 8;

export interface FittedTable {
	/** the header line, then one line per instance */
	lines: string[];
	/** titles of the columns left out to fit the width */
	left: string[];
}

function cut(text: string, width: number): string {
	return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * The instance table in `width` columns. What confirms the selection stays (ID, name, the SSH address,
 * state, role); when it does not fit, SUBNET goes first, then AZ, the address SSH does not use and TYPE,
 * and a long name is cut; if even that is too wide the name goes too.
 */
export function fitInstanceTable(rows: readonly AwsInstanceView[], width: number, addressType: AwsSpec['addressType']): FittedTable {
	const natural = (key: ColumnKey): number => {
		const column = COLUMNS.find((c) => c.key === key);
		return column === undefined ? 0 : Math.max(column.title.length, ...rows.map((row) => column.cell(row).length));
	};
	// TYPE outlasts the unused address: in ENI mode it decides how many pods a node takes.
	const dropOrder: ColumnKey[] = ['subnet', 'az', addressType === 'public' ? 'privateIp' : 'publicIp', 'type'];
	const render = (left: readonly ColumnKey[], nameWidth: number | undefined): FittedTable => {
		const columns = COLUMNS.filter((c) => !left.includes(c.key) && (c.key !== 'name' || nameWidth !== undefined));
		const widths = columns.map((c) => (c.key === 'name' ? nameWidth ?? 0 : natural(c.key)));
		const line = (cells: string[]): string => cells.map((cell, i) => (i === cells.length - 1 ? cell : cut(cell, widths[i] ?? 0).padEnd(widths[i] ?? 0))).join(' '.repeat(GAP));
		return {
			lines: [line(columns.map((c) => c.title)), ...rows.map((row) => line(columns.map((c) => c.cell(row))))],
			left: [...left, ...(nameWidth === undefined ? ['name' as const] : [])].map((key) => COLUMNS.find((c) => c.key === key)?.title ?? key),
		};
	};
	for (let dropped = 0; dropped <= dropOrder.length; dropped++) {
		const left = dropOrder.slice(0, dropped);
		const kept = COLUMNS.filter((c) => !left.includes(c.key));
		const fixed = kept.filter((c) => c.key !== 'name').reduce((sum, c) => sum + natural(c.key), 0) + GAP * (kept.length - 1);
		const name = natural('name');
		if (fixed + name <= width) return render(left, name);
		if (fixed + MIN_NAME <= width) return render(left, width - fixed);
	}
	// Narrower than any sensible table: the name goes as well, and Ink cuts what is still too long.
	return render(dropOrder, undefined);
}

function listText(items: readonly string[]): string {
	return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function useSpinner(running: boolean): string {
	const [frame, setFrame] = useState(0);
	useEffect(() => {
		if (!running) return undefined;
		const timer = setInterval(() => setFrame((f) => (f + 1) % FRAMES.length), 120);
		return () => clearInterval(timer);
	}, [running]);
	return FRAMES[frame] ?? '';
}

function Warnings({ warnings }: { warnings: readonly string[] }) {
	if (warnings.length === 0) return null;
	return (
		<Box flexDirection="column">
			{warnings.map((warning, index) => (
				<Box key={index}>
					<Tinted tone="warn">! </Tinted>
					<Tinted tone="warn" wrap="wrap" indent={2}>{warning}</Tinted>
				</Box>
			))}
		</Box>
	);
}

function InstanceTable({ view, addressType }: { view: AwsDiscoveryView; addressType: AwsSpec['addressType'] }) {
	const width = useContext(WidthContext);
	const table = fitInstanceTable(view.instances, width, addressType);
	const [header, ...lines] = table.lines;
	return (
		<Box flexDirection="column" marginTop={1}>
			<Tinted bold>{header ?? ''}</Tinted>
			{lines.map((line, index) => {
				const row = view.instances[index];
				// Rows the problems below are about stand out; the problems say why.
				const bad = row !== undefined && (row.state !== 'running' || row.role === undefined);
				return <Tinted key={index} tone={bad ? 'error' : undefined} wrap="truncate-end">{line}</Tinted>;
			})}
			{table.left.length === 0 ? null : <Tinted tone="muted" wrap="wrap">{`(${listText(table.left)} left out to fit ${width} columns)`}</Tinted>}
		</Box>
	);
}

/** `attempt`: which search the result answers (a fresh choice list for each one). */
type Run = { state: 'running' } | { state: 'finished'; view: AwsDiscoveryView; attempt: number };
type Choice = 'use' | 'change' | 'again' | 'skip' | 'exit';

export interface AwsDiscoveryScreenProps {
	cluster: Cluster;
	discover: AwsDiscovery;
	/** "Use these N instances": the discovery found them without a problem */
	onUse: (view: AwsDiscoveryView) => void;
	/** back to the AWS host answers (offered when they were asked) */
	onChangeSelection?: () => void;
	onBack?: () => void;
	canGoBack?: boolean;
	/** leaves the wizard without saving */
	onExit: () => void;
	/** goes on to the review without instances, offered when the discovery cannot run here (no credentials) */
	onSaveWithout?: () => void;
	isActive?: boolean;
}

function failedView(message: string): AwsDiscoveryView {
	return { instances: [], hosts: [], problems: [], warnings: [], notes: [], failure: message };
}

function plural(n: number, word: string): string {
	return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function AwsDiscoveryScreen({ cluster, discover, onUse, onChangeSelection, onBack, canGoBack = true, onExit, onSaveWithout, isActive = true }: AwsDiscoveryScreenProps) {
	const [attempt, searchAgain] = useReducer((n: number) => n + 1, 0);
	const [run, setRun] = useState<Run>({ state: 'running' });
	const spinner = useSpinner(run.state === 'running');

	useEffect(() => {
		const controller = new AbortController();
		const { signal } = controller;
		setRun({ state: 'running' });
		discover(cluster, signal).then(
			(view) => {
				if (!signal.aborted) setRun({ state: 'finished', view, attempt });
			},
			(error: unknown) => {
				if (!signal.aborted) setRun({ state: 'finished', view: failedView(`the discovery stopped: ${error instanceof Error ? error.message : String(error)}`), attempt });
			},
		);
		return () => controller.abort();
	}, [cluster, discover, attempt]);

	useInput((input, key) => {
		if (key.escape || key.leftArrow) onBack?.();
	}, { isActive: isActive && run.state === 'running' });

	const aws = cluster.spec.aws;
	if (aws === undefined) return null;
	const where = `in ${aws.region} by ${awsSelectorText(aws)}`;
	if (run.state === 'running') {
		return (
			<Box flexDirection="column">
				<Tinted tone="accent" bold>AWS instances</Tinted>
				<Box marginTop={1}>
					<Tinted tone="accent">{spinner} </Tinted>
					<Tinted wrap="wrap" indent={2}>{`Finding instances ${where}…`}</Tinted>
				</Box>
				<KeyHints hints={HINTS.checking} canGoBack={canGoBack} />
			</Box>
		);
	}
	const { view } = run;
	const count = view.instances.length;
	const blocked = view.failure !== undefined ? 'the discovery failed (see above)'
		: count === 0 ? 'no instances were found'
			: view.problems.length > 0 ? `fix the ${view.problems.length === 1 ? 'problem' : 'problems'} above first` : undefined;
	const items: Array<SelectItem<Choice>> = [
		{ value: 'use', label: count === 0 ? 'Use these instances' : `Use ${count === 1 ? 'this instance' : `these ${count} instances`}`, disabledReason: blocked },
		...(onChangeSelection ? [{ value: 'change' as const, label: 'Change the selection' }] : []),
		{ value: 'again', label: 'Search again' },
		// The file can be prepared here and installed from a machine that has the credentials or role.
		...(view.failure !== undefined && onSaveWithout ? [{ value: 'skip' as const, label: 'Save without discovery (install finds the instances then)' }] : []),
		{ value: 'exit', label: 'Exit without saving' },
	];
	const controlPlanes = view.instances.filter((row) => row.role === 'control-plane').length;
	const workers = view.instances.filter((row) => row.role === 'worker').length;
	const found = view.failure !== undefined ? `Could not look for instances ${where}.`
		: `Found ${plural(count, 'instance')} ${where}${count === 0 ? '' : ` (${plural(controlPlanes, 'control plane')}, ${plural(workers, 'worker')}); SSH goes to their ${aws.addressType} addresses`}.`;
	return (
		<Box flexDirection="column">
			<Tinted tone="accent" bold>AWS instances</Tinted>
			<Help text={found} />
			{count === 0 ? null : <InstanceTable view={view} addressType={aws.addressType} />}
			<Box flexDirection="column" marginTop={1}>
				<Problems messages={[...(view.failure === undefined ? [] : [view.failure]), ...view.problems.map((p) => `${p.path}: ${p.message}`)]} />
				<Warnings warnings={view.warnings.map((w) => `${w.path}: ${w.message}`)} />
				{view.notes.map((note, index) => <Tinted key={index} tone="muted" wrap="wrap">{note}</Tinted>)}
				{view.failure === undefined && view.problems.length === 0 && count > 0 ? <Tinted tone="ok" wrap="wrap">No problems found.</Tinted> : null}
			</Box>
			<Box flexDirection="column" marginTop={1}>
				{/* A fresh list per result: the cursor starts on what fits it. */}
				<SelectField
					key={run.attempt}
					prompt="Select what to do"
					items={items}
					initial={blocked === undefined ? 'use' : view.failure !== undefined && onSaveWithout ? 'skip' : onChangeSelection ? 'change' : 'again'}
					isActive={isActive}
					onSubmit={(choice) => {
						if (choice === 'use') onUse(view);
						else if (choice === 'change') onChangeSelection?.();
						else if (choice === 'again') searchAgain();
						else if (choice === 'skip') onSaveWithout?.();
						else onExit();
					}}
					onBack={onBack}
				/>
				<KeyHints hints={HINTS.select} canGoBack={canGoBack} />
			</Box>
		</Box>
	);
}
