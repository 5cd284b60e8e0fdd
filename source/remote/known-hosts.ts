// OpenSSH known_hosts: parsing, lookup of a presented host key, and appending a new entry.
// Written against sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT" so files shared with the ssh client mean the same here.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

import { readBoundedIfPresent } from '../files/bounded-read.js';
import type { KeyFingerprint } from './errors.js';

export type KnownHostMarker = 'revoked' | 'cert-authority';

export type HostPattern =
	| { kind: 'hashed'; salt: Buffer; hash: Buffer }
	| { kind: 'patterns'; patterns: readonly { negated: boolean; glob: string }[] };

export interface KnownHostEntry {
	/** 1-based line number, for messages. */
	line: number;
	marker: KnownHostMarker | undefined;
	hosts: HostPattern;
	keyType: string;
	blob: Buffer;
}

export interface KnownHosts {
	entries: KnownHostEntry[];
	/** Line numbers that are neither comments nor valid entries; they are skipped, like ssh does. */
	invalidLines: number[];
}

export type LookupStatus = 'known' | 'unknown' | 'changed' | 'revoked';

export interface LookupResult {
	status: LookupStatus;
	/** Keys known for this host (for 'changed': what was expected instead). */
	expected: KeyFingerprint[];
	/** An @cert-authority line covers this host; host certificates are not supported, so it cannot vouch. */
	certAuthority: boolean;
}

