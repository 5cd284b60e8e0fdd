// What status says about versions (pure): the control plane's version, kubelet skew beyond the version
// skew policy (a kubelet never newer than the API server, at most 3 minors older), an upgrade left half
// done, and newer releases this kubestrap supports.
import { findMinor, offeredMinors } from '../../spec/versions.js';

export interface VersionNotes {
	/** the control plane's version, from the control-plane nodes (kubeadm upgrades them first) */
	controlPlane: string | null;
	/** skew beyond what Kubernetes allows, or an unfinished upgrade */
	skew: string[];
	/** newer patches or minors this kubestrap supports */
	available: string[];
}

function parts(version: string): [number, number, number] {
	const [a, b, c] = version.replace(/^v/, '').split(/[.+-]/).map(Number);
	return [a ?? 0, b ?? 0, c ?? 0];
}

function newer(a: string, b: string): boolean {
	const [x, y] = [parts(a), parts(b)];
	for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) > (y[i] ?? 0);
	return false;
}

export function versionNotes(nodes: ReadonlyArray<{ name: string; roles: readonly string[]; version: string }>, today?: string): VersionNotes {
	const planes = nodes.filter((n) => n.roles.includes('control-plane') && n.version !== '');
	const controlPlane = planes.reduce<string | null>((max, n) => (max === null || newer(n.version, max) ? n.version : max), null);
	const notes: VersionNotes = { controlPlane, skew: [], available: [] };
	if (controlPlane === null) return notes;
	const [, cpMinor] = parts(controlPlane);
	for (const node of nodes) {
		if (node.version === '') continue;
		const [, minor] = parts(node.version);
		if (newer(node.version, controlPlane)) notes.skew.push(`${node.name} runs kubelet ${node.version}, newer than the control plane ${controlPlane}: not allowed by the version skew policy`);
		else if (cpMinor - minor > 3) notes.skew.push(`${node.name} runs kubelet ${node.version}, more than 3 minors behind the control plane ${controlPlane}: not allowed by the version skew policy`);
	}
	const distinct = new Set(nodes.map((n) => n.version).filter((v) => v !== ''));
	if (distinct.size > 1 && notes.skew.length === 0) notes.skew.push(`nodes run ${[...distinct].sort().join(', ')}: an upgrade has not finished (run kubestrap upgrade again to resume)`);
	const current = `1.${cpMinor}`;
	const newest = offeredMinors(today).at(-1);
	if (newest !== undefined && Number(newest.split('.')[1]) > cpMinor) notes.available.push(`Kubernetes ${newest} is supported by this kubestrap (the cluster runs ${current}): set spec.kubernetes.version: "${newest}" and run kubestrap upgrade`);
	const known = findMinor(current)?.knownPatch;
	if (known !== undefined && newer(known, controlPlane)) notes.available.push(`${current} has newer patches (v${known} or later): kubestrap upgrade with version "${current}" installs the newest`);
	return notes;
}
