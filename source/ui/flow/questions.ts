// The wizard's questions in the order they are asked. Each one is a config path of the field table, so
// its prompt, help, choices and checks come from there; this file only says when a question is asked.
import { fieldByPath, type Field } from '../../spec/fields.js';
import { validateCluster } from '../../spec/rules.js';
import type { Cluster } from '../../spec/types.js';
import { forcedPaths } from './forced.js';

export type Section = 'cluster' | 'target' | 'hosts' | 'ssh' | 'kubernetes' | 'cni' | 'options' | 'instances' | 'review';

export const SECTION_TITLES: Record<Section, string> = {
	cluster: 'Name',
	target: 'Target',
	hosts: 'Hosts',
	ssh: 'SSH',
	kubernetes: 'Kubernetes',
	cni: 'CNI',
	options: 'CNI options',
	instances: 'Instances',
	review: 'Review',
};

export type QuestionKind = 'text' | 'integer' | 'list' | 'map' | 'select' | 'confirm' | 'hosts' | 'ssh-check' | 'aws-discovery';

export interface PlanContext {
	/** config paths the file or flags gave: never asked again */
	provided: ReadonlySet<string>;
	/** whether an SSH connection test is wired in (its screen is asked only then) */
	connectionTest: boolean;
	/** whether an AWS discovery is wired in (the instance table is shown only then) */
	awsDiscovery?: boolean;
}

export interface Question {
	/** the config path it answers (ssh-check has none of its own and uses its id) */
	id: string;
	section: Section;
	kind: QuestionKind;
	/** extra condition beyond the field's own `when` */
	when?: (cluster: Cluster, context: PlanContext) => boolean;
	/** problems at these paths are shown (and block) here as well as the question's own path */
	alsoPaths?: readonly string[];
	/** like alsoPaths, and earlier questions leave problems at these paths to this one */
	takesOver?: readonly string[];
	/** an answer is accepted when some choice of this later question makes it valid */
	openWith?: string;
}

/** Screens without a config path of their own. */
export const AWS_DISCOVERY = 'aws-discovery';
export const AWS_SSH_CHECK = 'aws-ssh-check';

const isBaremetal = (c: Cluster): boolean => c.spec.target === 'baremetal';
const isAws = (c: Cluster): boolean => c.spec.target === 'aws';
const controlPlanes = (c: Cluster): number => c.spec.hosts.filter((h) => h.role === 'control-plane').length;

export const QUESTIONS: readonly Question[] = [
	{ id: 'metadata.name', section: 'cluster', kind: 'text' },
	// A provided spec.aws makes baremetal unavailable (and says why) instead of silently dropping it.
	{ id: 'spec.target', section: 'target', kind: 'select', alsoPaths: ['spec.aws'] },
	{ id: 'spec.hosts', section: 'hosts', kind: 'hosts', when: isBaremetal },
	{ id: 'spec.aws.region', section: 'hosts', kind: 'text' },
	// IDs or tags, not both: once either was given, the other is not asked.
	{ id: 'spec.aws.instanceIds', section: 'hosts', kind: 'list', when: (_c, ctx) => !ctx.provided.has('spec.aws.instanceTags') },
	{
		id: 'spec.aws.instanceTags', section: 'hosts', kind: 'map', takesOver: ['spec.aws.instanceIds'],
		when: (c, ctx) => !ctx.provided.has('spec.aws.instanceIds') && (c.spec.aws?.instanceIds.length ?? 0) === 0,
	},
	{ id: 'spec.aws.addressType', section: 'hosts', kind: 'select' },
	{ id: 'spec.ssh.user', section: 'ssh', kind: 'text' },
	{ id: 'spec.ssh.port', section: 'ssh', kind: 'integer' },
	{ id: 'spec.ssh.identityFile', section: 'ssh', kind: 'text' },
	{ id: 'spec.ssh.hostKeyPolicy', section: 'ssh', kind: 'select' },
	// Offered even before a bastion exists (empty means none); its user and port follow only when one is set.
	{ id: 'spec.ssh.bastion.address', section: 'ssh', kind: 'text' },
	{ id: 'spec.ssh.bastion.user', section: 'ssh', kind: 'text' },
	{ id: 'spec.ssh.bastion.port', section: 'ssh', kind: 'integer' },
	// AWS instances are not known until discovery, so there is nothing to test yet (see aws-ssh-check).
	{ id: 'ssh-check', section: 'ssh', kind: 'ssh-check', when: (c, ctx) => ctx.connectionTest && isBaremetal(c) && c.spec.hosts.length > 0 },
	// A minor one CNI release supports and the other does not (none today) stays open while the CNI is unchosen.
	{ id: 'spec.kubernetes.version', section: 'kubernetes', kind: 'text', openWith: 'spec.network.cni' },
	{ id: 'spec.kubernetes.podSubnet', section: 'kubernetes', kind: 'text' },
	{ id: 'spec.kubernetes.serviceSubnet', section: 'kubernetes', kind: 'text' },
	// Required with several control planes. On AWS they are discovered later, so their count is unknown
	// here: the endpoint is offered as an optional answer.
	{ id: 'spec.kubernetes.controlPlaneEndpoint', section: 'kubernetes', kind: 'text', when: (c) => controlPlanes(c) > 1 || isAws(c) },
	// A version one CNI release does not support makes that CNI unavailable rather than the version wrong.
	{ id: 'spec.network.cni', section: 'cni', kind: 'select', alsoPaths: ['spec.kubernetes.version'] },
	{ id: 'spec.network.cilium.ipam', section: 'options', kind: 'select' },
	{ id: 'spec.network.cilium.tunnel', section: 'options', kind: 'select' },
	{ id: 'spec.network.cilium.disableMasquerade', section: 'options', kind: 'confirm' },
	{
		id: 'spec.network.cilium.nativeRoutingCIDR', section: 'options', kind: 'text',
		when: (c) => c.spec.network.cilium.tunnel === 'disabled' && !c.spec.network.cilium.disableMasquerade && c.spec.network.cilium.ipam !== 'eni',
	},
	{ id: 'spec.network.cilium.enablePolicy', section: 'options', kind: 'select' },
	{ id: 'spec.network.cilium.kubeProxyReplacement', section: 'options', kind: 'confirm' },
	{ id: 'spec.network.cilium.hubble', section: 'options', kind: 'confirm' },
	{ id: 'spec.network.calico.encapsulation', section: 'options', kind: 'select' },
	{ id: 'spec.network.calico.crossSubnet', section: 'options', kind: 'confirm' },
	{ id: 'spec.network.calico.mtu', section: 'options', kind: 'integer' },
	// Last before the review: the AWS checks depend on the subnets and the CNI answers (VPC overlap,
	// the security-group rules a datapath needs, source/destination check, the ENI instance profile),
	// so before those answers they would judge a network the user has not chosen.
	{ id: AWS_DISCOVERY, section: 'instances', kind: 'aws-discovery', when: (c, ctx) => ctx.awsDiscovery === true && isAws(c) },
	// The discovered instances, reached only through the discovery screen's "Use these".
	{ id: AWS_SSH_CHECK, section: 'instances', kind: 'ssh-check', when: (c, ctx) => ctx.connectionTest && ctx.awsDiscovery === true && isAws(c) },
];

