// The SSH connection options for one host of a spec: the spec's ssh settings, the user's agent and
// home (decided by cli.tsx from the environment), and passphrases asked on the terminal. Every
// command that reaches hosts uses it, so a host is reached the same way by each of them.
import type { ConnectOptions } from '../remote/connection.js';
import type { TrustedHostKeys } from '../remote/host-key-check.js';
import type { Redactor } from '../remote/redact.js';
import type { Cluster } from '../spec/types.js';

/** Where this machine's SSH identity lives: the agent socket (or none) and the home directory. */
export interface SshIdentity {
	agent: string | false;
	home?: string;
	/** reads a secret from the terminal without echo; absent without one */
	askSecret?: (prompt: string) => Promise<string>;
}

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
		// A port the spec sets (22 too) wins over the config, as `ssh -p` does; without one, Port from
		// ~/.ssh/config for the host applies (22 without one). The spec keeps "not set" visible (fill: false).
		...(ssh.port === undefined ? {} : { port: ssh.port }),
		...(ssh.user ? { user: ssh.user } : {}),
		...(ssh.identityFile ? { identityFile: ssh.identityFile } : {}),
		knownHostsFile: ssh.knownHostsFile,
		hostKeyPolicy: ssh.hostKeyPolicy,
		...(ssh.bastion ? { bastion: { host: ssh.bastion.address, port: ssh.bastion.port ?? 22, ...(bastionUser ? { user: bastionUser } : {}) } } : {}),
	};
}

export function connectOptions(cluster: Cluster, address: string, identity: SshIdentity, extras: ConnectExtras): ConnectOptions {
	const askSecret = identity.askSecret;
	return {
		...sshTarget(cluster, address),
		agent: identity.agent,
		...(identity.home ? { home: identity.home } : {}),
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
