// Baremetal hosts, added one address at a time with a role each. After an address come its two
// optional fields, the private address and the node name, which Enter on an empty line skips: a host
// without them costs three Enters and no typing. Every row shows the result of a background TCP
// check of its SSH port, which never holds up typing. ↑ moves from the input into the list, where e
// edits and d deletes a row.
import { useReducer, useRef } from 'react';
import { Box, Text, useInput } from 'ink';
import TextInput from 'ink-text-input';
import type { Host, Role } from '../spec/types.js';
import { HINTS, KeyHints } from './key-hints.js';
import { Help, Problems } from './messages.js';
import { Tinted } from './theme.js';

export type ProbeState = { state: 'checking' } | { state: 'reachable'; ms: number } | { state: 'unreachable'; reason: string };

/** An optional per-host field asked after the address. */
export interface HostDetailField {
	key: 'privateAddress' | 'name';
	label: string;
	help?: string;
}

export interface HostListProps {
	prompt: string;
	help?: string;
	/** prompt and help of the address line */
	addressLabel: string;
	addressHelp?: string;
	roles: readonly Role[];
	/** optional fields asked after each address, in order (none: one line per host) */
	details?: readonly HostDetailField[];
	hosts: readonly Host[];
	probeOf?: (host: Host) => ProbeState | undefined;
	/** problems with the entry at `index` of this candidate list (empty: it can be added) */
	checkEntry: (hosts: Host[], index: number) => readonly string[];
	/** problems with the list as a whole (empty: the list can be accepted) */
	checkDone: (hosts: Host[]) => readonly string[];
	onChange: (hosts: Host[]) => void;
	onSubmit: (hosts: Host[]) => void;
	onBack?: () => void;
	canGoBack?: boolean;
	isActive?: boolean;
}

function roleFor(hosts: readonly Host[], roles: readonly Role[]): Role {
	const first = roles[0] ?? 'control-plane';
	// The first host is a control plane; later ones are usually workers.
	return hosts.some((host) => host.role === first) ? roles[1] ?? first : first;
}

function ProbeText({ probe }: { probe: ProbeState | undefined }) {
	if (probe === undefined) return null;
	if (probe.state === 'checking') return <Tinted tone="muted">checking…</Tinted>;
	if (probe.state === 'reachable') return <Tinted tone="ok">reachable ({probe.ms} ms)</Tinted>;
	return <Tinted tone="error" wrap="truncate-end">unreachable: {probe.reason}</Tinted>;
}

interface Ui {
	text: string;
	role: Role;
	/** index of the row the input line works on: an edited row, or the host whose details are asked */
	editing?: number;
	/** -1: the address; otherwise the index in `details` of the optional field being asked */
	stage: number;
	mode: 'input' | 'list';
	cursor: number;
	/** show the entry's problems (after a change or a refused Enter) */
	touched: boolean;
	listMessages: readonly string[];
}

const ADDRESS = -1;

