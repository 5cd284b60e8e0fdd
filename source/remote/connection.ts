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

/** What every endpoint of one Remote shares while it connects: the options, the resolved chain, the caches. */
interface ConnectEnv {
	options: ConnectOptions;
	home: string;
	knownHostsFile: string;
	target: Endpoint;
	hops: Endpoint[];
	/** the credentials of an endpoint, read once */
	authFor(endpoint: Endpoint): Promise<AuthMethod[]>;
	/** connections that closed or failed: never handed out again */
	lost: WeakSet<Ssh2Client>;
	stats: RemoteStats;
}

export async function connect(options: ConnectOptions): Promise<Remote> {
	const home = options.home ?? homedir();
	const { target, hops } = await resolveEndpoints(options, home);
	if (options.sudoPassword !== undefined) {
		options.redactor?.add(options.sudoPassword);
	}
	const identityFile = options.identityFile === undefined ? undefined : expandHome(options.identityFile, home);
	const env: ConnectEnv = {
		options,
		home,
		knownHostsFile: expandHome(options.knownHostsFile, home),
		target,
		hops,
		authFor: credentialCache(options, home, identityFile),
		lost: new WeakSet<Ssh2Client>(),
		stats: { connectionsOpened: 0, hopConnectionsOpened: 0, connectAttempts: 0, commandsRun: 0 },
	};
	const hopClients: (Ssh2Client | undefined)[] = hops.map(() => undefined);
	const link = reusedConnection(env, hopClients);
	const context = execContext(env, link.connection);
	await link.connection();
	return {
		host: options.host,
		stats: env.stats,
		exec: (argv, execOptions) => execText(context, argv, {
			...(options.defaultCommandTimeoutMs === undefined ? {} : { timeoutMs: options.defaultCommandTimeoutMs }),
			...execOptions,
		}),
		upload: (content, remotePath, uploadOptions) => upload(context, content, remotePath, uploadOptions),
		download: (remotePath, downloadOptions) => download(context, remotePath, downloadOptions),
		close: async () => {
			const clients = [link.close(), ...[...hopClients].reverse()].filter((client): client is Ssh2Client => client !== undefined);
			await Promise.all(clients.map((client) => endClient(client, env.lost)));
		},
	};
}

/**
 * The target and its jump hosts from the options and ~/.ssh/config (HostName, Port, User, IdentityFile,
 * ProxyJump, ProxyCommand); explicit options win over the config, the config over the defaults.
 */
async function resolveEndpoints(options: ConnectOptions, home: string): Promise<{ target: Endpoint; hops: Endpoint[] }> {
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
	return { target, hops };
}

/** Each identity file is read (and its passphrase asked) once for the whole life of a Remote. */
function credentialCache(options: ConnectOptions, home: string, identityFile: string | undefined): (endpoint: Endpoint) => Promise<AuthMethod[]> {
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
	return (endpoint) => {
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
}

/** How an endpoint's host key is checked: known_hosts, the policy, and for the target the keys vouched for out of band. */
function hostKeyOptions(env: ConnectEnv, endpoint: Endpoint): HostKeyCheckOptions {
	return {
		host: endpoint.address,
		port: endpoint.port,
		knownHostsFile: env.knownHostsFile,
		extraKnownHostsFiles: env.options.extraKnownHostsFiles ?? ['/etc/ssh/ssh_known_hosts'],
		policy: env.options.hostKeyPolicy,
		...(endpoint === env.target && env.options.trustedHostKeys !== undefined ? { trusted: env.options.trustedHostKeys } : {}),
	};
}

/**
 * One SSH connection to an endpoint, directly, through its ProxyCommand or forwarded through the jump
 * host `via`. An unknown host key the user accepts (onUnknownHostKey) is recorded and the handshake tried
 * again, once.
 */
async function connectEndpoint(env: ConnectEnv, endpoint: Endpoint, via: Ssh2Client | undefined, readyTimeoutMs: number): Promise<Ssh2Client> {
	const { options } = env;
	const keyOptions = hostKeyOptions(env, endpoint);
	const auth = await env.authFor(endpoint);
	let asked = false;
	for (;;) {
		const check = createHostKeyCheck(keyOptions);
		const serverHostKey = await preferredHostKeyAlgorithms(keyOptions);
		const proxy: ProxyProcess | undefined = via === undefined && endpoint.proxyCommand !== undefined
			? startProxyCommand(proxyCommandLine(endpoint.proxyCommand, { host: endpoint.address, port: endpoint.port, user: endpoint.user, alias: endpoint.label }))
			: undefined;
		const sock = proxy?.sock ?? (via === undefined ? undefined : await forward(via, endpoint, env.target));
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
			const failure = await handshakeFailure(env, endpoint, error, proxy);
			if (failure !== undefined) throw failure;
			const outcome = check.outcome();
			if (outcome.unknown !== undefined && options.onUnknownHostKey !== undefined && !asked) {
				asked = true;
				if (await trustUnknownKey(env, endpoint, keyOptions, outcome.unknown)) continue;
			}
			if (outcome.error !== undefined) {
				throw outcome.error;
			}
			throw classifyConnectError(error, endpoint, options.retryAuth === true);
		} finally {
			options.signal?.removeEventListener('abort', onAbort);
		}
		return watchedClient(env, ssh.connection as Ssh2Client, proxy);
	}
}