export const REVIEW = 'review';

export function questionById(id: string): Question | undefined {
	return QUESTIONS.find((q) => q.id === id);
}

export function fieldOf(question: Question): Field | undefined {
	return fieldByPath(question.id);
}

function fieldApplies(field: Field | undefined, cluster: Cluster): boolean {
	if (field?.when === undefined) return true;
	try {
		return field.when(cluster);
	} catch {
		return false;
	}
}

/**
 * Sections a file or flags settle by setting anything in them: an answer there that has a default or is
 * optional is then taken as given (leaving it out of a file chose the default), unless it is wrong or
 * missing in the draft as it stands. The bastion counts as part of spec.ssh.
 */
const SETTLED_SECTIONS = ['spec.ssh', 'spec.aws', 'spec.kubernetes', 'spec.network.cilium', 'spec.network.calico'];

function settled(id: string, provided: ReadonlySet<string>): boolean {
	const section = SETTLED_SECTIONS.find((prefix) => id.startsWith(`${prefix}.`));
	return section !== undefined && [...provided].some((path) => path.startsWith(`${section}.`));
}

function asked(question: Question, cluster: Cluster, context: PlanContext, forced: ReadonlySet<string>, problemPaths: ReadonlySet<string>): boolean {
	if (context.provided.has(question.id) || forced.has(question.id)) return false;
	if (settled(question.id, context.provided) && !problemPaths.has(question.id)) return false;
	// The bastion address decides whether a bastion exists, so its own field's condition cannot gate it.
	if (question.kind !== 'ssh-check' && question.id !== 'spec.ssh.bastion.address' && !fieldApplies(fieldOf(question), cluster)) return false;
	return question.when === undefined || question.when(cluster, context);
}

/** The questions still to be asked for this draft, in order: not provided, not forced, applicable. */
export function planQuestions(cluster: Cluster, context: PlanContext): Question[] {
	const forced = forcedPaths(cluster, context.provided);
	const problemPaths = new Set(validateCluster(cluster).map((problem) => problem.path));
	return QUESTIONS.filter((question) => asked(question, cluster, context, forced, problemPaths));
}

export function orderOf(id: string): number {
	const index = QUESTIONS.findIndex((q) => q.id === id);
	return index === -1 ? QUESTIONS.length : index;
}

/** The question after `id` for this draft (answers can add or remove later questions), or the review. */
export function nextQuestion(cluster: Cluster, id: string, context: PlanContext): string {
	const after = orderOf(id);
	return planQuestions(cluster, context).find((q) => orderOf(q.id) > after)?.id ?? REVIEW;
}

export function firstQuestion(cluster: Cluster, context: PlanContext): string {
	return planQuestions(cluster, context)[0]?.id ?? REVIEW;
}

/** Does this question show problems reported at `path`? spec.hosts covers its items too. */
export function owns(question: Question, path: string): boolean {
	if (path === question.id || question.alsoPaths?.includes(path) || question.takesOver?.includes(path)) return true;
	return question.kind === 'hosts' && path.startsWith(`${question.id}[`);
}
