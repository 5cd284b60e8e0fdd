// connect(): one SSH connection per host, reused for every command of the run, through optional jump hosts,
// with host keys verified on every hop, retries with backoff inside a deadline, and a reconnect when the
// connection drops between commands.

import { expandTilde } from '../files/tilde.js';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { NodeSSH } from 'node-ssh';
import pLimit from 'p-limit';

import { authMethods, type AuthMethod, type PassphraseCallback } from './auth.js';
import { retryWithBackoff, type BackoffOptions } from './backoff.js';
import { RemoteError } from './errors.js';
import { execRaw, execText, SUDO_NOPASSWD, sudoWithPassword, type ExecContext, type SudoMode } from './exec.js';
import {
	createHostKeyCheck,
	isKnownHostKey,
	preferredHostKeyAlgorithms,
	unknownHostKeyInfo,
	type HostKeyCheckOptions,
	type HostKeyPolicy,
	type TrustedHostKeys,
	type UnknownHostKeyInfo,
} from './host-key-check.js';
import { appendKnownHost } from './known-hosts.js';
import type { Redactor } from './redact.js';
import type { Remote, RemoteStats } from './remote.js';
import {
	defaultSshConfigPath,
	readSshConfig,
	safeLocalUser,
	sshConfigFor,
	type JumpHost,
	type SshConfigValues,
} from './ssh-config-file.js';
import type { Ssh2Channel, Ssh2Client } from './ssh2-types.js';
import { download, upload } from './transfer.js';
import { proxyCommandLine, startProxyCommand, type ProxyProcess } from './proxy-command.js';

export interface ConnectOptions {
	/** Address or ssh config alias. Remote.host and every message use this name. */
	host: string;
	/** Explicit values win over ~/.ssh/config; config values win over the defaults (22, local user). */
	port?: number;
	user?: string;
	/** Must exist when given. Default: agent, then IdentityFile from ssh config, ~/.ssh/id_ed25519, ~/.ssh/id_rsa. */
	identityFile?: string;
	knownHostsFile: string;
	/** Read-only host keys, e.g. a fleet-wide file. Default: /etc/ssh/ssh_known_hosts. */
	extraKnownHostsFiles?: readonly string[];
	hostKeyPolicy: HostKeyPolicy;
	/** One jump host. Without it, ProxyJump or ProxyCommand from ssh config is used (a bastion wins, as `ssh -J` does). */
	bastion?: JumpHost;
	/** Per attempt: TCP connect, handshake and authentication. Default 10 s. */
	readyTimeoutMs?: number;
	/** Retries stop when the next attempt would start after this. Default 5 min. */
	deadlineMs?: number;
	/** Timeout for commands that do not set their own, so nothing waits forever. Default: none. */
	defaultCommandTimeoutMs?: number;
	/**
	 * Strict policy and an unknown key: asked whether to trust it (e.g. the wizard shows the fingerprint).
	 * true records the key in knownHostsFile and connects; false refuses.
	 */
	onUnknownHostKey?: (info: UnknownHostKeyInfo) => Promise<boolean>;
	/**
	 * Host-key fingerprints vouched for out of band (the EC2 console output), for the target only, not the
	 * jump hosts: an unknown key that matches is recorded in knownHostsFile, any other unknown key is refused.
	 */
	trustedHostKeys?: TrustedHostKeys;
	passphrase?: PassphraseCallback;
	/** Agent socket (the CLI passes SSH_AUTH_SOCK); absent or false: no agent. */
	agent?: string | false;
	/** Default ~/.ssh/config; null: do not read one. */
	sshConfigFile?: string | null;
	home?: string;
	/** Opt-in: sent on stdin to `sudo -S` when the host's sudo asks for one; never on a command line. */
	sudoPassword?: string;
	/** Applied to streamed lines, outputs and error messages. The sudo password is added to it. */
	redactor?: Redactor;
	/** Retry authentication failures too (a freshly launched cloud instance may not have its key yet). */
	retryAuth?: boolean;
	/** Concurrent channels on the connection; sshd allows 10 sessions by default. */
	maxChannels?: number;
	keepaliveIntervalMs?: number;
	keepaliveCountMax?: number;
	signal?: AbortSignal;
	onRetry?: (info: { host: string; attempt: number; delayMs: number; error: RemoteError }) => void;
	backoff?: BackoffOptions;
}

