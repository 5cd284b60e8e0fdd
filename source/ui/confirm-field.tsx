// A yes/no question: y or n answers at once, Enter takes the current value shown in capitals.
import { useState } from 'react';
import { Box, Text } from 'ink';
import { useKeys } from './input/use-keys.js';
import { Help, Problems } from './messages.js';
import { Tinted } from './theme.js';

export interface ConfirmFieldProps {
	prompt: string;
	help?: string;
	initial: boolean;
	check?: (value: boolean) => readonly string[];
	onSubmit: (value: boolean) => void;
	onBack?: () => void;
	isActive?: boolean;
}

export function ConfirmField({ prompt, help, initial, check, onSubmit, onBack, isActive = true }: ConfirmFieldProps) {
	const [messages, setMessages] = useState<readonly string[]>([]);
	const answer = (value: boolean): void => {
		const refused = check?.(value) ?? [];
		if (refused.length > 0) setMessages(refused);
		else onSubmit(value);
	};
	useKeys((press) => {
		// One answer per read: "y⏎" arriving together is the y.
		const letter = press.kind === 'text' ? press.text.charAt(0).toLowerCase() : '';
		if (press.kind === 'escape' || press.kind === 'left') onBack?.();
		else if (press.kind === 'enter') answer(initial);
		else if (letter === 'y') answer(true);
		else if (letter === 'n') answer(false);
		else return;
		return 'stop';
	}, { isActive });
	return (
		<Box flexDirection="column">
			<Box>
				<Tinted tone="accent" bold>{prompt}</Tinted>
				<Text> {initial ? '(Y/n)' : '(y/N)'}</Text>
			</Box>
			<Help text={help} />
			<Problems messages={messages} />
		</Box>
	);
}
