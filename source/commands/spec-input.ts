// Shared by every command that takes a cluster spec: --config plus the spec flags → Cluster or problems.
import { flagsToTree } from '../spec/flags.js';
import { formatProblem, resolveSpec, type SpecResult } from '../spec/resolve.js';
import { readConfigFile, type Io } from './io.js';

export interface SpecOptions {
	config?: string;
	[flag: string]: unknown;
}

export async function specFromOptions(options: SpecOptions, io: Io): Promise<SpecResult> {
	const flags = flagsToTree(options);
	let file: { content: Uint8Array; name: string } | undefined;
	if (options.config !== undefined) {
		const read = await readConfigFile(options.config, io.cwd);
		if ('message' in read) return { ok: false, problems: [read, ...flags.problems] };
		file = read;
	}
	return resolveSpec({ file, flags: flags.tree, flagProblems: flags.problems });
}

export function printProblems(result: Extract<SpecResult, { ok: false }>, io: Io): void {
	for (const problem of result.problems) io.stderr(`${formatProblem(problem)}\n`);
	io.stderr(`${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}; nothing was contacted or changed.\n`);
}
