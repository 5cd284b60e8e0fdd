// The terminal's width, kept current: Ink lays out again on a resize, but components that size
// themselves from stdout.columns (the wizard's width, wrapped help) only follow when they render
// again, so this hook re-renders them on every 'resize'. It listens ahead of Ink's own handler, so
// the frame Ink draws for the new size is already laid out at the new width.
import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

export function useColumns(fallback = 80): number {
	const { stdout } = useStdout();
	const [columns, setColumns] = useState(() => (stdout.columns > 0 ? stdout.columns : fallback));
	useEffect(() => {
		const onResize = (): void => setColumns(stdout.columns > 0 ? stdout.columns : fallback);
		stdout.prependListener('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout, fallback]);
	return columns;
}
