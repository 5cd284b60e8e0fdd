// Shared by every command that takes a cluster spec: --config plus the spec flags → Cluster or problems.
import { flagsToTree } from '../spec/flags.js';
import { loadConfig, type Tree } from '../spec/load.js';
import { formatProblem, MAX_PROBLEMS_LISTED, resolveSpec, type SpecResult } from '../spec/resolve.js';
import type { Problem } from '../spec/types.js';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readConfigFile, type Io } from './io.js';

/** The file read when --config is not given, as kubectl-style tools read theirs from the working directory. */
export const DEFAULT_CONFIG = 'cluster.yaml';

/**
 * The options with --config set to ./cluster.yaml when none was given and that file exists; says so on
 * stderr, so nobody wonders where the answers came from. With --kubeconfig (status) the kubeconfig names
 * the cluster read: a ./cluster.yaml beside it may describe another cluster (another CNI, another name),
 * so it is read only when --config names it, and the line says what is read instead.
 */
export async function withDefaultConfig<T extends SpecOptions>(options: T, io: Io): Promise<T> {
	if (options.config !== undefined) return options;
	try {
		if (!(await stat(resolve(io.cwd, DEFAULT_CONFIG))).isFile()) return options;
	} catch {
		return options;
	}
	if (typeof options['kubeconfig'] === 'string') {
		io.stderr(`reading the cluster through ${options['kubeconfig']} (--kubeconfig; ./${DEFAULT_CONFIG} is read only with --config)\n`);
		return options;
	}
	io.stderr(`reading ./${DEFAULT_CONFIG} (no --config given)\n`);
	return { ...options, config: DEFAULT_CONFIG };
}

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
	const awsRegion = io.awsRegion;
	return resolveSpec({ file, flags: flags.tree, flagProblems: flags.problems, ...(awsRegion ? { awsRegion } : {}) });
}

/** The file and flag trees as given (lowest precedence first), for the wizard; problems if either cannot be read. */
export async function treesFromOptions(options: SpecOptions, io: Io): Promise<{ trees: Tree[]; problems: Problem[] }> {
	const flags = flagsToTree(options);
	const trees: Tree[] = [];
	const problems: Problem[] = [...flags.problems];
	if (options.config !== undefined) {
		const read = await readConfigFile(options.config, io.cwd);
		if ('message' in read) problems.push(read);
		else {
			const loaded = loadConfig(read.content, read.name);
			problems.push(...loaded.problems);
			trees.push(loaded.tree);
		}
	}
	trees.push(flags.tree);
	return { trees, problems };
}

export function printProblems(result: { problems: Problem[] }, io: Io): void {
	io.onProblems?.(result.problems);
	for (const problem of result.problems.slice(0, MAX_PROBLEMS_LISTED)) io.stderr(`${formatProblem(problem)}\n`);
	const more = result.problems.length - MAX_PROBLEMS_LISTED;
	if (more > 0) io.stderr(`… and ${more} more problem${more === 1 ? '' : 's'} not listed\n`);
	io.stderr(`${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}; nothing was contacted or changed.\n`);
}
