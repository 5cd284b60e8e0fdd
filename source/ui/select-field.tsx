// A list of choices where a choice can be shown but not taken, with the reason beside it (ENI on
// baremetal, Cilium with a Kubernetes minor it does not support). The list is ink-select-input; its
// item component draws an unavailable choice dimmed with its reason, and the select handler refuses it.
import { useMemo, useState, type FC } from 'react';
import { Box, Text, useInput } from 'ink';
import SelectInput from 'ink-select-input';
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

function Indicator({ isSelected = false }: { isSelected?: boolean }) {
	return <Text>{isSelected ? '› ' : '  '}</Text>;
}

/** ink-select-input's item props; the key carries the item's index, so the reason can be looked up. */
interface ItemProps {
	isSelected?: boolean;
	label: string;
}

export function SelectField<V>({ prompt, help, items, initial, check, onSubmit, onBack, isActive = true }: SelectFieldProps<V>) {
	const [messages, setMessages] = useState<readonly string[]>([]);
	const reasons = useMemo(() => new Map(items.map((item) => [item.label, item.disabledReason])), [items]);
	const ItemLine = useMemo<FC<ItemProps>>(() => function ItemLine({ isSelected = false, label }: ItemProps) {
		const reason = reasons.get(label);
		if (reason !== undefined) return <Tinted tone="muted" wrap="wrap" indent={2}>{`${label} — unavailable: ${reason}`}</Tinted>;
		return isSelected ? <Tinted tone="accent" bold>{label}</Tinted> : <Text>{label}</Text>;
	}, [reasons]);
	// Index values keep the list's keys unique and stable whatever V is.
	const listItems = useMemo(() => items.map((item, index) => ({ key: String(index), label: item.label, value: index })), [items]);
	useInput((_input, key) => {
		if (key.escape || key.leftArrow) onBack?.();
	}, { isActive });
	return (
		<Box flexDirection="column">
			<Tinted tone="accent" bold>{prompt}</Tinted>
			<Help text={help} />
			<Box flexDirection="column" marginTop={1}>
				<SelectInput
					items={listItems}
					initialIndex={startIndex(items, initial)}
					isFocused={isActive}
					indicatorComponent={Indicator}
					itemComponent={ItemLine}
					onHighlight={() => setMessages([])}
					onSelect={(selected) => {
						const item = items[selected.value];
						if (item === undefined) return;
						if (item.disabledReason !== undefined) {
							setMessages([`${item.label} is unavailable: ${item.disabledReason}`]);
							return;
						}
						const refused = check?.(item.value) ?? [];
						if (refused.length > 0) setMessages(refused);
						else onSubmit(item.value);
					}}
				/>
			</Box>
			<Problems messages={messages} />
		</Box>
	);
}