export function HostList(props: HostListProps) {
	const { prompt, help, addressLabel, addressHelp, roles, details = [], hosts, probeOf, checkEntry, checkDone, onChange, onSubmit, onBack, canGoBack = true, isActive = true } = props;
	// One ref holds the screen state so that keys arriving before the next render (a paste, a fast
	// terminal) act on what is current rather than on the previous render's copy.
	const ui = useRef<Ui>({ text: '', role: roleFor(hosts, roles), stage: ADDRESS, mode: 'input', cursor: 0, touched: false, listMessages: [] });
	const [, redraw] = useReducer((n: number) => n + 1, 0);
	const update = (patch: Partial<Ui>): void => {
		ui.current = { ...ui.current, ...patch };
		redraw();
	};
	// The list as last sent to onChange, for the same reason.
	const listRef = useRef<readonly Host[]>(hosts);
	listRef.current = hosts;
	const change = (list: Host[]): void => {
		listRef.current = list;
		onChange(list);
	};

	/** The list with the input line's text applied to the entry it works on. */
	const candidate = (text: string): { list: Host[]; index: number } => {
		const { editing, role, stage } = ui.current;
		const current = listRef.current;
		if (stage === ADDRESS) {
			if (editing === undefined) return { list: [...current, { address: text, role }], index: current.length };
			return { list: current.map((host, index) => (index === editing ? { ...host, address: text, role } : host)), index: editing };
		}
		const key = details[stage]?.key ?? 'name';
		const at = editing ?? current.length - 1;
		const list = current.map((host, index) => {
			if (index !== at) return host;
			// Empty means "none": the key is left out, as in a file that does not set it.
			const copy: Host = { ...host };
			if (text === '') delete copy[key];
			else copy[key] = text;
			return copy;
		});
		return { list, index: at };
	};
	const clearInput = (list: readonly Host[]): Partial<Ui> => ({ text: '', editing: undefined, stage: ADDRESS, touched: false, role: roleFor(list, roles) });
	/** The input line asking optional field `stage` of row `index`, prefilled with its value. */
	const askDetail = (list: readonly Host[], index: number, stage: number): Partial<Ui> => {
		const field = details[stage];
		if (field === undefined) return clearInput(list);
		return { stage, editing: index, text: list[index]?.[field.key] ?? '', touched: false };
	};
	const submitLine = (): void => {
		const text = ui.current.text.trim();
		const { stage, editing } = ui.current;
		const list = listRef.current;
		if (stage === ADDRESS && text === '') {
			if (editing !== undefined) {
				update({ ...clearInput(list), listMessages: [] });
				return;
			}
			const refused = checkDone([...list]);
			if (refused.length > 0) update({ listMessages: refused });
			else onSubmit([...list]);
			return;
		}
		const next = candidate(text);
		if (checkEntry(next.list, next.index).length > 0) {
			update({ touched: true, listMessages: [] });
			return;
		}
		change(next.list);
		update({ ...askDetail(next.list, next.index, stage + 1), listMessages: [] });
	};
	const point = (to: number, length = listRef.current.length): number => Math.max(0, Math.min(length - 1, to));

	useInput((input, key) => {
		const state = ui.current;
		const list = listRef.current;
		if (state.mode === 'input' && state.stage !== ADDRESS) {
			// An optional field: Esc steps back to the field before it, the address last.
			if (key.return) submitLine();
			else if (key.escape) {
				const at = state.editing ?? list.length - 1;
				const host = list[at];
				if (state.stage === 0) update({ stage: ADDRESS, editing: at, text: host?.address ?? '', role: host?.role ?? state.role, touched: false });
				else update(askDetail(list, at, state.stage - 1));
			}
			return;
		}
		if (state.mode === 'input') {
			if (key.return) submitLine();
			else if (key.tab) update({ role: state.role === roles[0] ? roles[1] ?? state.role : roles[0] ?? state.role });
			else if (key.upArrow && list.length > 0) update({ mode: 'list', cursor: point(state.editing ?? list.length - 1) });
			else if (key.escape) {
				if (state.editing !== undefined) update(clearInput(list));
				else onBack?.();
			} else if (key.leftArrow && state.text === '' && state.editing === undefined) onBack?.();
			return;
		}
		const at = state.cursor;
		if (key.upArrow) update({ cursor: point(at - 1) });
		else if (key.downArrow) update(at >= list.length - 1 ? { mode: 'input' } : { cursor: point(at + 1) });
		else if (key.escape || key.leftArrow) update({ mode: 'input' });
		else if (input === 'e' || key.return) {
			const host = list[at];
			if (host !== undefined) update({ editing: at, stage: ADDRESS, text: host.address, role: host.role, touched: false, mode: 'input' });
		} else if (input === 'd' || key.delete || key.backspace) {
			const rest = list.filter((_host, index) => index !== at);
			change(rest);
			update({
				listMessages: [],
				mode: rest.length === 0 ? 'input' : 'list',
				cursor: point(at, rest.length),
				// Whatever the input line was working on may have moved: it starts over.
				...(state.editing === undefined && state.stage === ADDRESS ? { role: roleFor(rest, roles) } : clearInput(rest)),
			});
		}
	}, { isActive });

	const { text, role, editing, stage, mode, cursor, touched, listMessages } = ui.current;
	const width = Math.min(40, Math.max(12, ...hosts.map((host) => host.address.length)));
	const privateWidth = Math.min(40, Math.max(0, ...hosts.map((host) => host.privateAddress?.length ?? 0)));
	const nameWidth = Math.min(40, Math.max(0, ...hosts.map((host) => host.name?.length ?? 0)));
	const entryMessages = touched && (text.trim() !== '' || stage !== ADDRESS) ? checkEntry(candidate(text.trim()).list, candidate(text.trim()).index) : [];
	const field = stage === ADDRESS ? undefined : details[stage];
	const subject = editing === undefined ? undefined : hosts[editing]?.address;
	const label = field === undefined
		? `${addressLabel} (${role})${editing === undefined ? '' : ` #${editing + 1}`}:`
		: `${field.label} of ${subject ?? 'this host'} (optional):`;
	return (
		<Box flexDirection="column">
			<Tinted tone="accent" bold>{prompt}</Tinted>
			<Help text={help} />
			<Box flexDirection="column" marginTop={1}>
				{hosts.length === 0 ? <Tinted tone="muted">(no hosts yet)</Tinted> : null}
				{hosts.map((host, index) => {
					const selected = mode === 'list' && index === cursor;
					return (
						<Box key={`${index}-${host.address}`}>
							<Text>{selected ? '›' : ' '} {String(index + 1).padStart(2)}  </Text>
							<Tinted tone={selected ? 'accent' : undefined} bold={selected}>
								{host.role.padEnd(15)}{host.address.padEnd(width).slice(0, width)}
								{privateWidth > 0 ? `  ${(host.privateAddress ?? '').padEnd(privateWidth)}` : ''}
								{nameWidth > 0 ? `  ${(host.name ?? '').padEnd(nameWidth)}` : ''}
							</Tinted>
							<Text>  </Text>
							{editing === index && stage === ADDRESS ? <Tinted tone="warn">editing…</Tinted> : <ProbeText probe={probeOf?.(host)} />}
						</Box>
					);
				})}
			</Box>
			<Box marginTop={1}>
				<Tinted tone={mode === 'input' ? 'accent' : undefined} bold={mode === 'input'}>{label}</Tinted>
				<Text> </Text>
				<TextInput
					// A fresh input per edited row and field puts the cursor at the end of the loaded value.
					key={`${editing ?? 'new'}-${stage}`}
					value={text}
					focus={isActive && mode === 'input'}
					showCursor={mode === 'input'}
					onChange={(value) => update({ text: value, touched: true })}
				/>
			</Box>
			<Help text={field === undefined ? addressHelp : field.help} />
			<Problems messages={[...entryMessages, ...listMessages]} />
			<KeyHints hints={mode === 'list' ? HINTS.hostList : field === undefined ? HINTS.hostInput : HINTS.hostDetail} canGoBack={canGoBack} />
		</Box>
	);
}
