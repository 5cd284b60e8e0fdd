// The last screen: the whole spec, what would be installed, the commands that do the same without
// questions, and what to do now. "Install now" appears only when the caller can install (onInstall).
import { useState, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import { CILIUM_ENI_ACTIONS } from '../cloud/iam-policy.js';
import { resolveKubernetesVersion } from '../spec/versions.js';
import { hostsSummary, networkSummary } from '../spec/summary.js';
import type { Cluster, Problem } from '../spec/types.js';
import { ConfirmField } from './confirm-field.js';
import { configCommand, flagCommandLines, needsConfigFile } from './equivalent-command.js';
import { HINTS, KeyHints } from './key-hints.js';
import { Problems } from './messages.js';
import { SelectField, type SelectItem } from './select-field.js';
import { TextField } from './text-field.js';
import { Tinted } from './theme.js';

export type ReviewChoice = 'install' | 'save' | 'exit';

export interface ReviewProps {
	cluster: Cluster;
	/** whatever validateCluster still reports; saving and installing wait until it is empty */
	problems: readonly Problem[];
	defaultPath: string;
	/** writes the file; a rejection's message is shown and the path asked again */
	onSave: (path: string) => Promise<void>;
	fileExists?: (path: string) => Promise<boolean>;
	onExit: (savedPath?: string) => void;
	onInstall?: (cluster: Cluster) => void;
	onBack?: () => void;
	canGoBack?: boolean;
	/** every host failed the SSH connection test: "Save and exit" is the default, with a warning */
	sshFailedAll?: boolean;
	/** why "Install now" cannot be taken here although the spec is valid */
	installUnavailable?: string;
}

function Row({ label, children }: { label: string; children: ReactNode }) {
	return (
		<Box>
			<Box width={14} flexShrink={0}>
				<Text>{label}</Text>
			</Box>
			<Box flexGrow={1} flexDirection="column">{children}</Box>
		</Box>
	);
}

function kubernetesLine(cluster: Cluster): string {
	const { kubernetes } = cluster.spec;
	const resolved = resolveKubernetesVersion(kubernetes.version, cluster.spec.network.cni);
	// Without an exact patch the newest one the package repository offers is installed; plan names it.
	const version = typeof resolved === 'string' || resolved.patch !== undefined ? kubernetes.version : `${kubernetes.version} (the newest patch from pkgs.k8s.io; \`kubestrap plan\` names it)`;
	const endpoint = kubernetes.controlPlaneEndpoint === '' ? '' : `, endpoint ${kubernetes.controlPlaneEndpoint}`;
	return `${version}, pods ${kubernetes.podSubnet}, services ${kubernetes.serviceSubnet}${endpoint}`;
}

function sshLine(cluster: Cluster): string {
	const { ssh } = cluster.spec;
	const parts = [
		`user ${ssh.user ?? '(from ~/.ssh/config or local user)'}`,
		ssh.port === undefined ? 'port 22 (or Port from ~/.ssh/config)' : `port ${ssh.port}`,
		ssh.identityFile === undefined ? 'SSH agent or default keys' : `key ${ssh.identityFile}`,
		`host keys ${ssh.hostKeyPolicy} (${ssh.knownHostsFile})`,
	];
	if (ssh.bastion !== undefined) parts.push(`via bastion ${ssh.bastion.user ?? ssh.user ?? ''}${ssh.bastion.user ?? ssh.user ? '@' : ''}${ssh.bastion.address}:${ssh.bastion.port ?? 22}`);
	return parts.join(', ');
}

function Summary({ cluster }: { cluster: Cluster }) {
	const { spec } = cluster;
	return (
		<Box flexDirection="column">
			<Row label="Cluster name"><Text>{cluster.metadata.name}</Text></Row>
			<Row label="Hosts">
				<Tinted wrap="wrap" indent={14}>{`${hostsSummary(cluster)}${spec.aws ? `, SSH to ${spec.aws.addressType} addresses` : ''}`}</Tinted>
				{spec.hosts.map((host, index) => (
					<Text key={index} wrap="truncate-end">
						{host.role.padEnd(15)}{host.address}{host.privateAddress ? ` (private ${host.privateAddress})` : ''}{host.name ? ` name ${host.name}` : ''}
					</Text>
				))}
			</Row>
			<Row label="SSH"><Tinted wrap="wrap" indent={14}>{sshLine(cluster)}</Tinted></Row>
			<Row label="Kubernetes"><Tinted wrap="wrap" indent={14}>{kubernetesLine(cluster)}</Tinted></Row>
			<Row label="Network"><Tinted wrap="wrap" indent={14}>{networkSummary(cluster)}</Tinted></Row>
			{spec.network.cni === 'cilium' && spec.network.cilium.ipam === 'eni' ? (
				<Row label="IAM (ENI)">
					<Tinted wrap="wrap" indent={14}>{`the control-plane instance role needs this policy (kubestrap aws iam-policy writes it): ${CILIUM_ENI_ACTIONS.join(', ')} on Resource "*"`}</Tinted>
				</Row>
			) : null}
		</Box>
	);
}

function Commands({ cluster, file }: { cluster: Cluster; file: string }) {
	return (
		<Box flexDirection="column" marginTop={1}>
			<Text>The same install without questions:</Text>
			<Text>  {configCommand(file)}</Text>
			<Text>or with flags only{needsConfigFile(cluster) ? ' (host private addresses and names need the file)' : ''}:</Text>
			{flagCommandLines(cluster).map((line, index) => (
				<Text key={index}>  {line}</Text>
			))}
		</Box>
	);
}

type Stage = { name: 'menu' } | { name: 'path'; error?: string } | { name: 'overwrite'; path: string } | { name: 'saving'; path: string };

export function Review({ cluster, problems, defaultPath, onSave, fileExists, onExit, onInstall, onBack, canGoBack = true, sshFailedAll = false, installUnavailable }: ReviewProps) {
	const [stage, setStage] = useState<Stage>({ name: 'menu' });
	const [lastPath, setLastPath] = useState(defaultPath);
	const blocked = problems.length > 0 ? 'fix the problems above first (esc goes back)' : undefined;
	const items: Array<SelectItem<ReviewChoice>> = [
		...(onInstall ? [{ value: 'install' as const, label: 'Install now', disabledReason: blocked ?? installUnavailable }] : []),
		{ value: 'save', label: 'Save and exit', disabledReason: blocked },
		{ value: 'exit', label: 'Exit without saving' },
	];
	const save = (path: string): void => {
		setStage({ name: 'saving', path });
		onSave(path).then(
			() => onExit(path),
			(error: unknown) => setStage({ name: 'path', error: `cannot write ${path}: ${error instanceof Error ? error.message : String(error)}` }),
		);
	};
	const askedPath = (text: string): void => {
		const path = text.trim();
		setLastPath(path);
		if (fileExists === undefined) {
			save(path);
			return;
		}
		fileExists(path).then(
			(exists) => (exists ? setStage({ name: 'overwrite', path }) : save(path)),
			() => save(path),
		);
	};
	const file = lastPath.replace(/^\.\//, '');
	return (
		<Box flexDirection="column">
			<Tinted tone="accent" bold>Review</Tinted>
			<Summary cluster={cluster} />
			{problems.length > 0 ? (
				<Box marginTop={1}>
					<Problems messages={problems.map((p) => `${p.path}: ${p.message}`)} />
				</Box>
			) : null}
			{sshFailedAll ? (
				<Box marginTop={1}>
					<Tinted tone="warn" wrap="wrap">Every host failed the SSH connection test: an install now would stop at its first step. Save the file and install once the hosts answer.</Tinted>
				</Box>
			) : null}
			<Commands cluster={cluster} file={file} />
			<Box marginTop={1} flexDirection="column">
				{stage.name === 'menu' ? (
					<>
						<SelectField
							prompt="Select what to do"
							items={items}
							initial={onInstall && !sshFailedAll && installUnavailable === undefined ? 'install' : 'save'}
							onSubmit={(choice) => {
								if (choice === 'install') onInstall?.(cluster);
								else if (choice === 'save') setStage({ name: 'path' });
								else onExit();
							}}
							onBack={onBack}
						/>
						<KeyHints hints={HINTS.select} canGoBack={canGoBack} />
					</>
				) : null}
				{stage.name === 'path' ? (
					<>
						<TextField
							prompt="File:"
							help="Where to save the cluster spec (written with mode 0600)."
							initial={lastPath}
							check={(text) => (text.trim() === '' ? ['required'] : [])}
							onSubmit={askedPath}
							onBack={() => setStage({ name: 'menu' })}
						/>
						{stage.error === undefined ? null : <Problems messages={[stage.error]} />}
						<KeyHints hints={HINTS.text} />
					</>
				) : null}
				{stage.name === 'overwrite' ? (
					<>
						<ConfirmField
							prompt={`${stage.path} exists. Overwrite it?`}
							initial={false}
							onSubmit={(yes) => (yes ? save(stage.path) : setStage({ name: 'path' }))}
							onBack={() => setStage({ name: 'path' })}
						/>
						<KeyHints hints={HINTS.confirm} />
					</>
				) : null}
				{stage.name === 'saving' ? <Text>Saving {stage.path}…</Text> : null}
			</Box>
		</Box>
	);
}
