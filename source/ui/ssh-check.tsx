// The SSH step's connection test: one result line per host (authentication, host key, sudo -n true,
// kernel, OS). The test itself belongs to the SSH layer and comes in through the `connectionTest`
// prop; without it this screen renders nothing and the wizard does not stop here.
import { useEffect, useState } from 'react';
import { Box, Text, useInput } from 'ink';
import type { Cluster } from '../spec/types.js';
import { HINTS, KeyHints } from './key-hints.js';
import { Help } from './messages.js';
import { Tinted } from './theme.js';

export interface HostCheck {
	host: string;
	state: 'checking' | 'ok' | 'failed';
	/** e.g. "ubuntu 24.04, kernel 6.8, sudo ok" or why it failed */
	detail?: string;
}

/** Runs the per-host checks, calling `report` whenever a host's line changes; stops on `signal`. */
export type ConnectionTest = (cluster: Cluster, report: (check: HostCheck) => void, signal: AbortSignal) => Promise<void>;

export interface SshConnectionCheckProps {
	cluster: Cluster;
	connectionTest?: ConnectionTest;
	onContinue: () => void;
	onBack?: () => void;
	canGoBack?: boolean;
	isActive?: boolean;
}

export function SshConnectionCheck({ cluster, connectionTest, onContinue, onBack, canGoBack = true, isActive = true }: SshConnectionCheckProps) {
	const [checks, setChecks] = useState<readonly HostCheck[]>([]);
	const [failure, setFailure] = useState<string | undefined>(undefined);
	useEffect(() => {
		if (connectionTest === undefined) return;
		const controller = new AbortController();
		const report = (check: HostCheck): void => {
			if (controller.signal.aborted) return;
			setChecks((current) => [...current.filter((c) => c.host !== check.host), check]);
		};
		connectionTest(cluster, report, controller.signal).catch((error: unknown) => {
			if (!controller.signal.aborted) setFailure(error instanceof Error ? error.message : String(error));
		});
		return () => controller.abort();
	}, [cluster, connectionTest]);
	useInput((_input, key) => {
		if (key.return) onContinue();
		else if (key.escape || key.leftArrow) onBack?.();
	}, { isActive: isActive && connectionTest !== undefined });
	if (connectionTest === undefined) return null;
	return (
		<Box flexDirection="column">
			<Tinted tone="accent" bold>SSH connection test:</Tinted>
			<Help text="Each host: authentication, host key, sudo -n true, kernel ≥ 5.10 and OS." />
			<Box flexDirection="column" marginTop={1}>
				{checks.map((check) => (
					<Box key={check.host}>
						<Text>{check.host.padEnd(24)} </Text>
						<Tinted tone={check.state === 'ok' ? 'ok' : check.state === 'failed' ? 'error' : 'muted'} wrap="wrap" indent={25}>
							{`${check.state === 'checking' ? 'checking…' : check.state === 'ok' ? 'ok' : 'failed'}${check.detail ? `: ${check.detail}` : ''}`}
						</Tinted>
					</Box>
				))}
			</Box>
			{failure === undefined ? null : <Tinted tone="error">✗ {failure}</Tinted>}
			<KeyHints hints={HINTS.continue} canGoBack={canGoBack} />
		</Box>
	);
}