export function fingerprint(blob: Buffer): string {
	return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type a wire-format public key blob names in its first field (e.g. ssh-ed25519). */
export function keyTypeOfBlob(blob: Buffer): string | undefined {
	if (blob.length < 4) {
		return undefined;
	}
	const length = blob.readUInt32BE(0);
	if (length === 0 || length > 64 || 4 + length > blob.length) {
		return undefined;
	}
	const type = blob.subarray(4, 4 + length).toString('latin1');
	return /^[a-z0-9@.-]+$/i.test(type) ? type : undefined;
}

/** `host` for port 22, `[host]:port` otherwise: the name ssh writes and matches. */
export function hostEntryName(host: string, port: number): string {
	const lower = host.toLowerCase();
	return port === 22 ? lower : `[${lower}]:${port}`;
}

export function parseKnownHosts(text: string): KnownHosts {
	const entries: KnownHostEntry[] = [];
	const invalidLines: number[] = [];
	const lines = text.split(/\r?\n/);
	lines.forEach((raw, index) => {
		const line = raw.trim();
		if (line === '' || line.startsWith('#')) {
			return;
		}
		const entry = parseLine(line, index + 1);
		if (entry === undefined) {
			invalidLines.push(index + 1);
		} else {
			entries.push(entry);
		}
	});
	return { entries, invalidLines };
}

function parseLine(line: string, lineNumber: number): KnownHostEntry | undefined {
	const fields = line.split(/[ \t]+/);
	let marker: KnownHostMarker | undefined;
	if (fields[0]?.startsWith('@')) {
		const name = fields.shift();
		if (name === '@revoked') {
			marker = 'revoked';
		} else if (name === '@cert-authority') {
			marker = 'cert-authority';
		} else {
			return undefined;
		}
	}
	const [hostField, keyType, keyBase64] = fields;
	if (hostField === undefined || keyType === undefined || keyBase64 === undefined) {
		return undefined;
	}
	const hosts = parseHostField(hostField);
	if (hosts === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(keyBase64)) {
		return undefined;
	}
	const blob = Buffer.from(keyBase64, 'base64');
	// The blob repeats its type; a mismatch means a corrupt or hand-edited line.
	if (keyTypeOfBlob(blob) !== keyType) {
		return undefined;
	}
	return { line: lineNumber, marker, hosts, keyType, blob };
}

function parseHostField(field: string): HostPattern | undefined {
	if (field.startsWith('|1|')) {
		const [, , salt, hash] = field.split('|');
		if (salt === undefined || hash === undefined) {
			return undefined;
		}
		const saltBytes = Buffer.from(salt, 'base64');
		const hashBytes = Buffer.from(hash, 'base64');
		// HMAC-SHA1: 20-byte digest, and ssh uses a 20-byte salt.
		if (hashBytes.length !== 20 || saltBytes.length === 0) {
			return undefined;
		}
		return { kind: 'hashed', salt: saltBytes, hash: hashBytes };
	}
	const patterns = field.split(',').filter((p) => p !== '').map((pattern) => {
		const negated = pattern.startsWith('!');
		return { negated, glob: (negated ? pattern.slice(1) : pattern).toLowerCase() };
	});
	return patterns.length === 0 ? undefined : { kind: 'patterns', patterns };
}

export function hostMatches(pattern: HostPattern, name: string): boolean {
	if (pattern.kind === 'hashed') {
		const digest = createHmac('sha1', pattern.salt).update(name).digest();
		return timingSafeEqual(digest, pattern.hash);
	}
	// As in ssh's match_hostname: any matching negation excludes the host, otherwise one positive match is enough.
	let matched = false;
	for (const { negated, glob } of pattern.patterns) {
		if (globMatch(glob, name)) {
			if (negated) {
				return false;
			}
			matched = true;
		}
	}
	return matched;
}

function globMatch(glob: string, text: string): boolean {
	if (!glob.includes('*') && !glob.includes('?')) {
		return glob === text;
	}
	const source = [...glob].map((char) => {
		if (char === '*') {
			return '.*';
		}
		if (char === '?') {
			return '.';
		}
		return char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
	}).join('');
	return new RegExp(`^${source}$`, 's').test(text);
}

export function lookup(
	entries: readonly KnownHostEntry[],
	host: string,
	port: number,
	presented: { keyType: string; blob: Buffer },
): LookupResult {
	const name = hostEntryName(host, port);
	const forHost = entries.filter((entry) => hostMatches(entry.hosts, name));
	const certAuthority = forHost.some((entry) => entry.marker === 'cert-authority');
	const plain = forHost.filter((entry) => entry.marker === undefined);
	const expected = plain.map((entry) => ({ type: entry.keyType, fingerprint: fingerprint(entry.blob) }));

	if (forHost.some((entry) => entry.marker === 'revoked' && entry.blob.equals(presented.blob))) {
		return { status: 'revoked', expected, certAuthority };
	}
	if (plain.some((entry) => entry.keyType === presented.keyType && entry.blob.equals(presented.blob))) {
		return { status: 'known', expected, certAuthority };
	}
	// Any other key on record counts as a change, even of another type: the connection prefers the known
	// types (see preferredHostKeyAlgorithms), so a host offering none of them is not the host we knew.
	if (plain.length > 0) {
		return { status: 'changed', expected, certAuthority };
	}
	return { status: 'unknown', expected, certAuthority };
}

/** Key types already on record for a host, so the handshake can ask for those first (like ssh does). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
	const name = hostEntryName(host, port);
	const types = entries
		.filter((entry) => entry.marker === undefined && hostMatches(entry.hosts, name))
		.map((entry) => entry.keyType);
	return [...new Set(types)];
}

export async function readKnownHosts(file: string): Promise<KnownHosts> {
	const data = await readBoundedIfPresent(file, 'known_hosts file');
	return data === undefined ? { entries: [], invalidLines: [] } : parseKnownHosts(data.toString('utf8'));
}

/**
 * Appends a plain (unhashed) `host key` line. Plain, so users can read and review what kubestrap recorded;
 * ssh matches it the same way. A new file is created 0600 in a 0700 directory; an existing file keeps its mode.
 * One write on an O_APPEND descriptor, then fsync: parallel connects to many hosts cannot interleave lines.
 */
export async function appendKnownHost(
	file: string,
	host: string,
	port: number,
	keyType: string,
	blob: Buffer,
): Promise<void> {
	await mkdir(dirname(file), { recursive: true, mode: 0o700 });
	const handle = await open(file, 'a+', 0o600);
	try {
		const { size } = await handle.stat();
		let prefix = '';
		if (size > 0) {
			const last = Buffer.alloc(1);
			await handle.read(last, 0, 1, size - 1);
			prefix = last[0] === 0x0a ? '' : '\n';
		}
		await handle.write(`${prefix}${hostEntryName(host, port)} ${keyType} ${blob.toString('base64')}\n`);
		await handle.sync();
	} finally {
		await handle.close();
	}
}
