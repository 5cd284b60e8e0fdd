// kubectl-style aligned columns that fit a width. When the natural widths do not fit, the table's
// shrink steps are applied in order (column → narrower width) until they do, so each table says
// what it gives up first; text that no longer fits is cut with "…".
import { cutEnd } from './text.js';

export interface Column {
	header: string;
	cut?: (text: string, width: number) => string;
}

/** Shrink `column` (an index) to at most `width`, if the table is still too wide. */
export type ShrinkStep = readonly [column: number, width: number];

export const GAP = '  ';

export function columnWidths(columns: readonly Column[], rows: ReadonlyArray<readonly string[]>, width: number, steps: readonly ShrinkStep[] = []): number[] {
	const widths = columns.map((c) => c.header.length);
	for (const row of rows) {
		for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i] ?? 0, row[i]?.length ?? 0);
	}
	let excess = widths.reduce((sum, w) => sum + w, 0) + GAP.length * (columns.length - 1) - width;
	for (const [column, target] of steps) {
		if (excess <= 0) break;
		const current = widths[column] ?? 0;
		const give = Math.min(excess, current - Math.max(1, target));
		if (give > 0) {
			widths[column] = current - give;
			excess -= give;
		}
	}
	return widths;
}

/** One row's cells cut to their widths and padded, the last one unpadded (no trailing blanks). */
export function fitCells(columns: readonly Column[], widths: readonly number[], row: readonly string[]): string[] {
	return columns.map((c, i) => {
		const w = widths[i] ?? 0;
		const text = row[i] ?? '';
		const cut = text.length > w ? (c.cut ?? cutEnd)(text, w) : text;
		return i === columns.length - 1 ? cut : cut.padEnd(w);
	});
}
