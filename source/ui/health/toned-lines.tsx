// Renders the health model's toned lines, one <Text> per line keyed by the line's key, so a pod's
// row is updated in place when the verdict changes. Without colour nothing is styled at all.
import { Box, Text } from 'ink';
import type { Line } from '../../cluster/health/index.js';
import { toneColor } from '../theme.js';

export function TonedLines({ lines, color }: { lines: readonly Line[]; color: boolean }) {
	return (
		<Box flexDirection="column">
			{lines.map((line) => (
				<Text key={line.key} wrap="truncate-end">
					{line.segments.map((segment, index) =>
						color && (segment.tone !== undefined || segment.bold === true) ? (
							<Text key={index} color={segment.tone === undefined ? undefined : toneColor(segment.tone)} bold={segment.bold}>
								{segment.text}
							</Text>
						) : (
							segment.text
						),
					)}
				</Text>
			))}
		</Box>
	);
}
