// The live install view: finished steps as <Static> lines (they scroll up and stay), the running
// step with a spinner per host, and a host-prefixed tail of the remote commands' output.
import { useEffect, useState } from 'react';
import { Box, Static, Text } from 'ink';
import type { FinishedStep, HostState, ProgressState } from './state.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const ICONS: Record<Exclude<HostState, 'running'>, string> = { waiting: '·', done: '✓', skipped: '-', failed: '✗' };
const COLORS: Record<HostState, string> = { waiting: 'gray', running: 'cyan', done: 'green', skipped: 'gray', failed: 'red' };

export interface ProgressSource {
	get(): ProgressState;
	subscribe(listener: () => void): () => void;
}

function summary(step: FinishedStep): string {
	const parts = [step.done > 0 ? `${step.done} done` : '', step.skipped > 0 ? `${step.skipped} already done` : '', step.failed.length > 0 ? `${step.failed.length} failed` : ''].filter(Boolean);
	return parts.join(', ');
}

export function InstallProgress({ source, color }: { source: ProgressSource; color: boolean }) {
	const [state, setState] = useState(source.get());
	const [frame, setFrame] = useState(0);
	useEffect(() => source.subscribe(() => setState(source.get())), [source]);
	useEffect(() => {
		const timer = setInterval(() => setFrame((f) => (f + 1) % FRAMES.length), 120);
		return () => clearInterval(timer);
	}, []);
	const tint = (state: HostState): string | undefined => (color ? COLORS[state] : undefined);
	return (
		<Box flexDirection="column">
			<Static items={state.finished}>
				{(step) => (
					<Box key={step.id} flexDirection="column">
						<Text>
							<Text color={tint(step.failed.length > 0 ? 'failed' : 'done')}>{step.failed.length > 0 ? '✗' : '✓'}</Text> {step.title} <Text color={tint('skipped')}>({summary(step)})</Text>
						</Text>
						{step.failed.map((line) => (
							<Text key={line} color={tint('failed')}>    {line}</Text>
						))}
					</Box>
				)}
			</Static>
			{state.current && (
				<Box flexDirection="column">
					<Text>
						<Text color={tint('running')}>{FRAMES[frame]}</Text> {state.current.title}
					</Text>
					{state.current.hosts.map((host) => (
						<Text key={host.id}>
							{'  '}
							<Text color={tint(host.state)}>{host.state === 'running' ? FRAMES[frame] : ICONS[host.state]}</Text> {host.id}
							{host.state === 'failed' && host.detail ? <Text color={tint('failed')}> {host.detail.split('\n')[0]}</Text> : null}
						</Text>
					))}
					{state.tail.map((line, index) => (
						<Text key={index} color={tint('skipped')} wrap="truncate-end">
							{'    '}
							{line}
						</Text>
					))}
				</Box>
			)}
		</Box>
	);
}