interface Endpoint {
	/** The name used in messages. */
	label: string;
	address: string;
	port: number;
	user: string;
	identityFiles: string[];
	/** ProxyCommand from ssh config; used when this endpoint is the first one of the chain. */
	proxyCommand?: string;
}

const DEFAULT_READY_TIMEOUT_MS = 10_000;
const DEFAULT_DEADLINE_MS = 5 * 60_000;
const DEFAULT_MAX_CHANNELS = 8;
const RETRYABLE_CODES = new Set([
	'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN',
	'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN',
]);

export async function connect(options: ConnectOptions): Promise<Remote> {
	const home = options.home ?? homedir();
	const knownHostsFile = expandHome(options.knownHostsFile, home);
	const identityFile = options.identityFile === undefined ? undefined : expandHome(options.identityFile, home);
	const configText = options.sshConfigFile === null
		? undefined
		: await readSshConfig(options.sshConfigFile ?? defaultSshConfigPath(home), home);
	const configName = options.sshConfigFile ?? defaultSshConfigPath(home);
	const configFor = (alias: string): SshConfigValues =>
		configText === undefined ? { identityFiles: [] } : sshConfigFor(configText, alias, home, configName);

	const targetConfig = configFor(options.host);
	const target: Endpoint = {
		label: options.host,
		address: targetConfig.hostName ?? options.host,
		port: options.port ?? targetConfig.port ?? 22,
		user: options.user ?? targetConfig.user ?? safeLocalUser(),
		identityFiles: targetConfig.identityFiles,
		// A bastion from the spec replaces the config's way there, as `ssh -J` overrides ProxyCommand.
		...(targetConfig.proxyCommand === undefined || options.bastion !== undefined ? {} : { proxyCommand: targetConfig.proxyCommand }),
	};
	const hopSpecs = options.bastion === undefined ? targetConfig.proxyJump ?? [] : [options.bastion];
	const hops: Endpoint[] = hopSpecs.map((hop) => {
		const hopConfig = configFor(hop.host);
		return {
			label: hop.host,
			address: hopConfig.hostName ?? hop.host,
			port: hop.port ?? hopConfig.port ?? 22,
			user: hop.user ?? hopConfig.user ?? target.user,
			identityFiles: hopConfig.identityFiles,
			...(hopConfig.proxyCommand === undefined ? {} : { proxyCommand: hopConfig.proxyCommand }),
		};
	});

	const redactor = options.redactor;
	if (options.sudoPassword !== undefined) {
		redactor?.add(options.sudoPassword);
	}

	// Each identity file is read (and its passphrase asked) once for the whole life of this Remote.
	const passphrases = new Map<string, Promise<string | undefined>>();
	const passphrase: PassphraseCallback | undefined = options.passphrase === undefined
		? undefined
		: (file, attempt) => {
			const key = `${file}\0${attempt}`;
			let answer = passphrases.get(key);
			if (answer === undefined) {
				answer = options.passphrase?.(file, attempt) ?? Promise.resolve(undefined);
				passphrases.set(key, answer);
			}
			return answer;
		};
	const credentials = new Map<Endpoint, Promise<AuthMethod[]>>();
	const authFor = (endpoint: Endpoint): Promise<AuthMethod[]> => {
		let methods = credentials.get(endpoint);
		if (methods === undefined) {
			methods = authMethods({
				host: endpoint.label,
				user: endpoint.user,
				home,
				configIdentityFiles: endpoint.identityFiles,
				...(identityFile === undefined ? {} : { identityFile }),
				...(options.agent === undefined ? {} : { agent: options.agent }),
				...(passphrase === undefined ? {} : { passphrase }),
			});
			credentials.set(endpoint, methods);
		}
		return methods;
	};

	const stats: RemoteStats = { connectionsOpened: 0, hopConnectionsOpened: 0, connectAttempts: 0, commandsRun: 0 };
	const lost = new WeakSet<Ssh2Client>();
	const hopClients: (Ssh2Client | undefined)[] = hops.map(() => undefined);
	let current: Ssh2Client | undefined;
	let connecting: Promise<Ssh2Client> | undefined;
	let closed = false;

	const hostKeyOptions = (endpoint: Endpoint): HostKeyCheckOptions => ({
		host: endpoint.address,
		port: endpoint.port,
		knownHostsFile,
		extraKnownHostsFiles: options.extraKnownHostsFiles ?? ['/etc/ssh/ssh_known_hosts'],
		policy: options.hostKeyPolicy,
		...(endpoint === target && options.trustedHostKeys !== undefined ? { trusted: options.trustedHostKeys } : {}),
	});

	const connectEndpoint = async (endpoint: Endpoint, via: Ssh2Client | undefined, readyTimeoutMs: number): Promise<Ssh2Client> => {
		const keyOptions = hostKeyOptions(endpoint);
		const auth = await authFor(endpoint);
		let asked = false;
		for (;;) {
			const check = createHostKeyCheck(keyOptions);
			const serverHostKey = await preferredHostKeyAlgorithms(keyOptions);
			const proxy: ProxyProcess | undefined = via === undefined && endpoint.proxyCommand !== undefined
				? startProxyCommand(proxyCommandLine(endpoint.proxyCommand, { host: endpoint.address, port: endpoint.port, user: endpoint.user, alias: endpoint.label }))
				: undefined;
			const sock = proxy?.sock ?? (via === undefined ? undefined : await forward(via, endpoint, target));
			const ssh = new NodeSSH();
			// Ctrl-C must not wait out a handshake timeout.
			const onAbort = (): void => {
				(ssh.connection as Ssh2Client | null)?.end();
				proxy?.kill();
			};
			options.signal?.addEventListener('abort', onAbort, { once: true });
			try {
				await ssh.connect({
					...(sock === undefined ? { host: endpoint.address } : { sock }),
					port: endpoint.port,
					username: endpoint.user,
					authHandler: auth,
					hostVerifier: check.verifier,
					readyTimeout: readyTimeoutMs,
					keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
					keepaliveCountMax: options.keepaliveCountMax ?? 3,
					algorithms: { serverHostKey },
				});
			} catch (error) {
				(ssh.connection as Ssh2Client | null)?.end();
				// A proxy that ended on its own is the cause; what it printed on stderr says why.
				const early = await proxy?.earlyExit(1_000);
				proxy?.kill();
				if (early !== undefined) {
					throw new RemoteError({
						kind: 'unreachable',
						host: endpoint.label,
						retryable: false,
						message: `host ${endpoint.label}: the ProxyCommand from the ssh config ${early}; fix the command or set ProxyCommand none for this host`,
						cause: error,
					});
				}
				const outcome = check.outcome();
				if (outcome.unknown !== undefined && options.onUnknownHostKey !== undefined && !asked) {
					asked = true;
					// Asked after the attempt failed, so the user can take their time without a handshake timing out.
					const trusted = await options.onUnknownHostKey(unknownHostKeyInfo(keyOptions, outcome.unknown));
					// A yes that arrives after Ctrl-C writes nothing: an interrupted run leaves no trace.
					if (trusted && options.signal?.aborted !== true) {
						// Connections opened side by side (hosts behind one bastion) can all be told yes
						// for the same key; it is recorded once.
						if (!(await isKnownHostKey(keyOptions, outcome.unknown))) {
							await appendKnownHost(knownHostsFile, endpoint.address, endpoint.port, outcome.unknown.keyType, outcome.unknown.blob);
						}
						continue;
					}
				}
				if (outcome.error !== undefined) {
					throw outcome.error;
				}
				throw classifyConnectError(error, endpoint, options.retryAuth === true);
			} finally {
				options.signal?.removeEventListener('abort', onAbort);
			}
			const client = ssh.connection as Ssh2Client;
			// After 'ready' ssh2 still reports keepalive timeouts and resets as 'error' events; without a
			// listener they would crash the process. The 'close' that follows marks the connection lost.
			client.on('error', () => {});
			client.on('close', () => {
				lost.add(client);
				proxy?.kill();
			});
			// Without TCP_NODELAY every command after the first waits ~40 ms on delayed ACKs.
			client.setNoDelay(true);
			return client;
		}
	};

	const openChain = async (readyTimeoutMs: number): Promise<Ssh2Client> => {
		let via: Ssh2Client | undefined;
		for (const [index, hop] of hops.entries()) {
			let client = hopClients[index];
			if (client === undefined || lost.has(client)) {
				client = await connectEndpoint(hop, via, readyTimeoutMs);
				hopClients[index] = client;
				stats.hopConnectionsOpened++;
			}
			via = client;
		}
		const client = await connectEndpoint(target, via, readyTimeoutMs);
		stats.connectionsOpened++;
		return client;
	};

	const connectWithRetry = async (): Promise<Ssh2Client> => {
		const started = Date.now();
		const deadline = started + (options.deadlineMs ?? DEFAULT_DEADLINE_MS);
		let attempts = 0;
		try {
			return await retryWithBackoff(async ({ remainingMs }) => {
				attempts++;
				stats.connectAttempts++;
				return openChain(Math.max(200, Math.min(options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS, remainingMs)));
			}, {
				deadline,
				isRetryable: (error) => error instanceof RemoteError && error.retryable,
				...(options.signal === undefined ? {} : { signal: options.signal }),
				...(options.backoff ?? {}),
				onRetry: ({ attempt, delayMs, error }) => {
					if (error instanceof RemoteError) {
						options.onRetry?.({ host: options.host, attempt, delayMs, error });
					}
				},
			});
		} catch (error) {
			if (options.signal?.aborted === true) {
				throw new RemoteError({
					kind: 'aborted',
					host: options.host,
					retryable: false,
					message: `host ${options.host}: connecting was interrupted`,
					cause: error,
				});
			}
			if (error instanceof RemoteError && error.retryable && attempts > 1) {
				const seconds = Math.round((Date.now() - started) / 100) / 10;
				throw new RemoteError({
					kind: error.kind,
					host: error.host,
					retryable: true,
					message: `${error.message} (gave up after ${attempts} attempts in ${seconds} s)`,
					cause: error,
				});
			}
			throw error;
		}
	};

	const connection = async (): Promise<Ssh2Client> => {
		if (closed) {
			throw new RemoteError({
				kind: 'unreachable',
				host: options.host,
				retryable: false,
				message: `host ${options.host}: the connection was closed by kubestrap`,
			});
		}
		if (current !== undefined && !lost.has(current)) {
			return current;
		}
		connecting ??= connectWithRetry().then((client) => {
			current = client;
			return client;
		}).finally(() => {
			connecting = undefined;
		});
		return connecting;
	};

	let sudoMode: Promise<SudoMode> | undefined;
	const limit = pLimit(options.maxChannels ?? DEFAULT_MAX_CHANNELS);
	const context: ExecContext = {
		host: options.host,
		user: target.user,
		connection,
		isLost: (client) => lost.has(client),
		markLost: (client) => {
			lost.add(client);
			client.end();
		},
		schedule: (task) => limit(task),
		redactor,
		stats,
		sudo: () => {
			const password = options.sudoPassword;
			if (password === undefined) {
				return Promise.resolve(SUDO_NOPASSWD);
			}
			// Hosts with NOPASSWD never read the password; sending it anyway would feed it to the command.
			sudoMode ??= execRaw(context, ['sudo', '-n', 'true']).then(
				(result) => (result.code === 0 ? SUDO_NOPASSWD : sudoWithPassword(password)),
				(error: unknown) => {
					sudoMode = undefined;
					throw error;
				},
			);
			return sudoMode;
		},
	};

	await connection();

	return {
		host: options.host,
		stats,
		exec: (argv, execOptions) => execText(context, argv, {
			...(options.defaultCommandTimeoutMs === undefined ? {} : { timeoutMs: options.defaultCommandTimeoutMs }),
			...execOptions,
		}),
		upload: (content, remotePath, uploadOptions) => upload(context, content, remotePath, uploadOptions),
		download: (remotePath, downloadOptions) => download(context, remotePath, downloadOptions),
		close: async () => {
			closed = true;
			const clients = [current, ...[...hopClients].reverse()].filter((client): client is Ssh2Client => client !== undefined);
			await Promise.all(clients.map((client) => endClient(client, lost)));
		},
	};
}

