// Host-key verification for one connection attempt, plugged into ssh2's hostVerifier.
// The same check runs for every hop (bastion and target). There is deliberately no mode that skips it.

import type { KeyFingerprint } from './errors.js';
import { HostKeyError } from './errors.js';
import {
	appendKnownHost,
	fingerprint,
	keyTypeOfBlob,
	knownKeyTypes,
	lookup,
	readKnownHosts,
	type KnownHostEntry,
} from './known-hosts.js';

export type HostKeyPolicy = 'strict' | 'accept-new';

export interface HostKeyCheckOptions {
	host: string;
	port: number;
	/** The user's known_hosts: read, and written under accept-new or after an interactive yes. */
	knownHostsFile: string;
	/** Read-only extra files, e.g. /etc/ssh/ssh_known_hosts. */
	extraKnownHostsFiles?: readonly string[];
	policy: HostKeyPolicy;
	/**
	 * Fingerprints an out-of-band source vouches for (EC2 console output). A key known_hosts does not have
	 * is accepted and recorded when it is one of them, and refused otherwise, under either policy.
	 */
	trusted?: TrustedHostKeys;
}

export interface TrustedHostKeys {
	fingerprints: readonly KeyFingerprint[];
	/** named in messages, e.g. "the console output of i-0abc…" */
	source: string;
}

export interface UnknownHostKeyInfo {
	host: string;
	port: number;
	keyType: string;
	fingerprint: string;
	knownHostsFile: string;
}

export interface PresentedKey {
	keyType: string;
	blob: Buffer;
}

export interface HostKeyOutcome {
	/** Set when the key was refused for a reason that must stop all retries. */
	error?: HostKeyError;
	/** Set when strict refused an unknown key: an interactive caller may ask the user and record it. */
	unknown?: PresentedKey;
}

export interface HostKeyCheck {
	/**
	 * ssh2 hostVerifier in its callback form. It must return undefined: ssh2 treats any returned value
	 * (a Promise included) as the verdict, and a Promise is truthy.
	 */
	verifier: (key: Buffer, verify: (accept: boolean) => void) => void;
	outcome: () => HostKeyOutcome;
}

export function createHostKeyCheck(options: HostKeyCheckOptions): HostKeyCheck {
	const outcome: HostKeyOutcome = {};

	const decide = async (blob: Buffer): Promise<boolean> => {
		const keyType = keyTypeOfBlob(blob) ?? 'unknown';
		const presented: KeyFingerprint = { type: keyType, fingerprint: fingerprint(blob) };
		const entries = await readAllKnownHosts(options);
		const result = lookup(entries, options.host, options.port, { keyType, blob });
		const refuse = (problem: 'changed' | 'revoked' | 'unknown' | 'unexpected'): false => {
			outcome.error = new HostKeyError({
				host: options.host,
				port: options.port,
				problem,
				presented,
				expected: problem === 'unexpected' ? options.trusted?.fingerprints ?? [] : result.expected,
				knownHostsFile: options.knownHostsFile,
				...(problem === 'unexpected' && options.trusted ? { source: options.trusted.source } : {}),
				...(result.certAuthority
					? { note: 'an @cert-authority line covers this host, but kubestrap does not support host certificates' }
					: {}),
			});
			return false;
		};
		switch (result.status) {
			case 'known':
				return true;
			case 'revoked':
				return refuse('revoked');
			case 'changed':
				return refuse('changed');
			case 'unknown':
				if (options.trusted !== undefined && options.trusted.fingerprints.length > 0) {
					if (!options.trusted.fingerprints.some((key) => key.fingerprint === presented.fingerprint)) return refuse('unexpected');
					await appendKnownHost(options.knownHostsFile, options.host, options.port, keyType, blob);
					return true;
				}
				if (options.policy === 'accept-new') {
					await appendKnownHost(options.knownHostsFile, options.host, options.port, keyType, blob);
					return true;
				}
				outcome.unknown = { keyType, blob };
				return refuse('unknown');
		}
	};

	const verifier = (key: Buffer, verify: (accept: boolean) => void): void => {
		decide(key).then(verify, (error: unknown) => {
			// A known_hosts file that cannot be read or written must not turn into "accept".
			outcome.error = new HostKeyError({
				host: options.host,
				port: options.port,
				problem: 'unknown',
				presented: { type: keyTypeOfBlob(key) ?? 'unknown', fingerprint: fingerprint(key) },
				expected: [],
				knownHostsFile: `${options.knownHostsFile} (${error instanceof Error ? error.message : String(error)})`,
			});
			verify(false);
		});
	};

	return { verifier, outcome: () => outcome };
}

async function readAllKnownHosts(options: HostKeyCheckOptions): Promise<KnownHostEntry[]> {
	const files = [options.knownHostsFile, ...(options.extraKnownHostsFiles ?? [])];
	const parsed = await Promise.all(files.map((file) => readKnownHosts(file)));
	return parsed.flatMap((known) => known.entries);
}

const HOST_KEY_ALGORITHMS = [
	'ssh-ed25519',
	'ecdsa-sha2-nistp256',
	'ecdsa-sha2-nistp384',
	'ecdsa-sha2-nistp521',
	'rsa-sha2-512',
	'rsa-sha2-256',
	'ssh-rsa',
];

/**
 * Host-key algorithms with the types already on record first, as ssh does: a host we know by its RSA key
 * is asked for RSA, so a different key type offered later really means a different host key.
 */
export async function preferredHostKeyAlgorithms(options: HostKeyCheckOptions): Promise<string[]> {
	const entries = await readAllKnownHosts(options);
	const known = knownKeyTypes(entries, options.host, options.port)
		.flatMap((type) => (type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type]))
		.filter((algorithm) => HOST_KEY_ALGORITHMS.includes(algorithm));
	return [...new Set([...known, ...HOST_KEY_ALGORITHMS])];
}

/** Whether this exact key is already on record for the host (another connection may have recorded it). */
export async function isKnownHostKey(options: HostKeyCheckOptions, key: PresentedKey): Promise<boolean> {
	const entries = await readAllKnownHosts(options);
	return lookup(entries, options.host, options.port, { keyType: key.keyType, blob: key.blob }).status === 'known';
}

export function unknownHostKeyInfo(options: HostKeyCheckOptions, key: PresentedKey): UnknownHostKeyInfo {
	return {
		host: options.host,
		port: options.port,
		keyType: key.keyType,
		fingerprint: fingerprint(key.blob),
		knownHostsFile: options.knownHostsFile,
	};
}
