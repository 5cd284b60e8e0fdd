// The upgrade plan, computed from what the cluster runs (pure): the hops one minor at a time (kubeadm
// refuses to skip a minor), each checked against the support table and the CNI's tested range, whether
// the CNI must move before a hop's control plane, and every reason to refuse before a host is touched.
import type { Cni } from '../../spec/types.js';
import { cniRefusal, CALICO_VERSION, CILIUM_VERSION, findMinor } from '../../spec/versions.js';
import { cniTestedOn } from './cni-range.js';
import { ciliumPathProblem } from '../cni/path.js';

export interface NodeVersion {
	name: string;
	controlPlane: boolean;
	/** kubelet version without the "v", e.g. 1.35.8 */
	kubelet: string;
	ready: boolean;
	unschedulable: boolean;
}

export interface UpgradeInput {
	nodes: NodeVersion[];
	/** the API server's version, e.g. 1.35.8 */
	apiServer: string;
	/** the spec's target: a minor, and the exact patch when it names one */
	target: { minor: string; patch?: string };
	cni: Cni;
	/** the running CNI release from its agent image, e.g. 1.19.5 (undefined: not found) */
	cniRunning?: string;
}

export interface Hop {
	/** the minor the cluster is at before the hop */
	from: string;
	/** the minor after it (equal to `from` for a patch upgrade) */
	to: string;
	/** the exact patch when the spec names one (last hop only); else the newest the repository offers */
	patch?: string;
	/** the CNI is upgraded before this hop's control plane (its running release is not tested on `to`) */
	cniBefore: boolean;
}

export interface UpgradePlan {
	hops: Hop[];
	/** the CNI change, when the running release is not the pinned one */
	cni?: { from: string; to: string; when: 'before-first-hop' | 'after-control-plane' };
	problems: string[];
}

export function pinnedRelease(cni: Cni): string {
	return cni === 'cilium' ? CILIUM_VERSION : CALICO_VERSION;
}

export function minorOf(version: string): string {
	return version.split('.').slice(0, 2).join('.');
}

function minorNumber(minor: string): number {
	return Number(minor.split('.')[1]);
}

export function compareVersions(a: string, b: string): number {
	const pa = a.split('.').map(Number);
	const pb = b.split('.').map(Number);
	for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
	return 0;
}

function nodeProblems(input: UpgradeInput): string[] {
	const problems: string[] = [];
	for (const node of input.nodes) {
		if (!node.ready) problems.push(`node ${node.name} is NotReady: an upgrade drains and restarts nodes one after another, so every node must be Ready first (kubestrap status names the cause)`);
		if (compareVersions(node.kubelet, input.apiServer) > 0) problems.push(`node ${node.name} runs kubelet v${node.kubelet}, newer than the API server v${input.apiServer}: a kubelet must never be newer than the API server; fix that node first`);
	}
	return problems;
}

/** Cilium moves one minor at a time, from the newest patch of its minor (cluster/cni/path.ts). */
function cniPathProblem(input: UpgradeInput): string | undefined {
	if (input.cniRunning === undefined) return `the ${input.cni === 'cilium' ? 'Cilium' : 'Calico'} release could not be read from its DaemonSet's image: is the CNI installed by kubestrap?`;
	if (input.cni === 'cilium') return ciliumPathProblem(input.cniRunning);
	const pinned = pinnedRelease(input.cni);
	if (compareVersions(input.cniRunning, pinned) > 0) return `${input.cni} ${input.cniRunning} runs, newer than the ${pinned} this kubestrap pins: use a newer kubestrap`;
	return undefined;
}

export function planUpgrade(input: UpgradeInput): UpgradePlan {
	const problems = nodeProblems(input);
	const current = minorOf(input.apiServer);
	const { target } = input;
	const downgrade = target.patch !== undefined ? compareVersions(target.patch, input.apiServer) < 0 : minorNumber(target.minor) < minorNumber(current);
	if (downgrade) problems.push(`spec.kubernetes.version: ${target.patch ?? target.minor} is older than the v${input.apiServer} the cluster runs; kubeadm does not downgrade`);
	if (!findMinor(current)) problems.push(`the cluster runs Kubernetes v${input.apiServer}, which this kubestrap does not know; upgrade it to a supported minor by hand first`);
	const cniProblem = cniPathProblem(input);
	if (cniProblem) problems.push(cniProblem);
	const hops: Hop[] = [];
	if (!downgrade) {
		for (let m = minorNumber(current); m <= minorNumber(target.minor); m++) {
			const from = m === minorNumber(current) ? current : `1.${m - 1}`;
			const to = `1.${m}`;
			// The first "hop" at the current minor is the newest patch of it, which kubeadm wants before a minor.
			if (m === minorNumber(current) && to !== target.minor) continue;
			const row = findMinor(to);
			const refusal = row ? cniRefusal(row, input.cni) : `Kubernetes ${to} is not in this kubestrap's support table`;
			if (refusal) problems.push(`hop ${from} → ${to}: ${refusal}`);
			const running = input.cniRunning;
			const cniBefore = running !== undefined && running !== pinnedRelease(input.cni) && !cniTestedOn(input.cni, running, to);
			hops.push({ from, to, ...(to === target.minor && target.patch ? { patch: target.patch } : {}), cniBefore });
		}
	}
	const plan: UpgradePlan = { hops, problems };
	const running = input.cniRunning;
	if (running !== undefined && running !== pinnedRelease(input.cni)) {
		plan.cni = { from: running, to: pinnedRelease(input.cni), when: hops[0]?.cniBefore || hops.length === 0 ? 'before-first-hop' : 'after-control-plane' };
	}
	return plan;
}
