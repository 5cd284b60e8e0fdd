// kubeadm, kubelet and kubectl from pkgs.k8s.io (one repository per minor), following the official
// install-kubeadm instructions for apt and dnf, in three steps: the repository on every host, the exact
// version (asked once, on the first control plane), and the packages of that version, held there.
import { resolveKubernetesVersion } from '../../spec/versions.js';
import { probe, read, run, write } from '../exec.js';
import { change } from '../runner.js';
import { exactVersion, JOURNAL_KUBE_VERSION, KUBE_VERSION, minorOf, parseDnfList, parseMadison, releaseVersion } from '../package-versions.js';
import { ADMIN_KUBECONFIG, kubectl } from '../../cluster/kubectl.js';
import { StepError, type RunContext, type Step, type StepHost } from '../types.js';
import { firstControlPlane } from './init-control-plane.js';
import { checkFingerprints, KUBERNETES_KEY, primaryFingerprints, SigningKeyRefusal, type PinnedKey } from '../signing-key.js';

export const APT_KEYRING = '/etc/apt/keyrings/kubernetes-apt-keyring.gpg';
export const APT_SOURCE = '/etc/apt/sources.list.d/kubernetes.list';
export const DNF_REPO = '/etc/yum.repos.d/kubernetes.repo';
/** The verified key for dnf: the repo file points gpgkey here, so dnf never imports a key it downloads itself. */
export const DNF_KEY = '/etc/pki/rpm-gpg/RPM-GPG-KEY-kubernetes';
export const KUBE_PACKAGES = ['kubelet', 'kubeadm', 'kubectl'] as const;

/** The spec's minor and, when it names one, its exact patch. */
export function targetMinor(ctx: RunContext): { minor: string; patch?: string } {
	const resolved = resolveKubernetesVersion(ctx.cluster.spec.kubernetes.version, ctx.cluster.spec.network.cni);
	if (typeof resolved === 'string') throw new Error(`spec.kubernetes.version: ${resolved}`);
	return { minor: resolved.minor.minor, ...(resolved.patch ? { patch: resolved.patch } : {}) };
}

export function repoUrl(minor: string, kind: 'deb' | 'rpm'): string {
	return `https://pkgs.k8s.io/core:/stable:/v${minor}/${kind}/`;
}

export function aptSourceLine(minor: string): string {
	return `deb [signed-by=${APT_KEYRING}] ${repoUrl(minor, 'deb')} /\n`;
}

export function dnfRepoFile(minor: string): string {
	return [
		'[kubernetes]',
		'name=Kubernetes',
		`baseurl=${repoUrl(minor, 'rpm')}`,
		'enabled=1',
		'gpgcheck=1',
		`gpgkey=file://${DNF_KEY}`,
		'exclude=kubelet kubeadm kubectl cri-tools kubernetes-cni',
		'',
	].join('\n');
}

const APT = ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get'];

/** Points the host's package manager at the minor's repository (and refreshes apt's lists). */
export async function configureRepo(ctx: RunContext, step: string, host: StepHost, minor: string): Promise<void> {
	if (host.facts?.packageManager === 'dnf') {
		const key = await verifiedKey(ctx, step, host, `${repoUrl(minor, 'rpm')}repodata/repomd.xml.key`);
		await run(ctx, step, host, ['mkdir', '-p', '-m', '755', '/etc/pki/rpm-gpg'], { sudo: true });
		await write(ctx, step, host, DNF_KEY, key, 0o644);
		await write(ctx, step, host, DNF_REPO, dnfRepoFile(minor), 0o644);
		return;
	}
	await run(ctx, step, host, [...APT, 'install', '-y', '-q', 'apt-transport-https', 'ca-certificates', 'curl', 'gpg'], { sudo: true });
	await run(ctx, step, host, ['mkdir', '-p', '-m', '755', '/etc/apt/keyrings'], { sudo: true });
	const key = await verifiedKey(ctx, step, host, `${repoUrl(minor, 'deb')}Release.key`);
	await run(ctx, step, host, ['gpg', '--batch', '--yes', '--dearmor', '-o', APT_KEYRING], { sudo: true, stdin: key });
	await write(ctx, step, host, APT_SOURCE, aptSourceLine(minor), 0o644);
	await run(ctx, step, host, [...APT, 'update', '-q'], { sudo: true });
}

/**
 * The release key, fetched on the host (it reaches pkgs.k8s.io anyway) and checked there with gpg against
 * the pinned fingerprint before anything trusts it. A dry run fetches nothing and says it would check.
 */
