// kubectl-style aligned columns that fit a width: columns give up width in a set order, first down
// to a comfortable size, then down to their minimum, and cut their text with "…".
import { cutEnd } from './text.js';

export interface Column {
	header: string;
	/** width to shrink to in the first round */
	soft: number;
	/** narrowest width, reached only in the second round */
	min: number;
	/** columns with a lower number give up width first */
	order: number;
	cut?: (text: string, width: number) => string;
}

export const GAP = '  ';

export function columnWidths(columns: readonly Column[], rows: ReadonlyArray<readonly string[]>, width: number): number[] {
	const widths = columns.map((c) => c.header.length);
	for (const row of rows) {
		for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i] ?? 0, row[i]?.length ?? 0);
	}
	let excess = widths.reduce((sum, w) => sum + w, 0) + GAP.length * (columns.length - 1) - width;
	const order = columns.map((c, i) => ({ c, i })).sort((a, b) => a.c.order - b.c.order);
	for (const round of ['soft', 'min'] as const) {
		for (const { c, i } of order) {
			if (excess <= 0) return widths;
			const current = widths[i] ?? 0;
			const give = Math.min(excess, current - Math.max(c[round], 1));
			if (give > 0) {
				widths[i] = current - give;
				excess -= give;
			}
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
