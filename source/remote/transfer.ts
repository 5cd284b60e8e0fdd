// upload and download over exec channels (stdin/stdout), so they work the same with and without sudo and need
// no SFTP subsystem. An upload never leaves a half-written destination: the bytes go to a temp file in the
// target directory, the host checks their sha256, then chmod and an atomic rename put them in place.

import { createHash } from 'node:crypto';

import { RemoteError, tail } from './errors.js';
import { execRaw, type ExecContext, type RawExecResult } from './exec.js';
import type { DownloadOptions, UploadOptions } from './remote.js';

// $1 destination, $2 mode, $3 expected sha256, $4 optional source file (default: stdin).
// mktemp creates the temp file 0600, so a secret is never readable by others, not even for a moment.
const WRITE_SCRIPT = [
	'set -eu',
	'dest=$1',
	'dir=$(dirname -- "$dest")',
	'base=$(basename -- "$dest")',
	'mkdir -p -- "$dir"',
	'tmp=$(mktemp "$dir/.$base.kubestrap-XXXXXX")',
	'trap \'rm -f -- "$tmp"\' EXIT',
	'if [ -n "${4:-}" ]; then cat -- "$4" > "$tmp"; else cat > "$tmp"; fi',
	'got=$(sha256sum -- "$tmp")',
	'got=${got%% *}',
	'if [ "$got" != "$3" ]; then printf \'checksum mismatch for %s: expected %s, got %s\\n\' "$dest" "$3" "$got" >&2; exit 3; fi',
	'chmod -- "$2" "$tmp"',
	'mv -f -- "$tmp" "$dest"',
	'trap - EXIT',
].join('\n');

// $1 expected sha256. Stages stdin in a private (0700) temp dir as the login user and prints that dir.
const STAGE_SCRIPT = [
	'set -eu',
	'dir=$(mktemp -d)',
	'trap \'rm -rf -- "$dir"\' EXIT',
	'cat > "$dir/content"',
	'got=$(sha256sum -- "$dir/content")',
	'got=${got%% *}',
	'if [ "$got" != "$1" ]; then printf \'checksum mismatch in staging: expected %s, got %s\\n\' "$1" "$got" >&2; exit 3; fi',
	'trap - EXIT',
	'printf \'%s\\n\' "$dir"',
].join('\n');

export async function upload(
	context: ExecContext,
	content: string | Buffer,
	remotePath: string,
	options: UploadOptions = {},
): Promise<void> {
	checkRemotePath(context, remotePath);
	const mode = options.mode ?? 0o600;
	if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) {
		throw new Error(`invalid file mode ${String(mode)} for ${remotePath}`);
	}
	const bytes = typeof content === 'string' ? Buffer.from(content) : content;
	const sha256 = createHash('sha256').update(bytes).digest('hex');
	const modeText = `0${mode.toString(8).padStart(3, '0')}`;
	const common = {
		...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
		...(options.signal === undefined ? {} : { signal: options.signal }),
	};

	if (options.sudo !== true) {
		const result = await execRaw(context, ['sh', '-c', WRITE_SCRIPT, 'sh', remotePath, modeText, sha256], {
			...common,
			stdin: bytes,
		});
		expectSuccess(context, result, `upload to ${remotePath}`);
		return;
	}

	// As root: the bytes travel as the login user into a private staging dir (sudo's stdin may carry the
	// password), then root copies them next to the destination, checks them again, and renames.
	const staged = await execRaw(context, ['sh', '-c', STAGE_SCRIPT, 'sh', sha256], { ...common, stdin: bytes });
	expectSuccess(context, staged, `upload to ${remotePath}`);
	const stagingDir = staged.stdout.toString('utf8').trim();
	try {
		const installed = await execRaw(
			context,
			['sh', '-c', WRITE_SCRIPT, 'sh', remotePath, modeText, sha256, `${stagingDir}/content`],
			{ ...common, sudo: true },
		);
		expectSuccess(context, installed, `upload to ${remotePath}`);
	} finally {
		await execRaw(context, ['rm', '-rf', '--', stagingDir]).catch(() => undefined);
	}
}

export async function download(context: ExecContext, remotePath: string, options: DownloadOptions = {}): Promise<Buffer> {
	checkRemotePath(context, remotePath);
	const result = await execRaw(context, ['cat', '--', remotePath], {
		...(options.sudo === undefined ? {} : { sudo: options.sudo }),
		...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
		...(options.signal === undefined ? {} : { signal: options.signal }),
	});
	expectSuccess(context, result, `download of ${remotePath}`);
	return result.stdout;
}

function checkRemotePath(context: ExecContext, remotePath: string): void {
	if (!remotePath.startsWith('/') || /[\0\n]/.test(remotePath) || remotePath.endsWith('/')) {
		throw new RemoteError({
			kind: 'command',
			host: context.host,
			retryable: false,
			message: `host ${context.host}: remote path must be an absolute file path without NUL or newline, got ${JSON.stringify(remotePath)}`,
		});
	}
}

function expectSuccess(context: ExecContext, result: RawExecResult, what: string): void {
	if (result.code === 0) {
		return;
	}
	const stderr = tail(result.stderr.toString('utf8'));
	const redacted = context.redactor === undefined ? stderr : context.redactor.redact(stderr);
	throw new RemoteError({
		kind: 'command',
		host: context.host,
		retryable: false,
		exitCode: result.code,
		stderrTail: redacted,
		message: `host ${context.host}: ${what} failed (exit ${result.code ?? result.signal ?? '?'})${redacted === '' ? '' : `: ${redacted}`}`,
	});
}
