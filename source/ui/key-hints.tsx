// The bar at the bottom that says which keys do what on the current screen.
import { Box } from 'ink';
import { Tinted } from './theme.js';

export const HINTS = {
	select: ['↑↓ select', 'enter confirm', 'esc back', 'ctrl-c quit'],
	text: ['enter confirm', 'esc back', 'ctrl-c quit'],
	confirm: ['y/n answer', 'enter confirm', 'esc back', 'ctrl-c quit'],
	hostInput: ['tab role', 'enter add', 'enter on empty: done', '↑ list', 'esc back', 'ctrl-c quit'],
	hostList: ['↑↓ select', 'e edit', 'd delete', 'esc/↓ back to input', 'ctrl-c quit'],
	continue: ['enter continue', 'esc back', 'ctrl-c quit'],
	checking: ['esc back', 'ctrl-c quit'],
	trust: ['y trust and record it', 'n/enter refuse', 'esc back', 'ctrl-c quit'],
	secret: ['enter confirm', 'esc skip this key', 'ctrl-c quit'],
	hostDetail: ['enter next (empty: none)', 'esc back to the address', 'ctrl-c quit'],
} as const;

export function KeyHints({ hints, canGoBack = true }: { hints: readonly string[]; canGoBack?: boolean }) {
	const shown = canGoBack ? hints : hints.filter((hint) => hint !== 'esc back');
	return (
		<Box marginTop={1}>
			<Tinted tone="muted" wrap="wrap">{shown.join(' · ')}</Tinted>
		</Box>
	);
}
