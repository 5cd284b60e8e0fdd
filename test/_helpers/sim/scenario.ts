// What a simulated host looks like: the scenario a test asks for, written as the small files the
// simulated node programs (test/_helpers/sim/bin, pkg) read. See test/_helpers/sim/README.md.

import { chmod, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { arch } from 'node:os';
import { join } from 'node:path';

export interface Fault {
	/** sh glob over "program arg1 arg2 …", e.g. 'kubeadm join*' or 'apt-get install*kubelet*'. */
	match: string;
	/** Exit code; default 1. null: only delay/print, then the program behaves normally. */
	exitCode?: number | null;
	stdout?: string;
	stderr?: string;
	/** Fail only the first n matching calls (then behave normally); default every call. */
	times?: number;
	/** Sleep first (seconds, may be fractional): a hanging command for timeout tests. */
	delaySeconds?: number;
}

export interface HostScenario {
	/**
	 * The host's distribution family. 'apt' (default): the machine's own Debian with apt-get, apt-mark,
	 * apt-cache and dpkg. 'dnf': an RPM host (Rocky Linux 9 unless osRelease says otherwise): dnf, yum and rpm
	 * only — the apt and dpkg programs (the simulated ones and the machine's) and /etc/apt are invisible in the
	 * host — with /etc/yum.repos.d, /etc/pki/rpm-gpg and /etc/selinux/config, and SELinux Enforcing unless
	 * `selinux` says otherwise, as a fresh RHEL-family host has them.
	 */
	packageManager?: 'apt' | 'dnf';
	/** Content of /etc/os-release; default: the machine's own (Debian 12 here), Rocky 9 for packageManager 'dnf'. See OS_RELEASE. */
	osRelease?: string;
	/** `uname -r` and /proc/sys/kernel/osrelease; default 6.8.0-60-generic. */
	kernel?: string;
	/** `uname -m`; default this machine's. */
	arch?: 'x86_64' | 'aarch64';
	/** Swap active at start (swapon --show, /proc/swaps); default false. */
	swap?: boolean;
	/** net.ipv4.ip_forward at start; default false, like a fresh host. */
	ipForward?: boolean;
	faults?: readonly Fault[];
	/** Files present before the test (absolute paths under /etc, /var, /opt, /usr, /root, /home). */
	files?: Readonly<Record<string, string | { content: string; mode?: number }>>;
	/** Packages already installed: name → version (e.g. { kubeadm: '1.35.0-1.1' }). */
	packages?: Readonly<Record<string, string>>;
	/** Ports something else listens on (ss output). */
	busyPorts?: readonly (number | { port: number; process: string })[];
	/** Modules modprobe cannot find. */
	missingModules?: readonly string[];
	/** firewalld installed and active at start (a RHEL-family server install; cloud images leave it off). */
	firewalld?: boolean;
	/** Adds getenforce/setenforce with this state (RHEL-like hosts). */
	selinux?: 'Enforcing' | 'Permissive' | 'Disabled';
	/** Adds a date whose `+%s` is off by this many seconds. */
	clockSkewSeconds?: number;
	/** Newest patch pkgs.k8s.io publishes per minor (apt-cache madison, dnf --showduplicates, installs); default lib.sh's table. */
	repoPatches?: Readonly<Record<string, number>>;
	/**
	 * Fingerprint of the signing key pkgs.k8s.io serves to this host (curl), as gpg reports it; default the
	 * real key's (DE15B14486CD377B9E876E1A234654DA9A296436). Another value plays a substituted key.
	 */
	signingKeyFingerprint?: string;
	/** The host's own network links besides lo and eth0 (e.g. a bridge it had before Kubernetes). */
	links?: readonly string[];
	/** The host's own iptables (IPv4) chains and rules per table, e.g. { filter: { chains: ['HOST-FW'], rules: ['-A INPUT -j HOST-FW'] } }. */
	iptables?: Readonly<Record<string, { chains?: readonly string[]; rules?: readonly string[] }>>;
	/** The host's own native nftables tables, "family name" (e.g. 'inet hostfw'). */
	nftTables?: readonly string[];
	/** Files the host has under its bpffs (/sys/fs/bpf), relative paths, e.g. 'hostfw/map'. */
	bpfPins?: readonly string[];
}

export const OS_RELEASE = {
	ubuntu2404: [
		'PRETTY_NAME="Ubuntu 24.04.2 LTS"', 'NAME="Ubuntu"', 'VERSION_ID="24.04"', 'VERSION="24.04.2 LTS (Noble Numbat)"',
		'VERSION_CODENAME=noble', 'ID=ubuntu', 'ID_LIKE=debian', 'UBUNTU_CODENAME=noble', '',
	].join('\n'),
	ubuntu2204: [
		'PRETTY_NAME="Ubuntu 22.04.5 LTS"', 'NAME="Ubuntu"', 'VERSION_ID="22.04"', 'VERSION="22.04.5 LTS (Jammy Jellyfish)"',
		'VERSION_CODENAME=jammy', 'ID=ubuntu', 'ID_LIKE=debian', 'UBUNTU_CODENAME=jammy', '',
	].join('\n'),
	debian12: [
		'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"', 'NAME="Debian GNU/Linux"', 'VERSION_ID="12"',
		'VERSION="12 (bookworm)"', 'VERSION_CODENAME=bookworm', 'ID=debian', '',
	].join('\n'),
	rocky9: [
		'NAME="Rocky Linux"', 'VERSION="9.5 (Blue Onyx)"', 'ID="rocky"', 'ID_LIKE="rhel centos fedora"', 'VERSION_ID="9.5"',
		'PLATFORM_ID="platform:el9"', 'PRETTY_NAME="Rocky Linux 9.5 (Blue Onyx)"', '',
	].join('\n'),
	centos7: [
		'NAME="CentOS Linux"', 'VERSION="7 (Core)"', 'ID="centos"', 'ID_LIKE="rhel fedora"', 'VERSION_ID="7"',
		'PRETTY_NAME="CentOS Linux 7 (Core)"', '',
	].join('\n'),
} as const;

/** The simulated programs only a Debian-family host has (removed from an RPM host's bin). */
export const APT_PROGRAMS = ['apt-get', 'apt-mark', 'apt-cache', 'dpkg', 'dpkg-query'] as const;

/** An RPM host's defaults for what its scenario leaves open (os-release, SELinux and its config file). */
export function withFlavour(scenario: HostScenario): HostScenario {
	if (scenario.packageManager !== 'dnf') return scenario;
	const selinux = scenario.selinux ?? 'Enforcing';
	return {
		...scenario,
		osRelease: scenario.osRelease ?? OS_RELEASE.rocky9,
		selinux,
		files: {
			// As a fresh Rocky 9 ships it (selinux-policy); kubestrap's install edits the SELINUX= line.
			'/etc/selinux/config': `# This file controls the state of SELinux on the system.\nSELINUX=${selinux.toLowerCase()}\nSELINUXTYPE=targeted\n`,
			...scenario.files,
		},
	};
}

/** Binaries a package puts on PATH and the unit it ships; mirrors sim_pkg_bins/sim_pkg_unit in lib.sh. */
export function packageBinaries(name: string): string[] {
	switch (name) {
		case 'kubeadm':
		case 'kubelet':
		case 'kubectl':
			return [name];
		case 'cri-tools':
			return ['crictl'];
		case 'containerd':
		case 'containerd.io':
			return ['containerd', 'ctr'];
		default:
			return [];
	}
}

function packageUnit(name: string): string | undefined {
	return name === 'kubelet' ? 'kubelet' : name === 'containerd' || name === 'containerd.io' ? 'containerd' : undefined;
}

const SWAPS_HEADER = 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n';
const SWAPS_ON = `${SWAPS_HEADER}/swap.img                               file\t\t2097148\t\t0\t\t-2\n`;

export function machineArch(): 'x86_64' | 'aarch64' {
	return arch() === 'arm64' ? 'aarch64' : 'x86_64';
}

/** (Re)writes the fault table; usable while the host runs (the simulators read it on every call). */
export async function writeFaults(simDir: string, faults: readonly Fault[]): Promise<void> {
	const scenarioDir = join(simDir, 'scenario');
	const details = join(scenarioDir, 'faults.d');
	await rm(details, { recursive: true, force: true });
	await mkdir(details, { recursive: true, mode: 0o755 });
	const lines = await Promise.all(faults.map(async (fault, index) => {
		if (/[\t\n]/.test(fault.match)) {
			throw new Error(`fault pattern must not contain tabs or newlines: ${JSON.stringify(fault.match)}`);
		}
		const id = `f${index}`;
		if (fault.stdout !== undefined) {
			await writeFile(join(details, `${id}.stdout`), fault.stdout);
		}
		if (fault.stderr !== undefined) {
			await writeFile(join(details, `${id}.stderr`), fault.stderr.endsWith('\n') ? fault.stderr : `${fault.stderr}\n`);
		}
		const code = fault.exitCode === null ? '-' : String(fault.exitCode ?? 1);
		return `${id}\t${fault.times ?? 0}\t${code}\t${fault.delaySeconds ?? 0}\t${fault.match}\n`;
	}));
	await writeFile(join(scenarioDir, 'faults'), lines.join(''));
	// Counters of "times" faults start over with a new table.
	await rm(join(simDir, 'state', 'faults'), { recursive: true, force: true });
	await mkdir(join(simDir, 'state', 'faults'), { recursive: true });
	await chmod(join(simDir, 'state', 'faults'), 0o777);
}

/** Writes scenario/ and the initial state/ of one host's simulator dir (bin/ and pkg/ already copied). */
export async function writeScenario(simDir: string, scenario: HostScenario, address: string): Promise<void> {
	const scenarioDir = join(simDir, 'scenario');
	const state = join(simDir, 'state');
	await mkdir(scenarioDir, { recursive: true, mode: 0o755 });
	const kernel = scenario.kernel ?? '6.8.0-60-generic';
	await writeFile(join(scenarioDir, 'kernel'), `${kernel}\n`);
	await writeFile(join(scenarioDir, 'osrelease'), `${kernel}\n`);
	await writeFile(join(scenarioDir, 'arch'), `${scenario.arch ?? machineArch()}\n`);
	await writeFile(join(scenarioDir, 'address'), `${address}\n`);
	await writeFile(join(scenarioDir, 'missing-modules'), (scenario.missingModules ?? []).map((name) => `${name}\n`).join(''));
	await writeFile(join(scenarioDir, 'busy-ports'), (scenario.busyPorts ?? [])
		.map((busy) => (typeof busy === 'number' ? `${busy}\tother\n` : `${busy.port}\t${busy.process}\n`)).join(''));
	await writeFile(join(scenarioDir, 'signing-key-fpr'), `${scenario.signingKeyFingerprint ?? 'DE15B14486CD377B9E876E1A234654DA9A296436'}\n`);
	await writeFile(join(scenarioDir, 'clock-skew'), `${scenario.clockSkewSeconds ?? 0}\n`);
	await writeFile(join(scenarioDir, 'package-manager'), `${scenario.packageManager ?? 'apt'}\n`);
	if (scenario.packageManager === 'dnf') {
		for (const program of APT_PROGRAMS) await rm(join(simDir, 'bin', program), { force: true });
	}
	await writeFile(join(scenarioDir, 'repo-patches'), Object.entries(scenario.repoPatches ?? {}).map(([minor, patch]) => `${minor} ${patch}\n`).join(''));

	for (const dir of ['packages', 'held', 'services', 'units', 'modules', 'sysctl', 'faults']) {
		await mkdir(join(state, dir), { recursive: true });
		await chmod(join(state, dir), 0o777);
	}
	await chmod(state, 0o777);
	await writeFile(join(state, 'calls.jsonl'), '');
	await chmod(join(state, 'calls.jsonl'), 0o666);
	await writeFile(join(state, 'dnf-seen'), '');
	await chmod(join(state, 'dnf-seen'), 0o666);
	await writeFile(join(state, 'swap'), scenario.swap === true ? 'on\n' : 'off\n');
	await writeFile(join(state, 'proc-swaps'), scenario.swap === true ? SWAPS_ON : SWAPS_HEADER);
	await writeFile(join(state, 'sysctl', 'net.ipv4.ip_forward'), scenario.ipForward === true ? '1\n' : '0\n');
	if (scenario.firewalld === true) {
		await writeFile(join(state, 'units', 'firewalld'), '');
		await writeFile(join(state, 'services', 'firewalld.active'), '');
		await writeFile(join(state, 'services', 'firewalld.enabled'), '');
	}
	await writeFile(join(state, 'selinux'), `${scenario.selinux ?? 'Disabled'}\n`);
	await writeFaults(simDir, scenario.faults ?? []);
	await writeNetwork(simDir, scenario);

	for (const [name, version] of Object.entries(scenario.packages ?? {})) {
		await writeFile(join(state, 'packages', name), `${version}\n`);
		for (const binary of packageBinaries(name)) {
			await symlink(`../pkg/${binary}`, join(simDir, 'bin', binary));
		}
		const unit = packageUnit(name);
		if (unit !== undefined) {
			await writeFile(join(state, 'units', unit), '');
		}
	}
	if (scenario.selinux !== undefined) {
		await symlink('../pkg/getenforce', join(simDir, 'bin', 'getenforce'));
		await symlink('../pkg/setenforce', join(simDir, 'bin', 'setenforce'));
	}
	if (scenario.clockSkewSeconds !== undefined) {
		await symlink('../pkg/date', join(simDir, 'bin', 'date'));
	}
}

const BUILTIN_CHAINS: Record<string, string[]> = {
	filter: ['INPUT', 'FORWARD', 'OUTPUT'],
	nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
	mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
	raw: ['PREROUTING', 'OUTPUT'],
};

/** The host's network before Kubernetes: lo, eth0 and what the scenario adds (see lib.sh, "the host's network state"). */
async function writeNetwork(simDir: string, scenario: HostScenario): Promise<void> {
	const net = join(simDir, 'state', 'net');
	await mkdir(net, { recursive: true });
	await writeFile(join(net, 'links'), ['lo loopback', 'eth0 ether', ...(scenario.links ?? []).map((name) => `${name} ether`), ''].join('\n'));
	const tables = { filter: {}, ...(scenario.iptables ?? {}) } as Record<string, { chains?: readonly string[]; rules?: readonly string[] }>;
	for (const [table, content] of Object.entries(tables)) {
		const dir = join(net, 'ipt4', table);
		await mkdir(dir, { recursive: true });
		const chains = [...(BUILTIN_CHAINS[table] ?? []).map((chain) => `${chain} ACCEPT`), ...(content.chains ?? []).map((chain) => `${chain} -`)];
		await writeFile(join(dir, 'chains'), `${chains.join('\n')}\n`);
		await writeFile(join(dir, 'rules'), (content.rules ?? []).map((rule) => `${rule}\n`).join(''));
	}
	await writeFile(join(net, 'nft'), (scenario.nftTables ?? []).map((table) => `${table}\n`).join(''));
	for (const pin of scenario.bpfPins ?? []) {
		const path = join(simDir, 'bpf', pin);
		await mkdir(join(path, '..'), { recursive: true });
		await writeFile(path, '');
	}
}

/** A container that cannot pull its image: ErrImagePull, then ImagePullBackOff with growing back-off. */
export interface ImagePullFault {
	/** Workload name (`cilium`) or `namespace/name`. */
	workload: string;
	/** Default: the pod's first container (its first init container when it has any). */
	container?: string;
	/** The pull error; default containerd's "not found" for the manifest's image. */
	message?: string;
}

/** A container that exits soon after each start: CrashLoopBackOff, restartCount growing, lastState terminated. */
export interface CrashLoopFault {
	workload: string;
	/** Default: the pod's first (non-init) container. */
	container?: string;
	/** Default 1 (137 is reported as OOMKilled). */
	exitCode?: number;
	/** What `kubectl logs` prints for the container (with or without --previous). */
	logs?: readonly string[];
}

export interface NodeNotReadyFault {
	node: string;
	/** Ready=False with this message (reason KubeletNotReady); default: Ready=Unknown, "Kubelet stopped posting node status.". */
	message?: string;
}

/** Traffic between two nodes that is dropped: a port of a protocol, IP protocol 4 (ipip), or everything. */
export interface BlockedTraffic {
	/** two node names: traffic between them (both directions) is dropped */
	nodes: readonly [string, string];
	protocol: 'udp' | 'tcp' | 'ipip' | 'all';
	/** default: every port of the protocol */
	port?: number;
}

/** Faults of the pod network model (sim/node/network.mjs), played by the client pods of `kubestrap check`. */
export interface NetworkScenario {
	blocked?: readonly BlockedTraffic[];
	/** CoreDNS does not answer (lookups time out) */
	dnsDown?: boolean;
	/** ClusterIPs and NodePorts are not served (kube-proxy or its replacement down) */
	servicesDown?: boolean;
}

/**
 * What the simulated cluster plays (harness-wide; see sim/README.md "Cluster scenarios"). Every field is
 * timed from when it was first set (kept across later calls that leave it unchanged).
 */
export interface ClusterScenario {
	/** Runs every pod timeline this many times faster; default 1 (all Ready about 4.5 s after the apply). */
	speed?: number;
	imagePullBackOff?: string | ImagePullFault | readonly (string | ImagePullFault)[];
	crashLoop?: CrashLoopFault | readonly CrashLoopFault[];
	nodeNotReady?: NodeNotReadyFault | readonly NodeNotReadyFault[];
	/** A Deployment `default/pause` of this many pause pods (scheduled on Ready nodes without taints). */
	extraPods?: number;
	/** true: the API server is down (kubectl on the hosts is refused, the HTTPS endpoint closed); 'local': only
	 * the HTTPS endpoint the test machine reaches is closed (kubectl on the hosts still works). */
	apiUnreachable?: boolean | 'local';
	/** Watches (`kubectl get --raw …?watch=1`): how far back a resourceVersion may be (default 300 s; older → 410). */
	watchHistorySeconds?: number;
	/** Seconds between BOOKMARK events of watches that allow them (default 60). */
	watchBookmarkSeconds?: number;
	/** Every watch stream breaks after this many seconds (kubectl exits 1, `error: unexpected EOF`). */
	watchDropSeconds?: number;
	/** Pod network faults between nodes, and DNS or services down (README "Pod networking"). */
	network?: NetworkScenario;
	/** `kubectl drain` waits this fraction of real time: its 5 s eviction retries and its --timeout (printed
	 * unscaled, e.g. `global timeout reached: 5m0s`); 0.01 turns a 5m timeout into 3 s. Default 1. */
	drainTimeScale?: number;
}

type StoredScenario = ClusterScenario & { since: Record<string, number> };

async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
	const temporary = `${file}.${process.pid}.tmp`;
	await writeFile(temporary, `${JSON.stringify(value)}\n`, { mode: 0o644 });
	await rename(temporary, file);
}

/** Writes cluster/scenario.json, keeping the start time of every field whose value did not change. */
export async function writeClusterScenario(clusterDir: string, scenario: ClusterScenario, now = Date.now()): Promise<void> {
	const file = join(clusterDir, 'scenario.json');
	const previous = await readFile(file, 'utf8').then((text) => JSON.parse(text) as Record<string, unknown> & StoredScenario).catch(() => undefined);
	const since: Record<string, number> = {};
	for (const [key, value] of Object.entries(scenario)) {
		if (value === undefined) continue;
		const same = previous !== undefined && JSON.stringify(previous[key]) === JSON.stringify(value);
		since[key] = same ? previous.since[key] ?? now : now;
	}
	await writeJsonAtomic(file, { ...scenario, since });
}

/** Appends a readiness flip of one pod at `now` to cluster/flips.json; returns the flip time. */
export async function appendFlip(clusterDir: string, pod: string, now = Date.now()): Promise<number> {
	const file = join(clusterDir, 'flips.json');
	const flips: { pod: string; at: number }[] = await readFile(file, 'utf8').then((text) => JSON.parse(text) as { pod: string; at: number }[]).catch(() => []);
	flips.push({ pod, at: now });
	await writeJsonAtomic(file, flips);
	return now;
}
