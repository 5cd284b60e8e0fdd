// A yes/no question: y or n answers at once, Enter takes the current value shown in capitals.
import { useState } from 'react';
import { Box, Text, useInput } from 'ink';
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
	useInput((input, key) => {
		if (key.escape || key.leftArrow) onBack?.();
		else if (key.return) answer(initial);
		else if (input === 'y' || input === 'Y') answer(true);
		else if (input === 'n' || input === 'N') answer(false);
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
