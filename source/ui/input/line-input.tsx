// The text of a line being edited, with the cursor drawn as an inverse cell (or a plain caret
// without colour). Display only: the field that owns the line handles the keys.
import { Text } from 'ink';
import { useColor } from '../theme.js';
import type { Line } from './line-editor.js';

export function LineInput({ line, focus = true, mask }: { line: Line; focus?: boolean; mask?: string }) {
	const color = useColor();
	const chars = [...line.text].map((char) => (mask === undefined ? char : mask));
	if (!focus) return <Text>{chars.join('')}</Text>;
	const at = Math.min(line.cursor, chars.length);
	const under = chars[at] ?? ' ';
	return (
		<Text>
			{chars.slice(0, at).join('')}
			{color ? <Text inverse>{under}</Text> : <Text underline>{under}</Text>}
			{chars.slice(at + 1).join('')}
		</Text>
	);
}
