// The wizard's SSH connection test on the real SSH layer: per host, connect with the answered SSH
// settings, run one read-only command (OS, kernel, `sudo -n true`), close. The kernel and OS rules are
// preflight's, so a host the wizard passes is one the install gate passes too. Unknown host keys are
// asked about whatever the policy says (the user is there to compare fingerprints); a changed key is
// refused and never asked about.
import pLimit from 'p-limit';
import type { ConnectOptions } from '../remote/connection.js';
import { HostKeyError, RemoteError } from '../remote/errors.js';
import type { UnknownHostKeyInfo } from '../remote/host-key-check.js';
import type { Remote } from '../remote/remote.js';
import type { Cluster, Host } from '../spec/types.js';
import { CONNECTION_CHECK_SCRIPT, parseConnectionCheck, type ConnectionCheckFacts } from '../steps/facts.js';
import { platformProblems } from '../steps/preflight.js';
import { sshTarget } from '../session/ssh-connect.js';
import type { ConnectionTest, ConnectionTestUi, HostCheck, HostKeyQuestion } from '../ui/ssh-check.js';

export interface ConnectionTestOptions {
	/** the SSH agent socket (SSH_AUTH_SOCK); absent: no agent */
	agent?: string;
	/** the home directory ~ stands for */
	home?: string;
	/** install will ask for the sudo password (--ask-sudo-password): sudo needing one is fine */
	sudoPasswordLater?: boolean;
	/** hosts checked at once */
	concurrency?: number;
	/** how long one host may take to connect, retries included */
	connectTimeoutMs?: number;
	/** ~/.ssh/config to read; null: none (tests) */
	sshConfigFile?: string | null;
	/** read-only known_hosts files besides the user's; default /etc/ssh/ssh_known_hosts */
	extraKnownHostsFiles?: readonly string[];
	/** the SSH layer's connect (remote/connection.ts), loaded on first use */
	connect?: (options: ConnectOptions) => Promise<Remote>;
}

const DEFAULT_CONCURRENCY = 8;
const DEFAULT_CONNECT_TIMEOUT_MS = 8000;
const COMMAND_TIMEOUT_MS = 15_000;

const OS_NAMES: Record<string, string> = {
	ubuntu: 'Ubuntu', debian: 'Debian', rhel: 'RHEL', rocky: 'Rocky Linux', almalinux: 'AlmaLinux', centos: 'CentOS', fedora: 'Fedora',
};

/** How OpenSSH names key types when it shows a fingerprint (ED25519, ECDSA, RSA). */
export function keyTypeLabel(type: string): string {
	if (type === 'ssh-ed25519') return 'ED25519';
	if (type.startsWith('ecdsa-')) return 'ECDSA';
	if (type === 'ssh-rsa' || type.startsWith('rsa-')) return 'RSA';
	return type.replace(/^ssh-/, '').toUpperCase();
}

/** `host`, or `[host]:port` off port 22: how known_hosts and ssh-keygen -R name it. */
function entryName(host: string, port: number): string {
	return port === 22 ? host : `[${host}]:${port}`;
}

/** The message of a remote error without its "host …:" prefix: the line already starts with the host. */
function withoutHost(message: string): string {
	return message.replace(/^host \S+(?: \([^)]*\))?: /, '');
}

function sudoProblem(check: ConnectionCheckFacts, user: string, sudoPasswordLater: boolean): string | undefined {
	if (check.sudoStatus === 0) return undefined;
	const said = check.sudoError;
	if (/a password is required|a terminal is required/.test(said)) {
		return sudoPasswordLater ? undefined : `sudo needs a password (add NOPASSWD for ${user} or use --ask-sudo-password)`;
	}
	if (/not in the sudoers|not allowed to execute|may not run sudo/.test(said)) return `user ${user} may not use sudo on this host`;
	if (check.sudoStatus === 127) return 'sudo is not installed';
	return `sudo -n true failed${said === '' ? ` (exit ${check.sudoStatus})` : `: ${said}`}`;
}

/** A host's result line from what the check command printed. */
export function judgeHost(host: string, output: string, user: string, sudoPasswordLater = false): HostCheck {
	const check = parseConnectionCheck(output);
	const { facts } = check;
	const os = `${OS_NAMES[facts.osId] ?? (facts.osId || 'unknown OS')}${facts.osVersion ? ` ${facts.osVersion}` : ''}`;
	const sudo = sudoProblem(check, user, sudoPasswordLater);
	const sudoText = check.sudoStatus === 0 ? 'sudo ok' : sudo === undefined ? 'sudo with password' : 'sudo failed';
	const detail = `${os} · kernel ${facts.kernel || 'unknown'} · ${sudoText}`;
	const problems = [...platformProblems(facts), ...(sudo === undefined ? [] : [sudo])];
	return problems.length === 0 ? { host, state: 'ok', detail } : { host, state: 'failed', detail, problems };
}