function expandHome(path: string, home: string): string {
	return expandTilde(path, home);
}

function forward(via: Ssh2Client, endpoint: Endpoint, target: Endpoint): Promise<Ssh2Channel> {
	return new Promise((resolve, reject) => {
		try {
			via.forwardOut('127.0.0.1', 0, endpoint.address, endpoint.port, (error, channel) => {
				if (error !== undefined && error !== null) {
					reject(new RemoteError({
						kind: 'unreachable',
						host: endpoint.label,
						retryable: true,
						message: `host ${endpoint.label}: the jump host could not reach ${endpoint.address}:${endpoint.port}`
							+ `${endpoint === target ? '' : ` (on the way to ${target.label})`}: ${error.message}`,
						cause: error,
					}));
				} else {
					resolve(channel);
				}
			});
		} catch (error) {
			reject(new RemoteError({
				kind: 'unreachable',
				host: endpoint.label,
				retryable: true,
				message: `host ${endpoint.label}: the jump host connection is gone`,
				cause: error,
			}));
		}
	});
}

export function classifyConnectError(error: unknown, endpoint: { label: string; address: string; port: number; user: string }, retryAuth: boolean): RemoteError {
	if (error instanceof RemoteError) {
		return error;
	}
	const err = error as Error & { code?: string; level?: string };
	const where = `${endpoint.address}:${endpoint.port}`;
	const name = endpoint.label === endpoint.address ? where : `${endpoint.label} (${where})`;
	const detail = err?.message ?? String(error);
	const make = (kind: RemoteError['kind'], retryable: boolean, message: string): RemoteError =>
		new RemoteError({ kind, host: endpoint.label, retryable, message: `host ${name}: ${message}`, cause: error });

	if (err?.level === 'client-authentication') {
		return make('auth', retryAuth, `authentication as ${endpoint.user} failed (${detail})`);
	}
	if (err?.level === 'client-timeout' || /Timed out while waiting for handshake/i.test(detail)) {
		return make('timeout', true, `no SSH handshake within the timeout (${detail})`);
	}
	if (err?.code === 'ENOTFOUND') {
		return make('unreachable', false, `the host name cannot be resolved (${detail})`);
	}
	if ((err?.code !== undefined && RETRYABLE_CODES.has(err.code))
		|| /Connection lost before handshake|No response from server|Keepalive timeout|socket hang up|Not connected/i.test(detail)) {
		return make('unreachable', true, `cannot connect (${detail})`);
	}
	return make('unreachable', false, `SSH connection failed (${detail})`);
}

function endClient(client: Ssh2Client, lost: WeakSet<Ssh2Client>): Promise<void> {
	if (lost.has(client)) {
		return Promise.resolve();
	}
	return new Promise((resolve) => {
		const timer = setTimeout(resolve, 1_000);
		client.once('close', () => {
			clearTimeout(timer);
			resolve();
		});
		client.end();
	});
}