export async function verifiedKey(ctx: RunContext, step: string, host: StepHost, url: string, pinned: PinnedKey = KUBERNETES_KEY): Promise<string> {
	if (ctx.dryRun) {
		ctx.emit({ kind: 'plan', step, host: host.id, action: `fetch ${url} and check its fingerprint is ${pinned.fingerprint}` });
		return '';
	}
	const key = await read(ctx, step, host, ['curl', '-fsSL', url]);
	const shown = await probe(ctx, step, host, ['gpg', '--batch', '--show-keys', '--with-colons'], { stdin: key });
	const found = shown.code === 0 ? primaryFingerprints(shown.stdout) : [];
	if (!checkFingerprints(found, pinned.fingerprint)) throw new SigningKeyRefusal(host.id, step, url, found, pinned);
	return key;
}

/** Whether the host's repository file already names this minor (read, also in dry runs). */
export async function repoNamesMinor(ctx: RunContext, step: string, host: StepHost, minor: string): Promise<boolean> {
	const file = host.facts?.packageManager === 'dnf' ? DNF_REPO : APT_SOURCE;
	const current = await probe(ctx, step, host, ['cat', file]);
	return current.code === 0 && current.stdout.includes(`/v${minor}/`);
}

/** The versions of `minor` the host's configured repository offers, newest first. */
export async function publishedVersions(ctx: RunContext, step: string, host: StepHost, minor: string): Promise<string[]> {
	if (host.facts?.packageManager === 'dnf') {
		const listed = await probe(ctx, step, host, ['dnf', '--showduplicates', 'list', 'kubeadm', '--disableexcludes=kubernetes']);
		return parseDnfList(listed.stdout, minor);
	}
	const madison = await probe(ctx, step, host, ['apt-cache', 'madison', 'kubeadm']);
	return parseMadison(madison.stdout, minor);
}

/**
 * The newest patch of `minor` the host's repository offers, with where it comes from. Read-only unless
 * `refresh` allows one `apt-get update` when the repository file names the minor but apt's lists do not list
 * it yet (a plan never refreshes). Without a version, why not, as a plan says it: the repository does not
 * point at the minor yet (asked once it does), or it does and the lists are stale.
 */
export async function newestPublished(ctx: RunContext, step: string, host: StepHost, minor: string, refresh: boolean): Promise<{ version?: string; why: string }> {
	const dnf = host.facts?.packageManager === 'dnf';
	// The repository file is read first: while it names another minor, a lookup would only ask that
	// minor's repository (pkgs.k8s.io has one per minor) and find nothing.
	if (!(await repoNamesMinor(ctx, step, host, minor))) return { why: `the newest ${minor} patch in pkgs.k8s.io, asked once the repository points at ${minor}` };
	let published = await publishedVersions(ctx, step, host, minor);
	if (published.length === 0 && refresh && !dnf) {
		await run(ctx, step, host, [...APT, 'update', '-q'], { sudo: true });
		published = await publishedVersions(ctx, step, host, minor);
	}
	const url = repoUrl(minor, dnf ? 'rpm' : 'deb');
	if (published[0] !== undefined) return { version: published[0], why: `the newest ${minor} patch in ${url}` };
	return { why: dnf ? `the newest ${minor} patch in ${url} (dnf --showduplicates list kubeadm lists none now)` : `the newest ${minor} patch in ${url}, asked after apt-get update (the host's package lists do not list ${minor} yet)` };
}

/**
 * Installs packages at `version` and holds them (apt). An upgrade releases the hold first and sets it again
 * after, as the kubeadm upgrade page does (`apt-mark unhold` … `apt-mark hold`); a fresh install only
 * needs to replace a held leftover.
 */
export async function installKubePackages(ctx: RunContext, step: string, host: StepHost, version: string, options: { packages?: readonly string[]; upgrade?: boolean } = {}): Promise<void> {
	const packages = options.packages ?? KUBE_PACKAGES;
	if (host.facts?.packageManager === 'dnf') {
		await run(ctx, step, host, ['dnf', 'install', '-y', ...packages.map((p) => `${p}-${version}`), '--disableexcludes=kubernetes'], { sudo: true });
		return;
	}
	const pinned = packages.map((p) => `${p}=${version}-1.1`);
	if (options.upgrade) {
		await run(ctx, step, host, ['apt-mark', 'unhold', ...packages], { sudo: true });
		await run(ctx, step, host, [...APT, 'install', '-y', '-q', ...pinned], { sudo: true });
	} else {
		await run(ctx, step, host, [...APT, 'install', '-y', '-q', '--allow-change-held-packages', ...pinned], { sudo: true });
	}
	await run(ctx, step, host, ['apt-mark', 'hold', ...packages], { sudo: true });
}

