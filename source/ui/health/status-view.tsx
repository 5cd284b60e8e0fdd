// `kubestrap status` on a terminal: the same sections as the plain output, coloured.
import { useMemo } from 'react';
import { statusLines, type StatusReport } from '../../cluster/health/index.js';
import { TonedLines } from './toned-lines.js';

export interface StatusViewProps {
	report: StatusReport;
	/** columns to fit (default 80) */
	width?: number;
	color: boolean;
}

export function StatusView({ report, width = 80, color }: StatusViewProps) {
	const lines = useMemo(() => statusLines(report, { width }), [report, width]);
	return <TonedLines lines={lines} color={color} width={width} />;
}
