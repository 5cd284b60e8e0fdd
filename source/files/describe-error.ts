// The last line of defence against a stack trace: any error that reaches the top of the CLI becomes
// one line. A file-system error names its path and what to do about it.
import { statSync } from 'node:fs';
import { dirname } from 'node:path';

import { LocalFileError } from './bounded-read.js';

/** Errors about a local path the user can fix (exit 2: nothing was contacted because of it). */
const PATH_CODES = new Set(['EACCES', 'EPERM', 'ENOTDIR', 'EEXIST', 'EROFS', 'EISDIR', 'ELOOP', 'ENAMETOOLONG']);

function fsError(error: unknown): (NodeJS.ErrnoException & { path: string }) | undefined {
	if (!(error instanceof Error)) return undefined;
	const errno = error as NodeJS.ErrnoException;
	return typeof errno.code === 'string' && typeof errno.path === 'string' ? (errno as NodeJS.ErrnoException & { path: string }) : undefined;
}

export function isLocalPathError(error: unknown): boolean {
	const errno = fsError(error);
	return errno !== undefined && PATH_CODES.has(errno.code ?? '');
}

/** One line: what went wrong, on which path, and the fix. Never a stack trace. */
export function describeFailure(error: unknown): string {
	if (error instanceof LocalFileError) return `kubestrap: ${error.message}`;
	const errno = fsError(error);
	if (errno !== undefined) {
		const path = errno.path;
		switch (errno.code) {
			case 'EACCES':
			case 'EPERM':
				return `kubestrap: ${path}: permission denied; run kubestrap from a directory you may write to, or fix the owner and mode of ${nearestExisting(path)}`;
			case 'ENOTDIR':
			case 'EEXIST': {
				const blocker = fileInTheWay(path);
				return `kubestrap: ${blocker}: is a file where kubestrap needs a directory (for ${path}); move it away or run from another directory`;
			}
			case 'EROFS':
				return `kubestrap: ${path}: the file system is read-only; run kubestrap from a writable directory`;
			case 'EISDIR':
				return `kubestrap: ${path}: is a directory; give a file path`;
			case 'ENOSPC':
				return `kubestrap: ${path}: no space left on the device; free some space and run again`;
			case 'EDQUOT':
				return `kubestrap: ${path}: disk quota exceeded; free some space and run again`;
			default:
				return `kubestrap: ${path}: ${errno.code} (${errno.syscall ?? 'file system'})`;
		}
	}
	const message = error instanceof Error ? error.message : String(error);
	return `kubestrap: ${message.split('\n')[0] ?? message}`;
}

/** The nearest existing ancestor of path that is not a directory (e.g. a file named .kubestrap). */
function fileInTheWay(path: string): string {
	const ancestors: string[] = [];
	for (let current = path; ; current = dirname(current)) {
		ancestors.unshift(current);
		if (dirname(current) === current) break;
	}
	for (const candidate of ancestors) {
		try {
			if (!statSync(candidate).isDirectory()) return candidate;
		} catch {
			return path;
		}
	}
	return path;
}

function nearestExisting(path: string): string {
	for (let current = path; ; current = dirname(current)) {
		try {
			statSync(current);
			return current;
		} catch {
			if (dirname(current) === current) return path;
		}
	}
}
