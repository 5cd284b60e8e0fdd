// The SSH connection options for one host of a spec: the spec's ssh settings, the user's agent and
// home from the environment, and passphrases asked on the terminal. install and status both use it,
// so a host is reached the same way by every command.
import type { ConnectOptions } from '../remote/connection.js';
import type { TrustedHostKeys } from '../remote/host-key-check.js';
import type { Redactor } from '../remote/redact.js';
import type { Cluster } from '../spec/types.js';
import type { Io } from './io.js';

export interface ConnectExtras {
	deadlineMs: number;
	redactor: Redactor;
	signal: AbortSignal;
	sudoPassword?: string;
	/** fingerprints vouched for out of band (EC2 console output): a matching unknown key is trusted */
	trustedHostKeys?: TrustedHostKeys;
	/** told before each new connect attempt after a retryable failure (refused, reset, timed out) */
	onRetry?: ConnectOptions['onRetry'];
}

/** One line for a connect retry, for the live view and the run log: what failed and when the next try is. */
export function retryLine(info: { attempt: number; delayMs: number; error: Error }, deadlineMs: number): string {
	return `${info.error.message}; attempt ${info.attempt + 1} in ${(info.delayMs / 1000).toFixed(1)} s (gives up after ${Math.round(deadlineMs / 1000)} s)`;
}

/** What the spec says about reaching one host: address, port, user, key, known_hosts, policy, bastion. */
export function sshTarget(cluster: Cluster, address: string): Pick<ConnectOptions, 'host' | 'port' | 'user' | 'identityFile' | 'knownHostsFile' | 'hostKeyPolicy' | 'bastion'> {
	const { ssh } = cluster.spec;
	const bastionUser = ssh.bastion?.user ?? ssh.user;
	return {
		host: address,
		port: ssh.port,
		...(ssh.user ? { user: ssh.user } : {}),
		...(ssh.identityFile ? { identityFile: ssh.identityFile } : {}),
		knownHostsFile: ssh.knownHostsFile,
		hostKeyPolicy: ssh.hostKeyPolicy,
		...(ssh.bastion ? { bastion: { host: ssh.bastion.address, port: ssh.bastion.port ?? 22, ...(bastionUser ? { user: bastionUser } : {}) } } : {}),
	};
}

export function connectOptions(cluster: Cluster, address: string, io: Io, extras: ConnectExtras): ConnectOptions {
	const askSecret = io.askSecret;
	return {
		...sshTarget(cluster, address),
		agent: io.env['SSH_AUTH_SOCK'] ?? false,
		...(io.env['HOME'] ? { home: io.env['HOME'] } : {}),
		deadlineMs: extras.deadlineMs,
		...(extras.sudoPassword !== undefined ? { sudoPassword: extras.sudoPassword } : {}),
		...(extras.trustedHostKeys ? { trustedHostKeys: extras.trustedHostKeys } : {}),
		// An encrypted key is unlocked by asking on the terminal (at most three tries, per key file).
		...(askSecret ? { passphrase: (file: string) => askSecret(`passphrase for ${file}: `) } : {}),
		redactor: extras.redactor,
		signal: extras.signal,
		...(extras.onRetry ? { onRetry: extras.onRetry } : {}),
	};
}
