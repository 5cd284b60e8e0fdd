// Every file kubestrap writes for the user (--output-file, the kubeconfig, the wizard's cluster.yaml,
// the IAM policy file) goes through here. The rule: the target must be a regular file or absent.
// A device, FIFO, socket or directory is refused (rename would replace /dev/full or a pipe with a file).
// A symlink is followed on purpose: the file it points to is replaced and the link stays, so a
// kubeconfig linked into a dotfiles repository keeps working. The new content goes to a temp file
// next to the final target, is flushed, then renamed over it; on any failure (ENOSPC) the temp
// file is removed, so no partial copy of a credential is ever left behind.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { fileTypeName } from './bounded-read.js';

export class OutputTargetError extends Error {
	readonly path: string;
	constructor(path: string, message: string) {
		super(`${path}: ${message}`);
		this.name = 'OutputTargetError';
		this.path = path;
	}
}

/** The path the content really lands on: the target itself, or where its symlinks lead. */
export async function resolveOutputTarget(path: string): Promise<string> {
	let info;
	try {
		info = await lstat(path);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return path;
		throw error;
	}
	let final = path;
	if (info.isSymbolicLink()) {
		try {
			final = await realpath(path);
			info = await stat(final);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
			// A dangling link is refused: where its target would go is not something to guess.
			throw new OutputTargetError(path, 'is a symbolic link to a path that does not exist; remove the link or give another file');
		}
	}
	if (!info.isFile()) {
		throw new OutputTargetError(path, `is ${fileTypeName(info)}, not a regular file; kubestrap writes only regular files (give a file path${path.startsWith('/dev/') ? ', or leave the option out to print to standard output' : ''})`);
	}
	return final;
}

/** Writes content to path as described above; mode applies to the new file (0600 for credentials). */
export async function writeFileSafely(path: string, content: string | Uint8Array, mode = 0o644): Promise<void> {
	const final = await resolveOutputTarget(path);
	const temp = join(dirname(final), `.${basename(final)}.${randomBytes(6).toString('hex')}.tmp`);
	const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
	let renamed = false;
	try {
		try {
			await handle.writeFile(content);
			await handle.sync();
		} finally {
			await handle.close();
		}
		await rename(temp, final);
		renamed = true;
	} finally {
		if (!renamed) await unlink(temp).catch(() => undefined);
	}
}

/** One line for a failed write: a refused target as it is, else the error code in words. */
export function describeWriteFailure(shown: string, error: unknown): string {
	if (error instanceof OutputTargetError) return `${shown}: ${error.message.slice(error.path.length + 2)}`;
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'ENOSPC') return `${shown}: no space left on the device; nothing was written (free some space and run again)`;
	if (code === 'EACCES' || code === 'EPERM') return `${shown}: permission denied; choose a file in a directory you may write to`;
	if (code === 'ENOENT') return `${shown}: its directory does not exist; create it or give another path`;
	return `${shown}: cannot write it (${code ?? (error instanceof Error ? error.message : String(error))})`;
}

/** A refused target is invalid input (exit 2); a write that failed on the way is a failure (exit 1). */
export function isRefusedTarget(error: unknown): boolean {
	return error instanceof OutputTargetError;
}
