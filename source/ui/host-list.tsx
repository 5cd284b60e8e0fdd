// Baremetal hosts, added one address at a time with a role each. After an address come its two
// optional fields, the private address and the node name, which Enter on an empty line skips: a host
// without them costs three Enters and no typing. Every row shows the result of a background TCP
// check of its SSH port, which never holds up typing. ↑ moves from the input into the list, where e
// edits and d deletes a row. Pasting several lines adds one host per line (their optional fields left
// out), so a list copied from elsewhere goes in at once.
import { useReducer, useRef } from 'react';
import { Box, Text } from 'ink';
import type { Host, Role } from '../spec/types.js';
import type { KeyPress } from './input/keys.js';
import { editLine, lineOf, type Line } from './input/line-editor.js';
import { LineInput } from './input/line-input.js';
import { useKeys } from './input/use-keys.js';
import { HINTS, KeyHints } from './key-hints.js';
import { Help, Problems } from './messages.js';
import { Tinted } from './theme.js';

export type ProbeState = { state: 'checking' } | { state: 'reachable'; ms: number } | { state: 'unreachable'; reason: string };

/**
 * The lines of a paste: the presses of one read when they are only text and Enters and hold at least
 * two lines. `complete` ended with an Enter; `partial` is what came after the last one.
 */
