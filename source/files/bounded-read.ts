// Every local file kubestrap reads (identity file, known_hosts, ~/.ssh/config, the cluster config, a
// kubeconfig) comes through here: regular files only, with a size cap per kind, so a FIFO, a device
// (/dev/zero) or a runaway file is refused at once with a message that names the path, instead of
// blocking the run or reading until memory runs out.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

import { MAX_CONFIG_BYTES } from '../spec/limits.js';

export type LocalFileKind = 'identity file' | 'known_hosts file' | 'ssh config file' | 'config file' | 'kubeconfig';

/** Generous for real files of each kind, small enough that reading one never strains memory. */
export const SIZE_CAPS: Readonly<Record<LocalFileKind, number>> = {
	// An RSA-16384 private key in OpenSSH format is under 13 KiB.
	'identity file': 64 * 1024,
	// About 100k entries.
	'known_hosts file': 16 * 1024 * 1024,
	'ssh config file': 1024 * 1024,
	'config file': MAX_CONFIG_BYTES,
	// Kubeconfigs with many contexts and embedded CAs stay well under a megabyte.
	kubeconfig: 4 * 1024 * 1024,
};

/** invalid: read fine, but its content is wrong (an ssh config line that cannot be parsed). */
export type LocalFileProblem = 'missing' | 'not-regular' | 'too-large' | 'unreadable' | 'invalid';

export class LocalFileError extends Error {
	readonly path: string;
	readonly kind: LocalFileKind;
	readonly problem: LocalFileProblem;
	readonly code: string | undefined;
	constructor(path: string, kind: LocalFileKind, problem: LocalFileProblem, message: string, code?: string) {
		super(`${kind} ${path}: ${message}`);
		this.name = 'LocalFileError';
		this.path = path;
		this.kind = kind;
		this.problem = problem;
		this.code = code;
	}
}

function sizeText(bytes: number): string {
	return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}

/** What a path that is not a regular file is, in words a user recognises. */
export function fileTypeName(info: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
	if (info.isDirectory()) return 'a directory';
	if (info.isFIFO()) return 'a FIFO (named pipe)';
	if (info.isCharacterDevice()) return 'a character device';
	if (info.isBlockDevice()) return 'a block device';
	if (info.isSocket()) return 'a socket';
	return 'not a regular file';
}

function describe(code: string | undefined): string {
	switch (code) {
		case 'EACCES':
		case 'EPERM':
			return 'permission denied; check the file\'s owner and mode';
		case 'ELOOP':
			return 'too many levels of symbolic links';
		case 'ENOTDIR':
			return 'a part of the path is not a directory';
		default:
			return `cannot be read (${code ?? 'unknown error'})`;
	}
}

/**
 * The file's bytes, or a LocalFileError. The file is opened non-blocking (a FIFO with no writer cannot
 * stall the open), its type and size come from the open handle (no race between check and read), and
 * at most cap + 1 bytes are ever read, so a file that grows while it is read is still refused.
 */
export async function readBounded(path: string, kind: LocalFileKind): Promise<Buffer> {
	const cap = SIZE_CAPS[kind];
	let handle;
	try {
		handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT') throw new LocalFileError(path, kind, 'missing', 'does not exist', code);
		if (code === 'EISDIR') throw new LocalFileError(path, kind, 'not-regular', 'is a directory, not a regular file', code);
		throw new LocalFileError(path, kind, 'unreadable', describe(code), code);
	}
	try {
		const info = await handle.stat();
		if (!info.isFile()) throw new LocalFileError(path, kind, 'not-regular', `is ${fileTypeName(info)}, not a regular file; give the path of the ${kind} itself`);
		const tooLarge = (): LocalFileError => new LocalFileError(path, kind, 'too-large', `is larger than ${sizeText(cap)}, the limit for a ${kind}`);
		if (info.size > cap) throw tooLarge();
		const chunks: Buffer[] = [];
		let length = 0;
		for (;;) {
			const chunk = Buffer.alloc(Math.min(64 * 1024, cap + 1 - length));
			const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
			if (bytesRead === 0) break;
			chunks.push(chunk.subarray(0, bytesRead));
			length += bytesRead;
			if (length > cap) throw tooLarge();
		}
		return Buffer.concat(chunks, length);
	} catch (error) {
		if (error instanceof LocalFileError) throw error;
		const code = (error as NodeJS.ErrnoException).code;
		throw new LocalFileError(path, kind, code === 'EISDIR' ? 'not-regular' : 'unreadable', code === 'EISDIR' ? 'is a directory, not a regular file' : describe(code), code);
	} finally {
		await handle.close();
	}
}

/** readBounded, or undefined when the file does not exist (optional files: known_hosts, ~/.ssh/config). */
export async function readBoundedIfPresent(path: string, kind: LocalFileKind): Promise<Buffer | undefined> {
	try {
		return await readBounded(path, kind);
	} catch (error) {
		if (error instanceof LocalFileError && error.problem === 'missing') return undefined;
		throw error;
	}
}
