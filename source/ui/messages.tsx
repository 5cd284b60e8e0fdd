// Lines under a field: problems that block the answer, and notices about answers set for the user.
import { Box } from 'ink';
import { Tinted } from './theme.js';

export function Problems({ messages }: { messages: readonly string[] }) {
	if (messages.length === 0) return null;
	return (
		<Box flexDirection="column">
			{messages.map((message, index) => (
				<Box key={index}>
					<Tinted tone="error">✗ </Tinted>
					<Tinted tone="error" wrap="wrap" indent={2}>{message}</Tinted>
				</Box>
			))}
		</Box>
	);
}

export function Notices({ lines }: { lines: readonly string[] }) {
	if (lines.length === 0) return null;
	return (
		<Box flexDirection="column" marginBottom={1}>
			{lines.map((line, index) => (
				<Box key={index}>
					<Tinted tone="warn">→ </Tinted>
					<Tinted tone="warn" wrap="wrap" indent={2}>{line}</Tinted>
				</Box>
			))}
		</Box>
	);
}

export function Help({ text }: { text?: string }) {
	if (text === undefined || text === '') return null;
	return <Tinted tone="muted" wrap="wrap">{text}</Tinted>;
}
