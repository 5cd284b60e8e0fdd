// The live readiness table shown while install waits for the cluster: kubectl-style pod rows (CNI
// pods first), the cause under each unhealthy pod, and the summary line.
import { useMemo } from 'react';
import { podTableLines, type Verdict } from '../../cluster/health/index.js';
import { TonedLines } from './toned-lines.js';

export interface PodTableProps {
	verdict: Verdict;
	elapsedMs: number;
	/** columns to fit (default 80) */
	width?: number;
	color: boolean;
	title?: string;
}

export function PodTable({ verdict, elapsedMs, width = 80, color, title }: PodTableProps) {
	const lines = useMemo(() => podTableLines(verdict, { width, elapsedMs, title }), [verdict, width, elapsedMs, title]);
	return <TonedLines lines={lines} color={color} width={width} />;
}
