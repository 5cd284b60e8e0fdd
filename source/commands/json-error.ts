// Under -o json a failure is JSON too, so a script reading stdout never gets an empty document. The
// error object (documented in the README):
//   { "error": { "code": "invalid-input" | "failed" | "interrupted", "exitCode": 2,
//                "message": "first line", "problems": [{ "path": "spec.hosts[0].address", "message": "…" }],
//                "messages": ["every line the command printed on stderr"],
//                "hosts": [{ "host": "192.0.2.10", "step": "connect", "message": "…" }] } }
// The human lines still go to stderr as they would without -o json.
import type { Problem } from '../spec/types.js';
import { EXIT, type Io } from './io.js';

export interface JsonErrorBody {
	error: {
		code: 'invalid-input' | 'failed' | 'interrupted';
		exitCode: number;
		message: string;
		problems: Array<{ path: string; message: string }>;
		messages: string[];
		/** hosts that failed a step (plan, install) */
		hosts: Array<{ host: string; step: string; message: string }>;
	};
}

function codeName(exitCode: number): JsonErrorBody['error']['code'] {
	if (exitCode === EXIT.invalid) return 'invalid-input';
	if (exitCode === EXIT.interrupted) return 'interrupted';
	return 'failed';
}

export function jsonError(exitCode: number, messages: readonly string[], problems: readonly Problem[] = [], hosts: JsonErrorBody['error']['hosts'] = []): string {
	const lines = messages.map((line) => line.trimEnd()).filter((line) => line !== '');
	const body: JsonErrorBody = {
		error: {
			code: codeName(exitCode),
			exitCode,
			message: lines[0] ?? (problems[0] ? `${problems[0].path}: ${problems[0].message}` : `exit ${exitCode}`),
			problems: problems.map((p) => ({ path: p.path, message: p.message })),
			messages: lines,
			hosts,
		},
	};
	return `${JSON.stringify(body, null, 2)}\n`;
}

/** Runs a command whose stdout is JSON; when it fails without writing any, writes the error object. */
export async function withJsonErrors(io: Io, run: (io: Io) => Promise<number>): Promise<number> {
	let wrote = false;
	let pending = '';
	const messages: string[] = [];
	const problems: Problem[] = [];
	const wrapped: Io = {
		...io,
		stdout: (text) => {
			if (text !== '') wrote = true;
			io.stdout(text);
		},
		stderr: (text) => {
			pending += text;
			const lines = pending.split('\n');
			pending = lines.pop() ?? '';
			messages.push(...lines);
			io.stderr(text);
		},
		onProblems: (found) => {
			problems.push(...found);
			io.onProblems?.(found);
		},
	};
	const code = await run(wrapped);
	if (pending !== '') messages.push(pending);
	if (code !== EXIT.ok && !wrote) io.stdout(jsonError(code, messages, problems));
	return code;
}