/** A host's result line when it could not be checked; `declined` when the user refused its host key. */
export function describeFailure(host: string, error: unknown, knownHostsFile: string, declined: boolean): HostCheck {
	if (error instanceof HostKeyError) {
		const presented = `${keyTypeLabel(error.presented.type)} ${error.presented.fingerprint}`;
		if (error.problem === 'unknown') {
			return { host, state: 'failed', detail: declined ? 'host key not trusted' : withoutHost(error.message) };
		}
		if (error.problem === 'changed') {
			const expected = error.expected.map((key) => `${keyTypeLabel(key.type)} ${key.fingerprint}`).join(', ');
			const where = entryName(error.host, error.port);
			return {
				host,
				state: 'failed',
				detail: 'HOST KEY CHANGED: refused (possible man-in-the-middle)',
				problems: [
					`expected  ${expected}`,
					`presented ${presented}`,
					`if the host was really reinstalled: ssh-keygen -R ${where.startsWith('[') ? `'${where}'` : where} -f ${knownHostsFile}, then test again`,
				],
			};
		}
		return { host, state: 'failed', detail: withoutHost(error.message) };
	}
	if (error instanceof RemoteError) {
		const text = withoutHost(error.message);
		if (error.kind === 'unreachable' || error.kind === 'timeout') return { host, state: 'failed', detail: `unreachable: ${text}` };
		return { host, state: 'failed', detail: text };
	}
	return { host, state: 'failed', detail: error instanceof Error ? error.message : String(error) };
}

/**
 * The real connection test for the wizard. One question at a time reaches the screen (its queue);
 * an answer about a key holds for every connection that meets the same key (hosts behind one bastion),
 * and a passphrase is asked once per key file for all hosts.
 */
export function sshConnectionTest(options: ConnectionTestOptions = {}): ConnectionTest {
	return async (cluster: Cluster, ui: ConnectionTestUi, signal: AbortSignal): Promise<void> => {
		const connect = options.connect ?? (await import('../remote/connection.js')).connect;
		const { ssh } = cluster.spec;
		const limit = pLimit(options.concurrency ?? DEFAULT_CONCURRENCY);
		const decisions = new Map<string, Promise<boolean>>();
		const passphrases = new Map<string, Promise<string | undefined>>();

		const trust = (info: UnknownHostKeyInfo): Promise<boolean> => {
			const key = `${info.host}\n${info.port}\n${info.fingerprint}`;
			let decision = decisions.get(key);
			if (decision === undefined) {
				const question: HostKeyQuestion = {
					host: entryName(info.host, info.port),
					keyType: keyTypeLabel(info.keyType),
					fingerprint: info.fingerprint,
					knownHostsFile: ssh.knownHostsFile,
					...(ssh.bastion !== undefined && info.host === ssh.bastion.address ? { role: 'bastion' as const } : {}),
				};
				decision = ui.trustHostKey(question);
				decisions.set(key, decision);
			}
			return decision;
		};
		const passphrase = (file: string, attempt: number): Promise<string | undefined> => {
			const key = `${file}\n${attempt}`;
			let answer = passphrases.get(key);
			if (answer === undefined) {
				answer = ui.askSecret(attempt === 1 ? `Passphrase for ${file}:` : `Wrong passphrase; try again for ${file}:`);
				passphrases.set(key, answer);
			}
			return answer;
		};

		const checkHost = async (host: Host): Promise<void> => {
			if (signal.aborted) return;
			ui.report({ host: host.address, state: 'checking' });
			let declined = false;
			let remote: Remote | undefined;
			try {
				remote = await connect({
					...sshTarget(cluster, host.address),
					...(options.extraKnownHostsFiles ? { extraKnownHostsFiles: options.extraKnownHostsFiles } : {}),
					// strict so that every unknown key reaches the question below, accept-new included.
					hostKeyPolicy: 'strict',
					onUnknownHostKey: async (info) => {
						ui.report({ host: host.address, state: 'asking' });
						const yes = await trust(info);
						declined ||= !yes;
						ui.report({ host: host.address, state: 'checking' });
						return yes;
					},
					agent: options.agent ?? false,
					...(options.home ? { home: options.home } : {}),
					...(options.sshConfigFile !== undefined ? { sshConfigFile: options.sshConfigFile } : {}),
					passphrase,
					deadlineMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
					readyTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
					signal,
				});
				const result = await remote.exec(['sh', '-c', CONNECTION_CHECK_SCRIPT], { timeoutMs: COMMAND_TIMEOUT_MS, signal });
				if (!signal.aborted) ui.report(judgeHost(host.address, result.stdout, ssh.user ?? 'the SSH user', options.sudoPasswordLater === true));
			} catch (error) {
				if (!signal.aborted) ui.report(describeFailure(host.address, error, ssh.knownHostsFile, declined));
			} finally {
				await remote?.close();
			}
		};

		await Promise.all(cluster.spec.hosts.map((host) => limit(() => checkHost(host))));
	};
}
