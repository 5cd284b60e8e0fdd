// The cluster as answered so far, and how one answer changes it. Pure: the same function builds the
// candidate a check runs on and the draft that is kept, so what was checked is what is stored.
import { getPath, mergeLayers } from '../../spec/merge.js';
import type { AwsSpec, Cluster, Host, Target } from '../../spec/types.js';
import { FORCINGS } from './forced.js';

/** An empty answer to an optional field: the key is removed, so its default behaviour applies. */
export const UNSET = Symbol('unset');
export type AnswerValue = unknown;

export interface Draft {
	cluster: Cluster;
	/** what a target switch put aside, given back if the user switches back */
	stash: { hosts?: Host[]; aws?: AwsSpec };
	/** values a forcing replaced, given back when it no longer holds */
	beforeForcing: Readonly<Record<string, unknown>>;
	/** prefill for spec.aws.region when the target becomes aws */
	awsRegion?: string;
}

export function newDraft(cluster: Cluster, awsRegion?: string): Draft {
	return { cluster: structuredClone(cluster), stash: {}, beforeForcing: {}, awsRegion };
}

type Node = Record<string, unknown>;

function setPath(root: object, path: string, value: AnswerValue): void {
	const keys = path.split('.');
	const last = keys.pop() as string;
	let node = root as Node;
	for (const key of keys) {
		const next = node[key];
		if (typeof next !== 'object' || next === null) node[key] = {};
		node = node[key] as Node;
	}
	if (value === UNSET) delete node[last];
	else node[last] = value;
}

function defaultAws(region: string | undefined): AwsSpec {
	const aws = mergeLayers([{ spec: { target: 'aws' } }]).cluster.spec.aws as AwsSpec;
	return region === undefined ? aws : { ...aws, region };
}

function providedUnder(provided: ReadonlySet<string>, prefix: string): boolean {
	return [...provided].some((path) => path === prefix || path.startsWith(`${prefix}.`));
}

/** Hosts and spec.aws belong to one target each; switching puts the other's answers aside. */
function switchTarget(cluster: Cluster, target: Target, stash: Draft['stash'], provided: ReadonlySet<string>, awsRegion: string | undefined): void {
	if (cluster.spec.target === target) return;
	cluster.spec.target = target;
	if (target === 'aws') {
		if (!provided.has('spec.hosts')) {
			if (cluster.spec.hosts.length > 0) stash.hosts = cluster.spec.hosts;
			cluster.spec.hosts = [];
		}
		cluster.spec.aws = cluster.spec.aws ?? stash.aws ?? defaultAws(awsRegion);
		delete stash.aws;
		return;
	}
	if (cluster.spec.aws !== undefined && !providedUnder(provided, 'spec.aws')) {
		stash.aws = cluster.spec.aws;
		delete cluster.spec.aws;
	}
	if (stash.hosts !== undefined && cluster.spec.hosts.length === 0) cluster.spec.hosts = stash.hosts;
	delete stash.hosts;
}

export interface Applied {
	draft: Draft;
	/** one line per forcing this answer set off */
	notices: string[];
}

/** The draft after answering `path` with `value`, with forced answers set (or given back). */
export function applyAnswer(draft: Draft, path: string, value: AnswerValue, provided: ReadonlySet<string>): Applied {
	const cluster = structuredClone(draft.cluster);
	const stash = { ...draft.stash };
	const beforeForcing: Record<string, unknown> = { ...draft.beforeForcing };
	if (path === 'spec.target') {
		switchTarget(cluster, value as Target, stash, provided, draft.awsRegion);
	} else if (path === 'spec.ssh.bastion.address') {
		// The bastion exists exactly when it has an address; its user and port are asked only then.
		if (value === UNSET) delete cluster.spec.ssh.bastion;
		else cluster.spec.ssh.bastion = { ...cluster.spec.ssh.bastion, address: value as string };
	} else {
		setPath(cluster, path, value);
	}
	const notices: string[] = [];
	for (const forcing of FORCINGS) {
		const free = forcing.sets.filter((set) => !provided.has(set.path));
		if (forcing.holds(cluster)) {
			for (const set of free) {
				const current = getPath(cluster, set.path);
				if (current === set.value) continue;
				if (!Object.hasOwn(beforeForcing, set.path)) beforeForcing[set.path] = current;
				setPath(cluster, set.path, set.value);
			}
			if (path === forcing.trigger && free.length > 0) notices.push(forcing.notice);
		} else {
			for (const set of free) {
				if (!Object.hasOwn(beforeForcing, set.path)) continue;
				setPath(cluster, set.path, beforeForcing[set.path]);
				delete beforeForcing[set.path];
			}
		}
	}
	return { draft: { ...draft, cluster, stash, beforeForcing }, notices };
}
