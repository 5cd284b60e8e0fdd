// The small part of ssh2 (the client under node-ssh) that kubestrap uses, typed here because the project does
// not depend on @types/ssh2. Keep it to what is called; ssh2's README is the reference.

import type { EventEmitter } from 'node:events';
import ssh2 from 'ssh2';
import type { Duplex, Readable } from 'node:stream';

export interface Ssh2Channel extends Duplex {
	readonly stderr: Readable;
	close(): void;
}

export interface Ssh2Client extends EventEmitter {
	exec(command: string, callback: (error: Error | undefined, channel: Ssh2Channel) => void): boolean;
	forwardOut(
		sourceIp: string,
		sourcePort: number,
		destinationIp: string,
		destinationPort: number,
		callback: (error: Error | undefined, channel: Ssh2Channel) => void,
	): boolean;
	setNoDelay(noDelay: boolean): unknown;
	end(): unknown;
}

export interface Ssh2ParsedKey {
	readonly type: string;
	isPrivateKey(): boolean;
}

interface Ssh2Module {
	utils: { parseKey(data: Buffer | string, passphrase?: string): Ssh2ParsedKey | Ssh2ParsedKey[] | Error };
}

/** ssh2's own key parser, so a wrong passphrase is reported as such instead of as a failed login. */
export function parsePrivateKey(data: Buffer, passphrase?: string): Ssh2ParsedKey | Error {
	// A static import (not createRequire) so the executable's bundler sees ssh2 and includes it.
	const parsed = (ssh2 as Ssh2Module).utils.parseKey(data, passphrase);
	if (parsed instanceof Error) {
		return parsed;
	}
	const key = Array.isArray(parsed) ? parsed[0] : parsed;
	if (key === undefined || !key.isPrivateKey()) {
		return new Error('not a private key');
	}
	return key;
}
