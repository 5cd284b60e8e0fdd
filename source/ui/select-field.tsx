// A list of choices where a choice can be shown but not taken, with the reason beside it (ENI on
// baremetal, Cilium with a Kubernetes minor it does not support). ink-select-input has no such state.
import { useRef, useState } from 'react';
import { Box, Text, useInput } from 'ink';
import { Help, Problems } from './messages.js';
import { Tinted } from './theme.js';

export interface SelectItem<V> {
	value: V;
	label: string;
	/** set when the choice cannot be taken: shown next to it, and Enter on it is refused */
	disabledReason?: string;
}

export interface SelectFieldProps<V> {
	prompt: string;
	help?: string;
	items: ReadonlyArray<SelectItem<V>>;
	initial?: V;
	/** messages that refuse an enabled choice on Enter (empty: accepted) */
	check?: (value: V) => readonly string[];
	onSubmit: (value: V) => void;
	onBack?: () => void;
	isActive?: boolean;
}

function startIndex<V>(items: ReadonlyArray<SelectItem<V>>, initial: V | undefined): number {
	const wanted = items.findIndex((item) => item.value === initial && item.disabledReason === undefined);
	if (wanted !== -1) return wanted;
	const enabled = items.findIndex((item) => item.disabledReason === undefined);
	return enabled === -1 ? 0 : enabled;
}

export function SelectField<V>({ prompt, help, items, initial, check, onSubmit, onBack, isActive = true }: SelectFieldProps<V>) {
	const [cursor, setCursor] = useState(() => startIndex(items, initial));
	// Keys can arrive in one burst (a paste, a fast terminal): the ref sees every move before Enter.
	const cursorRef = useRef(cursor);
	const [messages, setMessages] = useState<readonly string[]>([]);
	const move = (to: number): void => {
		cursorRef.current = Math.max(0, Math.min(items.length - 1, to));
		setCursor(cursorRef.current);
		setMessages([]);
	};
	useInput((input, key) => {
		if (key.upArrow) move(cursorRef.current - 1);
		else if (key.downArrow) move(cursorRef.current + 1);
		else if (key.escape || key.leftArrow) onBack?.();
		else if (key.return) {
			const item = items[cursorRef.current];
			if (item === undefined) return;
			if (item.disabledReason !== undefined) {
				setMessages([`${item.label} is unavailable: ${item.disabledReason}`]);
				return;
			}
			const refused = check?.(item.value) ?? [];
			if (refused.length > 0) setMessages(refused);
			else onSubmit(item.value);
		}
	}, { isActive });
	return (
		<Box flexDirection="column">
			<Tinted tone="accent" bold>{prompt}</Tinted>
			<Help text={help} />
			<Box flexDirection="column" marginTop={1}>
				{items.map((item, index) => {
					const selected = index === cursor;
					const pointer = selected ? '›' : ' ';
					if (item.disabledReason !== undefined) {
						return (
							<Box key={index}>
								<Tinted tone="muted">{pointer} </Tinted>
								<Tinted tone="muted" wrap="wrap" indent={2}>{`${item.label} — unavailable: ${item.disabledReason}`}</Tinted>
							</Box>
						);
					}
					return selected
						? <Tinted key={index} tone="accent" bold>{pointer} {item.label}</Tinted>
						: <Text key={index}>{pointer} {item.label}</Text>;
				})}
			</Box>
			<Problems messages={messages} />
		</Box>
	);
}