export function pastedLines(presses: readonly KeyPress[]): { complete: string[]; partial: string } | undefined {
	const complete: string[] = [];
	let partial = '';
	for (const press of presses) {
		if (press.kind === 'text') partial += press.text;
		else if (press.kind === 'enter') {
			complete.push(partial);
			partial = '';
		} else return undefined;
	}
	const lines = [...complete, partial].filter((line) => line.trim() !== '');
	return complete.length > 0 && lines.length >= 2 ? { complete, partial } : undefined;
}

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
	line: Line;
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
	const ui = useRef<Ui>({ line: lineOf(''), role: roleFor(hosts, roles), stage: ADDRESS, mode: 'input', cursor: 0, touched: false, listMessages: [] });
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
	const clearInput = (list: readonly Host[]): Partial<Ui> => ({ line: lineOf(''), editing: undefined, stage: ADDRESS, touched: false, role: roleFor(list, roles) });
	/** The input line asking optional field `stage` of row `index`, prefilled with its value. */
	const askDetail = (list: readonly Host[], index: number, stage: number): Partial<Ui> => {
		const field = details[stage];
		if (field === undefined) return clearInput(list);
		return { stage, editing: index, line: lineOf(list[index]?.[field.key] ?? ''), touched: false };
	};
	/** Enter on the input line; true when it accepted the whole list (the screen is done). */
	const submitLine = (): boolean => {
		const text = ui.current.line.text.trim();
		const { stage, editing } = ui.current;
		const list = listRef.current;
		if (stage === ADDRESS && text === '') {
			if (editing !== undefined) {
				update({ ...clearInput(list), listMessages: [] });
				return false;
			}
			const refused = checkDone([...list]);
			if (refused.length > 0) {
				update({ listMessages: refused });
				return false;
			}
			onSubmit([...list]);
			return true;
		}
		const next = candidate(text);
		if (checkEntry(next.list, next.index).length > 0) {
			update({ touched: true, listMessages: [] });
			return false;
		}
		change(next.list);
		update({ ...askDetail(next.list, next.index, stage + 1), listMessages: [] });
		return false;
	};
	const point = (to: number, length = listRef.current.length): number => Math.max(0, Math.min(length - 1, to));

	/** Adds each complete pasted line as a host; stops at the first one that cannot be added. */
	const pasteHosts = (lines: readonly string[], partial: string): void => {
		let list = [...listRef.current];
		const addresses = lines.map((line) => line.trim()).filter((line) => line !== '');
		for (const [index, address] of addresses.entries()) {
			const role = roleFor(list, roles);
			const next = [...list, { address, role }];
			if (checkEntry(next, list.length).length > 0) {
				const left = addresses.length - index - 1;
				change(list);
				update({ ...clearInput(list), role, line: lineOf(address), touched: true, listMessages: left > 0 ? [`${left} pasted line${left === 1 ? '' : 's'} after ${address} ${left === 1 ? 'was' : 'were'} not added; fix this one and paste ${left === 1 ? 'it' : 'them'} again`] : [] });
				return;
			}
			list = next;
		}
		change(list);
		update({ ...clearInput(list), line: lineOf(partial.trim()), touched: partial.trim() !== '', listMessages: [] });
	};

	useKeys((press, rest) => {
		const state = ui.current;
		const list = listRef.current;
		const edit = (): void => {
			const next = editLine(state.line, press);
			if (next !== undefined && (next.text !== state.line.text || next.cursor !== state.line.cursor)) update({ line: next, touched: state.touched || next.text !== state.line.text });
		};
		if (state.mode === 'input' && state.stage !== ADDRESS) {
			// An optional field: Esc steps back to the field before it, the address last.
			if (press.kind === 'enter') {
				if (submitLine()) return 'stop';
			} else if (press.kind === 'escape') {
				const at = state.editing ?? list.length - 1;
				const host = list[at];
				if (state.stage === 0) update({ stage: ADDRESS, editing: at, line: lineOf(host?.address ?? ''), role: host?.role ?? state.role, touched: false });
				else update(askDetail(list, at, state.stage - 1));
			} else edit();
			return;
		}
		if (state.mode === 'input') {
			const paste = state.editing === undefined ? pastedLines([press, ...rest]) : undefined;
			if (paste !== undefined) {
				const [first = '', ...others] = paste.complete;
				pasteHosts([state.line.text + first, ...others], paste.complete.length === 0 ? state.line.text + paste.partial : paste.partial);
				return 'consumed-rest';
			}
			if (press.kind === 'enter') {
				// The list was accepted: the screen is done, whatever else the read held.
				if (submitLine()) return 'stop';
			} else if (press.kind === 'tab') update({ role: state.role === roles[0] ? roles[1] ?? state.role : roles[0] ?? state.role });
			else if (press.kind === 'up' && list.length > 0) update({ mode: 'list', cursor: point(state.editing ?? list.length - 1) });
			else if (press.kind === 'escape') {
				if (state.editing !== undefined) update(clearInput(list));
				else {
					onBack?.();
					return 'stop';
				}
			} else if (press.kind === 'left' && state.line.text === '' && state.editing === undefined) {
				onBack?.();
				return 'stop';
			} else edit();
			return;
		}
		const at = state.cursor;
		const letter = press.kind === 'text' ? press.text : '';
		if (press.kind === 'up') update({ cursor: point(at - 1) });
		else if (press.kind === 'down') update(at >= list.length - 1 ? { mode: 'input' } : { cursor: point(at + 1) });
		else if (press.kind === 'escape' || press.kind === 'left') update({ mode: 'input' });
		else if (letter === 'e' || press.kind === 'enter') {
			const host = list[at];
			if (host !== undefined) update({ editing: at, stage: ADDRESS, line: lineOf(host.address), role: host.role, touched: false, mode: 'input' });
		} else if (letter === 'd' || press.kind === 'delete' || press.kind === 'backspace') {
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

	const { line, role, editing, stage, mode, cursor, touched, listMessages } = ui.current;
	const text = line.text;
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
				<LineInput line={line} focus={isActive && mode === 'input'} />
			</Box>
			<Help text={field === undefined ? addressHelp : field.help} />
			<Problems messages={[...entryMessages, ...listMessages]} />
			<KeyHints hints={mode === 'list' ? HINTS.hostList : field === undefined ? HINTS.hostInput : HINTS.hostDetail} canGoBack={canGoBack} />
		</Box>
	);
}
