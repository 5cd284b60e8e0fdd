// One line of text with its check shown under it as it is typed; Enter is refused while the check
// has anything to say. Esc goes back; ← does too, but only on an empty line, where it cannot mean
// "move the cursor".
import { useRef, useState } from 'react';
import { Box, Text, useInput } from 'ink';
import TextInput from 'ink-text-input';
import { Help, Problems } from './messages.js';
import { Tinted } from './theme.js';

export interface TextFieldProps {
	prompt: string;
	help?: string;
	initial?: string;
	/** what is wrong with this text (empty: it can be accepted) */
	check?: (text: string) => readonly string[];
	onSubmit: (text: string) => void;
	onBack?: () => void;
	isActive?: boolean;
}

export function TextField({ prompt, help, initial = '', check, onSubmit, onBack, isActive = true }: TextFieldProps) {
	const [value, setValue] = useState(initial);
	// Input handlers are re-attached after each render; a key arriving just before that must still
	// see the text as it is now, not as the previous render had it.
	const valueRef = useRef(initial);
	// A prefilled default is not judged until it is changed or submitted.
	const [touched, setTouched] = useState(false);
	useInput((_input, key) => {
		const text = valueRef.current;
		if (key.return) {
			const refused = check?.(text) ?? [];
			if (refused.length > 0) setTouched(true);
			else onSubmit(text);
		} else if (key.escape || (key.leftArrow && text === '')) onBack?.();
	}, { isActive });
	const messages = touched ? check?.(value) ?? [] : [];
	return (
		<Box flexDirection="column">
			<Box>
				<Tinted tone="accent" bold>{prompt}</Tinted>
				<Text> </Text>
				<TextInput
					value={value}
					focus={isActive}
					onChange={(text) => {
						valueRef.current = text;
						setValue(text);
						setTouched(true);
					}}
				/>
			</Box>
			<Help text={help} />
			<Problems messages={messages} />
		</Box>
	);
}
