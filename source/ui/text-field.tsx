// One line of text with its check shown under it as it is typed; Enter is refused while the check
// has anything to say. Keys are edited as in a shell (input/line-editor.ts); a read holding a value
// and its Enter (a paste, tmux, a fast typist) submits it. Esc goes back; ← does too, but only on an
// empty line, where it cannot mean "move the cursor".
import { useReducer, useRef } from 'react';
import { Box, Text } from 'ink';
import { editLine, lineOf, type Line } from './input/line-editor.js';
import { LineInput } from './input/line-input.js';
import { useKeys } from './input/use-keys.js';
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
	// The line lives in a ref: the presses of one read are applied one after another before React
	// renders again, and each must see the text as the one before left it.
	const line = useRef<Line>(lineOf(initial));
	// A prefilled default is not judged until it is changed or submitted.
	const touched = useRef(false);
	const [, redraw] = useReducer((n: number) => n + 1, 0);
	useKeys((press) => {
		const text = line.current.text;
		if (press.kind === 'enter') {
			const refused = check?.(text) ?? [];
			if (refused.length === 0) {
				onSubmit(text);
				return 'stop';
			}
			touched.current = true;
			redraw();
			return 'stop';
		}
		if (press.kind === 'escape' || (press.kind === 'left' && text === '')) {
			onBack?.();
			return 'stop';
		}
		const next = editLine(line.current, press);
		if (next === undefined) return;
		if (next.text !== text) touched.current = true;
		line.current = next;
		redraw();
	}, { isActive });
	const messages = touched.current ? check?.(line.current.text) ?? [] : [];
	return (
		<Box flexDirection="column">
			<Box>
				<Tinted tone="accent" bold>{prompt}</Tinted>
				<Text> </Text>
				<LineInput line={line.current} focus={isActive} />
			</Box>
			<Help text={help} />
			<Problems messages={messages} />
		</Box>
	);
}
