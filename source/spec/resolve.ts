// From raw inputs (config file bytes, flag values) to a validated Cluster or the list of problems.
import { loadConfig, type Tree } from './load.js';
import { mergeLayers } from './merge.js';
import { validateCluster } from './rules.js';
import type { Cluster, Problem } from './types.js';

export interface SpecInput {
	/** config file content and the name to use in messages */
	file?: { content: string | Uint8Array; name: string };
	/** values from explicit flags, shaped like the config file */
	flags?: Tree;
	/** problems found while reading flags (bad integers, KEY=VALUE syntax, …) */
	flagProblems?: Problem[];
	/** AWS_REGION from the environment: spec.aws.region when target is aws and neither file nor flags set it */
	awsRegion?: string;
}

export type SpecResult =
	| { ok: true; cluster: Cluster; provided: Set<string> }
	| { ok: false; problems: Problem[]; cluster?: Cluster; provided?: Set<string> };

export function resolveSpec(input: SpecInput): SpecResult {
	const layers: Tree[] = [];
	const problems: Problem[] = [...(input.flagProblems ?? [])];
	if (input.file) {
		const loaded = loadConfig(input.file.content, input.file.name);
		problems.push(...loaded.problems);
		// A file that could not be read at all gives no cluster to check further.
		if (loaded.problems.some((p) => p.path === input.file?.name || p.path.startsWith(`${input.file?.name}:`))) return { ok: false, problems };
		layers.push(loaded.tree);
	}
	if (input.flags) layers.push(input.flags);
	const { cluster, provided } = mergeLayers(layers);
	if (input.awsRegion && cluster.spec.target === 'aws' && cluster.spec.aws && cluster.spec.aws.region === undefined) cluster.spec.aws.region = input.awsRegion;
	problems.push(...oneNetworkSection(cluster, provided));
	problems.push(...validateCluster(cluster).filter((p) => !problems.some((q) => q.path === p.path)));
	return problems.length === 0 ? { ok: true, cluster, provided } : { ok: false, problems, cluster, provided };
}

/**
 * One networking option per cluster (as kops allows one): settings given for the CNI that is not
 * chosen would be silently ignored, so they are an error that says which way to fix it.
 */
export function oneNetworkSection(cluster: Cluster, provided: ReadonlySet<string>): Problem[] {
	const cni = cluster.spec.network.cni;
	const other = cni === 'cilium' ? 'calico' : 'cilium';
	const given = [...provided].some((path) => path === `spec.network.${other}` || path.startsWith(`spec.network.${other}.`));
	if (!given) return [];
	return [{ path: `spec.network.${other}`, message: `is set but spec.network.cni is ${cni}; a cluster has one networking option: remove the ${other} section, or set cni: ${other}` }];
}

/** Longest message printed for one problem; anything longer is cut and its length given. */
const MAX_MESSAGE_CHARS = 400;

export function formatProblem(problem: Problem): string {
	const message = problem.message.length > MAX_MESSAGE_CHARS ? `${problem.message.slice(0, MAX_MESSAGE_CHARS)}… (${problem.message.length} characters)` : problem.message;
	return `${capText(problem.path, 200)}: ${message}`;
}

function capText(text: string, max: number): string {
	return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/** At most this many problems are listed; the rest are counted. */
export const MAX_PROBLEMS_LISTED = 50;