export const packageRepoStep: Step = {
	id: 'package-repo',
	title: 'Kubernetes package repository',
	parallel: true,
	targets: (ctx) => ctx.hosts,
	async shouldRun(ctx, host) {
		// A stale apt list is caught where it matters: the version step refreshes it when madison lists nothing.
		return !(await repoNamesMinor(ctx, 'package-repo', host, targetMinor(ctx).minor));
	},
	run: (ctx, host) => configureRepo(ctx, 'package-repo', host, targetMinor(ctx).minor),
};

/** The version the running cluster reports, when the first control plane already has one. */
async function clusterVersion(ctx: RunContext, host: StepHost): Promise<string | undefined> {
	if (!host.facts?.hasAdminConf) return undefined;
	const result = await probe(ctx, 'kubernetes-version', host, kubectl('version', '-o', 'json'), { sudo: true });
	if (result.code !== 0) return undefined;
	try {
		const parsed = JSON.parse(result.stdout) as { serverVersion?: { gitVersion?: string } };
		return releaseVersion(parsed.serverVersion?.gitVersion);
	} catch {
		return undefined;
	}
}

/**
 * Settles the exact version: the running cluster's (a node joining gets what the cluster runs), else the
 * one an earlier run of this install chose, else the spec's exact patch, else the newest patch of the minor
 * that the package repository offers.
 */
export async function resolveInstallVersion(ctx: RunContext, host: StepHost): Promise<{ version?: string; why: string }> {
	const { minor, patch } = targetMinor(ctx);
	const running = await clusterVersion(ctx, host);
	if (running !== undefined) {
		if (minorOf(running) !== minor) throw new Error(`the cluster runs Kubernetes v${running} and the spec asks for ${ctx.cluster.spec.kubernetes.version}: change the minor with \`kubestrap upgrade\`, not install`);
		return { version: running, why: `the version the cluster runs (${ADMIN_KUBECONFIG})` };
	}
	const recorded = ctx.journal?.value(JOURNAL_KUBE_VERSION);
	if (recorded !== undefined && minorOf(recorded) === minor && (patch === undefined || patch === recorded)) return { version: recorded, why: 'chosen by the earlier run (journal)' };
	if (patch !== undefined) return { version: patch, why: 'named in the spec' };
	// A dry run asks the host too when its repository already points at the minor (madison and dnf list are reads).
	const newest = await newestPublished(ctx, 'kubernetes-version', host, minor, !ctx.dryRun);
	if (newest.version !== undefined || ctx.dryRun) return newest;
	throw new Error(`the package repository offers no Kubernetes ${minor} release (${host.facts?.packageManager === 'dnf' ? 'dnf --showduplicates list kubeadm' : 'apt-cache madison kubeadm'} listed none)`);
}

export const kubernetesVersionStep: Step = {
	id: 'kubernetes-version',
	title: 'Kubernetes version',
	parallel: false,
	gate: true,
	targets: (ctx) => [firstControlPlane(ctx)],
	shouldRun: async () => true,
	async run(ctx, host) {
		// A command that failed is already a StepError; the version's own refusals get the host and step too.
		const { version, why } = await resolveInstallVersion(ctx, host).catch((error: unknown) => {
			if (error instanceof StepError || !(error instanceof Error)) throw error;
			throw new Error(`${host.id}: step "kubernetes-version" failed: ${error.message}`);
		});
		const text = version === undefined ? why : `v${version} (${why})`;
		ctx.emit({ kind: 'log', step: 'kubernetes-version', host: host.id, stream: 'stdout', line: `Kubernetes ${text}` });
		if (version === undefined) {
			await change(ctx, 'kubernetes-version', host, `Kubernetes ${text}`, async () => undefined);
			return;
		}
		ctx.shared.set(KUBE_VERSION, version);
		await change(ctx, 'kubernetes-version', host, `Kubernetes v${version} (${why})`, async () => {
			await ctx.journal?.remember(JOURNAL_KUBE_VERSION, version);
		});
	},
};

export const kubePackagesStep: Step = {
	id: 'packages',
	title: 'kubeadm, kubelet and kubectl',
	parallel: true,
	targets: (ctx) => ctx.hosts,
	async shouldRun(ctx, host) {
		const version = exactVersion(ctx);
		return version === undefined || host.facts?.kubeadmVersion !== `v${version}`;
	},
	async run(ctx, host) {
		const version = exactVersion(ctx) ?? `${targetMinor(ctx).minor}.<newest>`;
		await installKubePackages(ctx, 'packages', host, version);
		await run(ctx, 'packages', host, ['systemctl', 'enable', '--now', 'kubelet'], { sudo: true });
	},
};
