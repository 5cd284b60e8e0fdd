// Renders the health model's toned lines, one <Text> per line keyed by the line's key, so a pod's
// row is updated in place when the verdict changes. Without colour nothing is styled at all.
import { Box, Text } from 'ink';
import { safeText, type Line } from '../../cluster/health/index.js';
import { toneColor } from '../theme.js';

/** Lines wider than `width` (a table whose narrowest layout does not fit) are cut by Ink. */
export function TonedLines({ lines, color, width }: { lines: readonly Line[]; color: boolean; width: number }) {
	return (
		<Box flexDirection="column" width={width}>
			{lines.map((line) => (
				<Text key={line.key} wrap="truncate-end">
					{line.segments.map((segment, index) =>
						color && (segment.tone !== undefined || segment.bold === true) ? (
							<Text key={index} color={segment.tone === undefined ? undefined : toneColor(segment.tone)} bold={segment.bold}>
								{safeText(segment.text)}
							</Text>
						) : (
							safeText(segment.text)
						),
					)}
				</Text>
			))}
		</Box>
	);
}
