// Preflight checks on gathered facts: pure, so every rule is a table test. Nothing is installed
// while any host fails one of them.
import type { Facts, StepHost } from './types.js';

const MIN_KERNEL: [number, number] = [5, 10];
const SUPPORTED_OS: Record<string, number> = { ubuntu: 20.04, debian: 11, rhel: 9, rocky: 9, almalinux: 9, centos: 9, fedora: 38 };
const PORTS = [6443, 10250, 2379, 2380];
const MAX_SKEW_SECONDS = 30;

export function kernelAtLeast(kernel: string, [major, minor]: [number, number]): boolean {
	const match = /^(\d+)\.(\d+)/.exec(kernel);
	if (!match) return false;
	const [have, haveMinor] = [Number(match[1]), Number(match[2])];
	return have > major || (have === major && haveMinor >= minor);
}

/**
 * The kernel, OS and architecture rules, shared by preflight and the wizard's connection test so
 * both refuse the same hosts with the same words.
 */
export function platformProblems(facts: Pick<Facts, 'kernel' | 'osId' | 'osVersion' | 'arch'>): string[] {
	const problems: string[] = [];
	if (!kernelAtLeast(facts.kernel, MIN_KERNEL)) problems.push(`kernel ${facts.kernel || 'unknown'} is older than 5.10, the minimum for Cilium 1.20 and Calico 3.32; upgrade the kernel`);
	const minimum = SUPPORTED_OS[facts.osId];
	if (minimum === undefined) problems.push(`operating system "${facts.osId || 'unknown'}" is not supported (Ubuntu ≥ 20.04, Debian ≥ 11, RHEL/Rocky/Alma ≥ 9, Fedora ≥ 38)`);
	else if (Number(facts.osVersion) < minimum) problems.push(`${facts.osId} ${facts.osVersion} is older than ${minimum}`);
	if (!['x86_64', 'aarch64'].includes(facts.arch)) problems.push(`architecture ${facts.arch || 'unknown'} is not supported (x86_64 or aarch64)`);
	return problems;
}

/** Problems with one host, each a sentence naming what is wrong and what to do. */
export function hostProblems(facts: Facts, host: StepHost, localEpochSeconds: number): string[] {
	const problems = platformProblems(facts);
	if (facts.packageManager === 'unknown') problems.push('neither apt-get nor dnf was found');
	// Ports held by a Kubernetes this host already runs for us are fine; anything else is in the way.
	const ours = facts.hasAdminConf || facts.hasKubeletConf;
	const wanted = host.host.role === 'control-plane' ? PORTS : [10250];
	const busy = wanted.filter((port) => facts.listening.includes(port));
	if (busy.length > 0 && !ours) problems.push(`port${busy.length > 1 ? 's' : ''} ${busy.join(', ')} already in use by another program`);
	if (facts.epochSeconds > 0 && Math.abs(facts.epochSeconds - localEpochSeconds) > MAX_SKEW_SECONDS) {
		problems.push(`clock is ${Math.abs(facts.epochSeconds - localEpochSeconds)} s off from this machine's; enable NTP (certificates and tokens depend on time)`);
	}
	return problems;
}

/** Node names must be unique: a host without spec name uses its host name. */
export function duplicateNames(hosts: readonly StepHost[]): Map<string, string[]> {
	const byName = new Map<string, string[]>();
	for (const host of hosts) {
		const name = (host.host.name ?? host.facts?.hostname ?? '').toLowerCase();
		if (name) byName.set(name, [...(byName.get(name) ?? []), host.id]);
	}
	return new Map([...byName].filter(([, ids]) => ids.length > 1));
}

/** Whether sudo needs a password, from what `sudo -n true` said. */
export function sudoNeedsPassword(facts: Pick<Facts, 'sudoStatus' | 'sudoError'>): boolean {
	return facts.sudoStatus !== 0 && /a password is required|a terminal is required/.test(facts.sudoError);
}

/**
 * Why sudo cannot be used by the SSH user, in one sentence, or undefined when it can (a password
 * needed is fine when one is, or will be, given).
 */
export function sudoProblem(facts: Pick<Facts, 'sudoStatus' | 'sudoError'>, user: string, passwordGiven: boolean): string | undefined {
	if (facts.sudoStatus === 0) return undefined;
	const said = facts.sudoError;
	if (sudoNeedsPassword(facts)) return passwordGiven ? undefined : `sudo needs a password (add NOPASSWD for ${user} or use --ask-sudo-password)`;
	if (/not in the sudoers|not allowed to execute|may not run sudo/.test(said)) return `user ${user} may not use sudo on this host`;
	if (facts.sudoStatus === 127) return 'sudo is not installed';
	return `sudo -n true failed${said === '' ? ` (exit ${facts.sudoStatus})` : `: ${said}`}`;
}
