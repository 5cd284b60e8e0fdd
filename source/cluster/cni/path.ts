// Cilium's documented upgrade path (pure): "always perform upgrades between one minor release at a time"
// and "always update to the latest patch release of your current version before attempting an upgrade"
// (Documentation/operations/upgrade.rst). kubestrap can only move a cluster to the release it pins, so
// whatever that path cannot reach from the running release is refused with the reason.
import { CILIUM_VERSION } from '../../spec/versions.js';

/**
 * The newest patch of the minor before the pinned one that this kubestrap knows as a release it could
 * check against: 1.19.5, the last 1.19 render published with the pinned 1.20 one (minikube, see
 * manifests/PROVENANCE.md). Upstream has published later 1.19 patches (1.19.6 on 2026-07-16 per
 * cilium/charts; 1.19.8 per third parties); a cluster at those is at least as far along and is accepted.
 */
export const PREVIOUS_MINOR_NEWEST: Readonly<Record<string, string>> = { '1.19': '1.19.5' };

function parts(version: string): number[] {
	return version.split('.').map(Number);
}

export function compareReleases(a: string, b: string): number {
	const [x, y] = [parts(a), parts(b)];
	for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
	return 0;
}

export function minorOfRelease(release: string): string {
	return release.split('.').slice(0, 2).join('.');
}

/** Why the running Cilium release cannot be upgraded to the pinned one, or undefined when it can. */
export function ciliumPathProblem(running: string, pinned = CILIUM_VERSION): string | undefined {
	if (compareReleases(running, pinned) > 0) return `Cilium ${running} runs, newer than the ${pinned} this kubestrap pins: use a newer kubestrap (Cilium is never downgraded)`;
	const [, runMinor = 0] = parts(running);
	const [major = 1, pinMinor = 0] = parts(pinned);
	if (runMinor === pinMinor) return undefined;
	const previous = `${major}.${pinMinor - 1}`;
	if (runMinor < pinMinor - 1) {
		return `Cilium ${running} cannot be upgraded to ${pinned}: Cilium's only tested path is one minor at a time, and this kubestrap pins no ${previous} release to go through; upgrade Cilium to the newest ${previous} patch first (helm upgrade with upgradeCompatibility set to the first installed minor), then run kubestrap upgrade`;
	}
	const newest = PREVIOUS_MINOR_NEWEST[previous];
	if (newest !== undefined && compareReleases(running, newest) < 0) {
		return `Cilium ${running} cannot be upgraded to ${pinned} directly: Cilium's documented path goes through the newest patch of the current minor first (${newest} or later), which this kubestrap does not ship; upgrade Cilium to ${newest} or a later ${previous} patch first, then run kubestrap upgrade`;
	}
	return undefined;
}
