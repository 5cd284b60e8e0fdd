// The wizard's SSH connection test: the read-only head of the install's own step list (connect,
// facts, preflight) in a dry-run session that keeps no local state, so a host the wizard passes is
// one the install's gate passes too, and each host costs one connection and one command. Unknown
// host keys are asked about whatever the policy says (the user is there to compare fingerprints); a
// changed key is refused and never asked about. The port types the wizard's screen talks through
// live here, beside the service that fills them.
import type { ConnectOptions } from '../remote/connection.js';
import { HostKeyError, RemoteError } from '../remote/errors.js';
import type { UnknownHostKeyInfo } from '../remote/host-key-check.js';
import type { Remote } from '../remote/remote.js';
import type { Cluster } from '../spec/types.js';
import { connectStep } from '../steps/list/connect.js';
import { gatherFactsStep } from '../steps/list/gather-facts.js';
import { preflightStep } from '../steps/list/preflight.js';
import { sudoNeedsPassword } from '../steps/preflight.js';
import { StepError, type Facts, type Step, type StepHost } from '../steps/types.js';
import { openSession } from './session.js';

export interface HostCheck {
	host: string;
	state: 'waiting' | 'checking' | 'asking' | 'ok' | 'failed';
	/** e.g. "Debian 12 · kernel 6.1.0 · sudo ok", or why it failed */
	detail?: string;
	/** what keeps a host that answered from being installed (old kernel, sudo needing a password) */
	problems?: readonly string[];
}

/** An unknown host key, for the user to compare with the host's real fingerprint. */
export interface HostKeyQuestion {
	/** the address as it is written in known_hosts: `host`, or `[host]:port` off port 22 */
	host: string;
	/** e.g. ED25519 */
	keyType: string;
	/** SHA256:… */
	fingerprint: string;
	/** the file a yes records the key in, as the user wrote it (~/.ssh/known_hosts) */
	knownHostsFile: string;
	/** set when the key is the bastion's, on the way to the hosts */
	role?: 'bastion';
}

export interface ConnectionTestUi {
	/** a host's line changed */
	report: (check: HostCheck) => void;
	/** true records the key and carries on; false fails that host */
	trustHostKey: (question: HostKeyQuestion) => Promise<boolean>;
	/** asks for a secret without echo; undefined when the user skipped it */
	askSecret: (prompt: string) => Promise<string | undefined>;
}

/** Runs the per-host checks, talking to the screen through `ui`; stops at once on `signal`. */
export type ConnectionTest = (cluster: Cluster, ui: ConnectionTestUi, signal: AbortSignal) => Promise<void>;

/** The read-only head of the install's step list. */
export const CONNECTION_TEST_STEPS: readonly Step[] = [connectStep, gatherFactsStep, preflightStep];

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

/** A host's result line from its facts and what preflight found. */
export function judgeHost(host: string, facts: Facts, problems: readonly string[], sudoPasswordLater = false): HostCheck {
	const os = `${OS_NAMES[facts.osId] ?? (facts.osId || 'unknown OS')}${facts.osVersion ? ` ${facts.osVersion}` : ''}`;
	const sudoText = facts.sudoStatus === 0 ? 'sudo ok' : sudoPasswordLater && sudoNeedsPassword(facts) ? 'sudo with password' : 'sudo failed';
	const detail = `${os} · kernel ${facts.kernel || 'unknown'} · ${sudoText}`;
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

/** The line for one host once the steps have run: its failure, else its facts. */
function resultOf(host: StepHost, failure: Error | undefined, knownHostsFile: string, declined: boolean, sudoPasswordLater: boolean): HostCheck {
	if (host.facts === undefined) return describeFailure(host.id, failure ?? new Error('not checked'), knownHostsFile, declined);
	if (failure !== undefined && !(failure instanceof StepError && failure.step === 'preflight')) return describeFailure(host.id, failure, knownHostsFile, declined);
	return judgeHost(host.id, host.facts, failure instanceof StepError ? failure.tail : [], sudoPasswordLater);
}

/**
 * The real connection test for the wizard. One question at a time reaches the screen (its queue);
 * an answer about a key holds for every connection that meets the same key (hosts behind one bastion),
 * and a passphrase is asked once per key file for all hosts.
 */
export function sshConnectionTest(options: ConnectionTestOptions = {}): ConnectionTest {
	return async (cluster: Cluster, ui: ConnectionTestUi, signal: AbortSignal): Promise<void> => {
		const { ssh } = cluster.spec;
		const decisions = new Map<string, Promise<boolean>>();
		const passphrases = new Map<string, Promise<string | undefined>>();
		const declined = new Set<string>();

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
		const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;

		const session = await openSession({
			cluster,
			command: 'check',
			dryRun: true,
			agent: options.agent ?? false,
			...(options.home ? { home: options.home } : {}),
			concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
			connectTimeoutMs,
			signal,
			...(options.sudoPasswordLater === true ? { sudoPasswordLater: true } : {}),
			...(options.connect ? { connectWith: options.connect } : {}),
			connectExtras: (host) => ({
				...(options.extraKnownHostsFiles ? { extraKnownHostsFiles: options.extraKnownHostsFiles } : {}),
				// strict so that every unknown key reaches the question below, accept-new included.
				hostKeyPolicy: 'strict',
				onUnknownHostKey: async (info) => {
					ui.report({ host: host.id, state: 'asking' });
					const yes = await trust(info);
					if (!yes) declined.add(host.id);
					ui.report({ host: host.id, state: 'checking' });
					return yes;
				},
				...(options.sshConfigFile !== undefined ? { sshConfigFile: options.sshConfigFile } : {}),
				passphrase,
				readyTimeoutMs: connectTimeoutMs,
			}),
			onEvent(event) {
				if (event.kind === 'host' && event.step === connectStep.id && event.state === 'running' && !signal.aborted) ui.report({ host: event.host, state: 'checking' });
			},
		});
		try {
			const outcome = await session.run(CONNECTION_TEST_STEPS, { checkEveryHost: true });
			if (signal.aborted) return;
			const failures = new Map(outcome.failures.map((failure) => [failure.host, failure.error]));
			for (const host of session.ctx.hosts) ui.report(resultOf(host, failures.get(host.id), ssh.knownHostsFile, declined.has(host.id), options.sudoPasswordLater === true));
		} finally {
			await session.close();
		}
	};
}
