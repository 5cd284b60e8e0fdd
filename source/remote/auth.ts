// Which credentials a connection offers, in order: an explicit identity file, the SSH agent, identity files
// from ~/.ssh/config, then the default ~/.ssh/id_ed25519 and ~/.ssh/id_rsa when they exist.
// Keys are read and decrypted once per connect() and reused for every retry and reconnect.

import { join } from 'node:path';

import { LocalFileError, readBounded } from '../files/bounded-read.js';
import { RemoteError } from './errors.js';
import { parsePrivateKey } from './ssh2-types.js';

export type AuthMethod =
	| { type: 'agent'; username: string; agent: string }
	| { type: 'publickey'; username: string; key: Buffer; passphrase?: string };

/** Asked for the passphrase of an encrypted identity file; undefined skips that file. */
export type PassphraseCallback = (identityFile: string, attempt: number) => Promise<string | undefined>;

export interface AuthOptions {
	host: string;
	user: string;
	home: string;
	/** Given by the user: it must exist and be readable. */
	identityFile?: string;
	/** From ~/.ssh/config: used when present. */
	configIdentityFiles?: readonly string[];
	/** Agent socket, passed in by the caller (cli.tsx reads SSH_AUTH_SOCK); absent or false: no agent. */
	agent?: string | false;
	passphrase?: PassphraseCallback;
}

const PASSPHRASE_ATTEMPTS = 3;

export async function authMethods(options: AuthOptions): Promise<AuthMethod[]> {
	const methods: AuthMethod[] = [];
	const notes: string[] = [];

	if (options.identityFile !== undefined) {
		const key = await loadIdentity(options, options.identityFile, true, notes);
		if (key !== undefined) {
			methods.push(key);
		}
	}
	// The agent socket comes from the caller (cli.tsx reads SSH_AUTH_SOCK); none given, no agent.
	const agent = options.agent;
	if (typeof agent === 'string' && agent !== '') {
		methods.push({ type: 'agent', username: options.user, agent });
	}
	const others = [
		...(options.configIdentityFiles ?? []),
		...(options.identityFile === undefined
			? [join(options.home, '.ssh', 'id_ed25519'), join(options.home, '.ssh', 'id_rsa')]
			: []),
	];
	for (const file of new Set(others)) {
		if (file === options.identityFile) {
			continue;
		}
		const key = await loadIdentity(options, file, false, notes);
		if (key !== undefined) {
			methods.push(key);
		}
	}

	if (methods.length === 0) {
		throw new RemoteError({
			kind: 'auth',
			host: options.host,
			retryable: false,
			message: `host ${options.host}: no SSH credentials to offer: no agent (SSH_AUTH_SOCK) and no usable identity file`
				+ (notes.length > 0 ? ` (${notes.join('; ')})` : '')
				+ '. Set ssh.identityFile or start ssh-agent.',
		});
	}
	return methods;
}

async function loadIdentity(
	options: AuthOptions,
	file: string,
	required: boolean,
	notes: string[],
): Promise<AuthMethod | undefined> {
	let data: Buffer;
	try {
		data = await readBounded(file, 'identity file');
	} catch (error) {
		if (!(error instanceof LocalFileError)) throw error;
		if (!required && error.problem === 'missing') {
			return undefined;
		}
		throw new RemoteError({
			kind: 'auth',
			host: options.host,
			retryable: false,
			message: `host ${options.host}: ${error.message}`,
			cause: error,
		});
	}

	if (!isEncryptedPrivateKey(data)) {
		const parsed = parsePrivateKey(data);
		if (parsed instanceof Error) {
			return unusable(options, file, required, notes, `is not a private key ssh can use (${parsed.message})`);
		}
		return { type: 'publickey', username: options.user, key: data };
	}

	if (options.passphrase === undefined) {
		return unusable(options, file, required, notes, 'is encrypted and no passphrase prompt is available (add it to ssh-agent)');
	}
	for (let attempt = 1; attempt <= PASSPHRASE_ATTEMPTS; attempt++) {
		const passphrase = await options.passphrase(file, attempt);
		if (passphrase === undefined) {
			return unusable(options, file, required, notes, 'is encrypted and no passphrase was given');
		}
		if (!(parsePrivateKey(data, passphrase) instanceof Error)) {
			return { type: 'publickey', username: options.user, key: data, passphrase };
		}
	}
	return unusable(options, file, required, notes, `could not be decrypted: wrong passphrase ${PASSPHRASE_ATTEMPTS} times`);
}

function unusable(
	options: AuthOptions,
	file: string,
	required: boolean,
	notes: string[],
	reason: string,
): undefined {
	if (required) {
		throw new RemoteError({
			kind: 'auth',
			host: options.host,
			retryable: false,
			message: `host ${options.host}: identity file ${file} ${reason}`,
		});
	}
	notes.push(`${file} ${reason}`);
	return undefined;
}

/** OpenSSH-format keys name their cipher; PEM keys say ENCRYPTED in their header. */
export function isEncryptedPrivateKey(data: Buffer): boolean {
	const text = data.toString('utf8');
	const openssh = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text);
	if (openssh !== null) {
		const body = Buffer.from((openssh[1] ?? '').replace(/\s+/g, ''), 'base64');
		const magic = 'openssh-key-v1\0';
		if (body.subarray(0, magic.length).toString('latin1') !== magic || body.length < magic.length + 4) {
			return false;
		}
		const length = body.readUInt32BE(magic.length);
		const cipher = body.subarray(magic.length + 4, magic.length + 4 + length).toString('latin1');
		return cipher !== 'none';
	}
	return /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(text);
}
