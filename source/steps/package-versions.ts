// The versions a package repository offers, read from `apt-cache madison` or `dnf --showduplicates list`
// output (pure parsers), and the exact Kubernetes version a run settled on, shared between steps.
import type { RunContext } from './types.js';

/** ctx.shared key of the exact Kubernetes version (e.g. "1.36.4") the packages and kubeadm config use */
export const KUBE_VERSION = 'kubernetes-version';
/** journal value name: the version a run chose, so a resumed run installs the same one */
export const JOURNAL_KUBE_VERSION = 'kubernetesVersion';

function comparePatch(a: string, b: string): number {
	const pa = a.split('.').map(Number);
	const pb = b.split('.').map(Number);
	for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
	return 0;
}

/** Upstream versions ("1.36.4") of `minor` in the output, newest first. */
function newestFirst(versions: Iterable<string>, minor: string): string[] {
	return [...new Set(versions)].filter((v) => v.startsWith(`${minor}.`) && /^\d+\.\d+\.\d+$/.test(v)).sort((a, b) => comparePatch(b, a));
}

/** `apt-cache madison kubeadm`: lines ` kubeadm | 1.36.4-1.1 | https://pkgs.k8s.io/core:/stable:/v1.36/deb  Packages`. */
export function parseMadison(output: string, minor: string): string[] {
	const versions: string[] = [];
	for (const line of output.split('\n')) {
		const fields = line.split('|').map((f) => f.trim());
		const version = fields[1];
		if (fields.length >= 3 && version) versions.push(version.split('-')[0] ?? '');
	}
	return newestFirst(versions, minor);
}

/** `dnf --showduplicates list kubeadm`: lines `kubeadm.x86_64   1.36.4-150500.1.1   kubernetes`. */
export function parseDnfList(output: string, minor: string): string[] {
	const versions: string[] = [];
	for (const line of output.split('\n')) {
		const fields = line.trim().split(/\s+/);
		if (fields.length >= 3 && fields[0]?.startsWith('kubeadm.')) versions.push(fields[1]?.split('-')[0] ?? '');
	}
	return newestFirst(versions, minor);
}

/** The exact version this run installs, once the version step has settled it. */
export function exactVersion(ctx: RunContext): string | undefined {
	const value = ctx.shared.get(KUBE_VERSION);
	return typeof value === 'string' ? value : undefined;
}

/** "1.36.4" from kubectl/kubeadm's "v1.36.4" (or undefined when it is not a release version). */
export function releaseVersion(value: string | undefined): string | undefined {
	const match = /^v?(\d+\.\d+\.\d+)$/.exec(value?.trim() ?? '');
	return match?.[1];
}

export function minorOf(version: string): string {
	return version.split('.').slice(0, 2).join('.');
}

export { comparePatch as compareVersions };
