// Colour is a choice of the caller (NO_COLOR, dumb terminals): components ask this context and use
// plain text when it is off. Nothing in the layout depends on colour to be read.
import { createContext, useContext, type ReactNode } from 'react';
import { Text } from 'ink';
import { wrapWords } from './wrap.js';

export const ColorContext = createContext(true);
/** columns the wizard lays itself out in (the terminal's, at most 80) */
export const WidthContext = createContext(80);

export function useColor(): boolean {
	return useContext(ColorContext);
}

export type Tone = 'accent' | 'error' | 'ok' | 'muted' | 'warn';

const COLORS: Record<Tone, string> = { accent: 'cyan', error: 'red', ok: 'green', muted: 'gray', warn: 'yellow' };

/** The Ink colour name of a tone, for views that colour parts of a line themselves. */
export function toneColor(tone: Tone): string {
	return COLORS[tone];
}

export interface TintedProps {
	tone?: Tone;
	bold?: boolean;
	/** 'wrap' breaks at spaces to the wizard's width less `indent` columns */
	wrap?: 'wrap' | 'truncate-end';
	indent?: number;
	children: ReactNode;
}

function plainText(children: ReactNode): string | undefined {
	if (typeof children === 'string' || typeof children === 'number') return String(children);
	if (Array.isArray(children) && children.every((child) => typeof child === 'string' || typeof child === 'number')) return children.join('');
	return undefined;
}

export function Tinted({ tone, bold, wrap, indent = 0, children }: TintedProps) {
	const color = useColor();
	const width = useContext(WidthContext);
	const text = wrap === 'wrap' ? plainText(children) : undefined;
	return (
		<Text color={color && tone !== undefined ? COLORS[tone] : undefined} bold={bold} wrap={wrap}>
			{text === undefined ? children : wrapWords(text, width - indent)}
		</Text>
	);
}