/** A ProxyCommand that ended on its own is the cause of a failed handshake: what it printed on stderr says why. */
async function handshakeFailure(env: ConnectEnv, endpoint: Endpoint, error: unknown, proxy: ProxyProcess | undefined): Promise<RemoteError | undefined> {
	const early = await proxy?.earlyExit(1_000);
	proxy?.kill();
	if (early === undefined) return undefined;
	return new RemoteError({
		kind: 'unreachable',
		host: endpoint.label,
		retryable: false,
		message: `host ${endpoint.label}: the ProxyCommand from the ssh config ${early}; fix the command or set ProxyCommand none for this host`,
		cause: error,
	});
}

/** Asks about an unknown host key (after the attempt failed, so the user can take their time); a yes records it. */
async function trustUnknownKey(env: ConnectEnv, endpoint: Endpoint, keyOptions: HostKeyCheckOptions, unknown: Parameters<typeof unknownHostKeyInfo>[1]): Promise<boolean> {
	const { options } = env;
	const trusted = await options.onUnknownHostKey?.(unknownHostKeyInfo(keyOptions, unknown));
	// A yes that arrives after Ctrl-C writes nothing: an interrupted run leaves no trace.
	if (trusted !== true || options.signal?.aborted === true) return false;
	// Connections opened side by side (hosts behind one bastion) can all be told yes for the same key; it is recorded once.
	if (!(await isKnownHostKey(keyOptions, unknown))) {
		await appendKnownHost(env.knownHostsFile, endpoint.address, endpoint.port, unknown.keyType, unknown.blob);
	}
	return true;
}

/** A connected client watched for its end: a 'close' marks it lost (and ends its ProxyCommand). */
function watchedClient(env: ConnectEnv, client: Ssh2Client, proxy: ProxyProcess | undefined): Ssh2Client {
	// After 'ready' ssh2 still reports keepalive timeouts and resets as 'error' events; without a
	// listener they would crash the process. The 'close' that follows marks the connection lost.
	client.on('error', () => {});
	client.on('close', () => {
		env.lost.add(client);
		proxy?.kill();
	});
	// Without TCP_NODELAY every command after the first waits ~40 ms on delayed ACKs.
	client.setNoDelay(true);
	return client;
}

/** The jump hosts (kept while they live) and then the target. */
async function openChain(env: ConnectEnv, hopClients: (Ssh2Client | undefined)[], readyTimeoutMs: number): Promise<Ssh2Client> {
	let via: Ssh2Client | undefined;
	for (const [index, hop] of env.hops.entries()) {
		let client = hopClients[index];
		if (client === undefined || env.lost.has(client)) {
			client = await connectEndpoint(env, hop, via, readyTimeoutMs);
			hopClients[index] = client;
			env.stats.hopConnectionsOpened++;
		}
		via = client;
	}
	const client = await connectEndpoint(env, env.target, via, readyTimeoutMs);
	env.stats.connectionsOpened++;
	return client;
}

/** Opens the chain, retrying what may pass (refused, reset, timed out) with backoff until the deadline. */
async function connectWithRetry(env: ConnectEnv, hopClients: (Ssh2Client | undefined)[]): Promise<Ssh2Client> {
	const { options } = env;
	const started = Date.now();
	const deadline = started + (options.deadlineMs ?? DEFAULT_DEADLINE_MS);
	let attempts = 0;
	try {
		return await retryWithBackoff(async ({ remainingMs }) => {
			attempts++;
			env.stats.connectAttempts++;
			return openChain(env, hopClients, Math.max(200, Math.min(options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS, remainingMs)));
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
}

/**
 * The one connection every command of a Remote shares: reused while it lives, reopened (once, however
 * many commands ask at the same time) after it drops. close() refuses further use and returns the
 * client to end.
 */
function reusedConnection(env: ConnectEnv, hopClients: (Ssh2Client | undefined)[]): { connection(): Promise<Ssh2Client>; close(): Ssh2Client | undefined } {
	const host = env.options.host;
	let current: Ssh2Client | undefined;
	let connecting: Promise<Ssh2Client> | undefined;
	let closed = false;
	return {
		connection: async () => {
			if (closed) {
				throw new RemoteError({
					kind: 'unreachable',
					host,
					retryable: false,
					message: `host ${host}: the connection was closed by kubestrap`,
				});
			}
			if (current !== undefined && !env.lost.has(current)) {
				return current;
			}
			connecting ??= connectWithRetry(env, hopClients).then((client) => {
				current = client;
				return client;
			}).finally(() => {
				connecting = undefined;
			});
			return connecting;
		},
		close: () => {
			closed = true;
			return current;
		},
	};
}

/** What exec and the transfers run on: the shared connection, a bound on concurrent channels, and sudo. */
function execContext(env: ConnectEnv, connection: () => Promise<Ssh2Client>): ExecContext {
	const { options } = env;
	let sudoMode: Promise<SudoMode> | undefined;
	const limit = pLimit(options.maxChannels ?? DEFAULT_MAX_CHANNELS);
	const context: ExecContext = {
		host: options.host,
		user: env.target.user,
		connection,
		isLost: (client) => env.lost.has(client),
		markLost: (client) => {
			env.lost.add(client);
			client.end();
		},
		schedule: (task) => limit(task),
		redactor: options.redactor,
		stats: env.stats,
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
	return context;
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
