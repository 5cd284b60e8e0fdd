// Test hosts for kubestrap: one real OpenSSH sshd per host, each on its own loopback address, each in its own
// PID, mount and UTS namespace so hosts never see each other's files and the machine's own system paths are
// never written:
// - /etc, /var, /opt, /usr, /root and /home are overlays whose writes land in the host's dir (upper/);
//   the login user, its sudoers rule, /etc/hosts and /etc/os-release exist only inside the host;
// - /tmp and /run are private; /proc/swaps and /proc/sys/kernel/osrelease answer from the scenario;
// - simulated node programs (test/_helpers/sim) are first on PATH and in sudo's secure_path.
// sshd is PID 1 of the host's PID namespace and is spawned under `setpriv --pdeathsig KILL`: stopping a host,
// or the test process dying, kills every process of that host. Needs root, util-linux, openssh-server, sudo.

import { spawn, type ChildProcess } from 'node:child_process';
import { $ } from 'zx';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { createWriteStream, existsSync, readdirSync } from 'node:fs';
import { chmod, chown, copyFile, cp, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { readClusterObjects, readClusterPatches, runSimKubectl, seedObject, type ClusterObject, type ClusterPatch, type SimKubectlResult } from './sim/cluster.js';
import { leaseAddress, portFree, type Lease } from './sim/leases.js';
import { listProcesses, scanCmdlines, watchCmdlines, type CanaryHit, type CmdlineWatch, type ProcessInfo } from './sim/processes.js';
import { appendFlip, packageBinaries, withFlavour, writeClusterScenario, writeFaults, writeScenario, type ClusterScenario, type Fault, type HostScenario } from './sim/scenario.js';

export { OS_RELEASE, type ClusterScenario, type CrashLoopFault, type Fault, type HostScenario, type ImagePullFault, type NodeNotReadyFault } from './sim/scenario.js';
export type { ClusterObject, ClusterPatch, SimKubectlResult } from './sim/cluster.js';
export type { CanaryHit, CmdlineWatch, ProcessInfo } from './sim/processes.js';

/** Runs a program through zx (its arguments quoted for zx's shell), quietly; rejects on a non-zero exit. */
async function run(command: string, args: readonly string[]): Promise<{ stdout: string }> {
	const output = await $({ quiet: true })`${command} ${args}`;
	return { stdout: output.stdout };
}

export const TEST_USER = 'kubestrap-test';
const SIM_MOUNT = '/opt/kubestrap-sim';
const OVERLAID = ['etc', 'var', 'opt', 'usr', 'root', 'home'] as const;
const SIM_PATH = `${SIM_MOUNT}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
const READY_TIMEOUT_MS = 10_000;

export interface StartHostsOptions {
	/** Hostnames (also the UTS hostname inside each host); default node1…nodeN. */
	names?: readonly string[];
	scenario?: HostScenario | ((index: number) => HostScenario);
	/** nopasswd (default), password (needs sudoPassword), or none (not in sudoers). */
	sudo?: 'nopasswd' | 'password' | 'none';
	sudoPassword?: string;
	/** Default 22 when free on loopback, else 2222. */
	port?: number;
	/** Lease one more loopback address (no sshd on it) to use as a controlPlaneEndpoint IP: the simulated API
	 * server of the host that runs `kubeadm init` listens there too, like a load balancer in front of it. */
	endpointAddress?: boolean;
}

export interface TestHost {
	index: number;
	name: string;
	address: string;
	port: number;
	hostKeyType: string;
	hostKeyBase64: string;
	hostKeyFingerprint: string;
	/** `address key` or `[address]:port key`, as ssh writes it. */
	knownHostsLine: string;
	/** The host's state dir on the test machine. */
	root: string;
}

export interface SimCall {
	t: number;
	prog: string;
	argv: string[];
	uid: number;
	/** Whether stdin carried data, for programs that read stdin (gpg, kubectl -f -, sysctl -p -); else false. */
	stdin: boolean;
}

export interface TestHosts {
	hosts: TestHost[];
	/** All hosts' keys, 0600. */
	knownHostsFile: string;
	identityFile: string;
	user: string;
	sudoPassword: string | undefined;
	runDir: string;
	/** The simulated cluster's state, shared by all hosts (mounted at /opt/kubestrap-sim/cluster inside them). */
	clusterDir: string;
	/** The extra address leased with `endpointAddress: true`. */
	endpointAddress: string | undefined;
	readCalls(index: number): Promise<SimCall[]>;
	/** Where a path of the host lives on the test machine (only files the host created or changed are there). */
	hostPath(index: number, absolutePath: string): string;
	readHostFile(index: number, absolutePath: string): Promise<string | undefined>;
	setFaults(index: number, faults: readonly Fault[]): Promise<void>;
	/** Kills the host's sshd and every process of the host. */
	stopHost(index: number): Promise<void>;
	startHost(index: number): Promise<void>;
	restartHost(index: number): Promise<void>;
	/** New host key (a "changed key" / MITM scenario); the host restarts with it. Returns the updated host. */
	replaceHostKey(index: number): Promise<TestHost>;
	processes(index?: number): Promise<ProcessInfo[]>;
	scanCmdlines(canaries: readonly string[]): Promise<CanaryHit[]>;
	watchCmdlines(canaries: () => readonly string[], intervalMs?: number): CmdlineWatch;
	/** Sets what the simulated cluster plays (replaces the previous scenario; unchanged fields keep their start time). */
	setClusterScenario(scenario: ClusterScenario): Promise<void>;
	/** Flips one pod's readiness now (Ready → not Ready, a second flip back); returns the flip time (ms). */
	flipPod(name: string): Promise<number>;
	/** Objects stored by kubectl apply/create/patch and seedClusterObject, with generation and resourceVersion. */
	clusterObjects(): Promise<ClusterObject[]>;
	/** Every `kubectl patch`, in order. */
	clusterPatches(): Promise<ClusterPatch[]>;
	/** Stores an object as if another client had created it (e.g. the aws-node DaemonSet of an EKS-like host). */
	seedClusterObject(object: Record<string, unknown>): Promise<ClusterObject>;
	/** The simulated kubectl run on the test machine (no SSH, nothing recorded) as root on host `index`
	 * with its admin.conf: the cluster's ground truth at this moment. */
	simKubectl(args: readonly string[], index?: number): Promise<SimKubectlResult>;
	stop(): Promise<void>;
}

interface HostRuntime {
	host: TestHost;
	lease: Lease;
	child: ChildProcess | undefined;
	exited: Promise<void> | undefined;
	mountNamespace: string | undefined;
}

export function simSourceDir(): string {
	const candidates = [
		fileURLToPath(new URL('../../../test/_helpers/sim/', import.meta.url)),
		fileURLToPath(new URL('./sim/', import.meta.url)),
	];
	const found = candidates.find((dir) => existsSync(join(dir, 'lib.sh')));
	if (found === undefined) {
		throw new Error(`simulated node programs not found (looked in ${candidates.join(', ')})`);
	}
	return found;
}

async function ensurePrerequisites(): Promise<void> {
	if (process.getuid?.() !== 0) {
		throw new Error('the sshd test hosts need root (mount namespaces, overlays, sshd)');
	}
	for (const program of ['/usr/sbin/sshd', '/usr/bin/sudo', '/usr/bin/ssh-keygen', '/usr/bin/unshare', '/usr/bin/setpriv']) {
		if (!existsSync(program)) {
			throw new Error(`${program} is missing: apt-get install -y openssh-server sudo util-linux`);
		}
	}
}

async function keygen(file: string, comment: string): Promise<{ type: string; base64: string; fingerprint: string }> {
	await rm(file, { force: true });
	await rm(`${file}.pub`, { force: true });
	await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
	const [type = '', base64 = ''] = (await readFile(`${file}.pub`, 'utf8')).trim().split(/\s+/);
	const digest = createHash('sha256').update(Buffer.from(base64, 'base64')).digest('base64').replace(/=+$/, '');
	return { type, base64, fingerprint: `SHA256:${digest}` };
}

interface UserEntry {
	uid: number;
	gid: number;
	passwd: string;
	group: string;
	shadow: string;
}

/** The machine's passwd/group/shadow plus the test user, for the hosts' private /etc only. */
async function userFiles(sudo: StartHostsOptions['sudo'], password: string | undefined): Promise<UserEntry> {
	const [passwd, group, shadow] = await Promise.all([
		readFile('/etc/passwd', 'utf8'),
		readFile('/etc/group', 'utf8'),
		readFile('/etc/shadow', 'utf8'),
	]);
	const field = (text: string, index: number): Set<number> =>
		new Set(text.split('\n').map((line) => Number(line.split(':')[index])).filter(Number.isInteger));
	const existing = passwd.split('\n').find((line) => line.startsWith(`${TEST_USER}:`));
	let uid: number;
	let gid: number;
	let extraPasswd = '';
	let extraGroup = '';
	if (existing === undefined) {
		const uids = field(passwd, 2);
		const gids = field(group, 2);
		uid = 42420;
		while (uids.has(uid) || gids.has(uid)) {
			uid++;
		}
		gid = uid;
		extraPasswd = `${TEST_USER}:x:${uid}:${gid}:kubestrap test user:/home/${TEST_USER}:/bin/bash\n`;
		extraGroup = `${TEST_USER}:x:${gid}:\n`;
	} else {
		const parts = existing.split(':');
		uid = Number(parts[2]);
		gid = Number(parts[3]);
	}
	// '*' (no password, not locked): sshd with UsePAM no refuses accounts locked with '!'.
	const hash = sudo === 'password' && password !== undefined
		? (await runWithInput('openssl', ['passwd', '-6', '-stdin'], `${password}\n`)).trim()
		: '*';
	const shadowLines = shadow.split('\n').filter((line) => line !== '' && !line.startsWith(`${TEST_USER}:`));
	shadowLines.push(`${TEST_USER}:${hash}:19000:0:99999:7:::`);
	return {
		uid,
		gid,
		passwd: ensureNewline(passwd) + extraPasswd,
		group: ensureNewline(group) + extraGroup,
		shadow: `${shadowLines.join('\n')}\n`,
	};
}

function ensureNewline(text: string): string {
	return text.endsWith('\n') || text === '' ? text : `${text}\n`;
}

async function runWithInput(command: string, args: readonly string[], input: string): Promise<string> {
	return (await $({ quiet: true, input })`${command} ${args}`).stdout;
}

function sudoersFile(sudo: StartHostsOptions['sudo']): string | undefined {
	if (sudo === 'none') {
		return undefined;
	}
	return [
		'# kubestrap test hosts only (lives in the host\'s private /etc)',
		`Defaults:${TEST_USER} secure_path="${SIM_PATH}"`,
		`Defaults:${TEST_USER} lecture=never`,
		sudo === 'password' ? `${TEST_USER} ALL=(ALL:ALL) ALL` : `${TEST_USER} ALL=(ALL:ALL) NOPASSWD: ALL`,
		'',
	].join('\n');
}

function sshdConfig(address: string, port: number): string {
	return [
		`ListenAddress ${address}`,
		`Port ${port}`,
		`HostKey ${SIM_MOUNT}/sshd/host_ed25519`,
		'PidFile none',
		`AuthorizedKeysFile ${SIM_MOUNT}/sshd/authorized_keys`,
		`AllowUsers ${TEST_USER}`,
		'PubkeyAuthentication yes',
		'PasswordAuthentication no',
		'KbdInteractiveAuthentication no',
		'UsePAM no',
		// The host dirs live under /tmp (mode 1777), which StrictModes would reject.
		'StrictModes no',
		// Many parallel connects in tests; MaxSessions stays at the default 10, like real hosts.
		'MaxStartups 200',
		'UseDNS no',
		'PrintMotd no',
		'X11Forwarding no',
		'AllowTcpForwarding yes',
		`SetEnv PATH=${SIM_PATH}`,
		'LogLevel VERBOSE',
		'Subsystem sftp internal-sftp',
		'',
	].join('\n');
}

/** Machine binaries that a simulated package provides are hidden (overlay whiteouts) until "installed". */
function hiddenBinaries(): string[] {
	const names = new Set(['kubeadm', 'kubelet', 'kubectl', 'cri-tools', 'containerd'].flatMap(packageBinaries));
	names.add('getenforce');
	names.add('setenforce');
	// The host's network programs are simulated on its own state: the machine's are never reachable from a host.
	for (const name of ['ip', 'iptables', 'iptables-save', 'iptables-restore', 'ip6tables', 'ip6tables-save', 'ip6tables-restore',
		'iptables-legacy', 'iptables-nft', 'ip6tables-legacy', 'ip6tables-nft', 'xtables-nft-multi', 'xtables-legacy-multi', 'nft', 'ipvsadm', 'tc', 'bpftool']) {
		names.add(name);
	}
	const found: string[] = [];
	for (const dir of ['bin', 'sbin', 'local/bin', 'local/sbin']) {
		for (const name of names) {
			if (existsSync(`/usr/${dir}/${name}`)) {
				found.push(`${dir}/${name}`);
			}
		}
	}
	return found;
}

/**
 * What an RPM host (packageManager 'dnf') must not show of the machine's Debian: apt's and dpkg's programs
 * (so `command -v apt-get` fails in the host, for the login user and under sudo alike) and their /etc dirs.
 * Overlay whiteouts, relative to the host's upper dir.
 */
function debianWhiteouts(): string[] {
	const found: string[] = [];
	for (const dir of ['bin', 'sbin', 'local/bin', 'local/sbin']) {
		const path = `/usr/${dir}`;
		if (!existsSync(path)) continue;
		for (const name of readdirSync(path)) {
			if (/^(apt|dpkg)($|-)/.test(name)) found.push(`usr/${dir}/${name}`);
		}
	}
	for (const dir of ['etc/apt', 'etc/dpkg']) {
		if (existsSync(`/${dir}`)) found.push(dir);
	}
	return found;
}

function setupScript(root: string, name: string, clusterDir: string): string {
	return [
		'set -e',
		`hostname ${name}`,
		...OVERLAID.map((dir) => `mount -t overlay overlay -o lowerdir=/${dir},upperdir=${root}/upper/${dir},workdir=${root}/work/${dir} /${dir}`),
		'mount -t tmpfs -o mode=755 tmpfs /run',
		'mkdir -m 755 /run/sshd',
		`mount --bind ${root}/sim ${SIM_MOUNT}`,
		`mount --bind ${clusterDir} ${SIM_MOUNT}/cluster`,
		`mount --bind ${SIM_MOUNT}/state/proc-swaps /proc/swaps`,
		`mount --bind ${SIM_MOUNT}/scenario/osrelease /proc/sys/kernel/osrelease`,
		`mount --bind ${root}/tmp /tmp`,
		// The host's own bpffs stand-in: Cilium's pins land there, never in the machine's /sys/fs/bpf.
		`mount --bind ${SIM_MOUNT}/bpf /sys/fs/bpf`,
		// A joined host's kubelet starts at boot and posts its node status again.
		`if [ -s ${SIM_MOUNT}/state/node-name ] && [ -f ${SIM_MOUNT}/state/services/kubelet.active ]; then f=${SIM_MOUNT}/cluster/node-info/$(cat ${SIM_MOUNT}/state/node-name).json; [ -f "$f" ] && sed -i 's/,"stoppedAt":[0-9]*//' "$f"; fi`,
		// After a restart the kubelet would start the kube-apiserver static pod again: so does the simulation.
		`if [ -s ${SIM_MOUNT}/state/apiserver.listen ]; then sh -c '. ${SIM_MOUNT}/lib.sh && sim_start_apiserver'; fi`,
		`exec /usr/sbin/sshd -D -e -f ${SIM_MOUNT}/sshd/sshd_config`,
		'',
	].join('\n');
}

export async function startHosts(count: number, options: StartHostsOptions = {}): Promise<TestHosts> {
	await ensurePrerequisites();
	if (options.sudo === 'password' && options.sudoPassword === undefined) {
		throw new Error('sudo: "password" needs sudoPassword');
	}
	const runDir = await mkdtemp(join(tmpdir(), 'kubestrap-hosts-'));
	const clusterDir = join(runDir, 'cluster');
	await mkdir(clusterDir);
	await chmod(clusterDir, 0o777);
	const port = options.port ?? ((await portFree('127.76.0.1', 22)) ? 22 : 2222);
	const identityFile = join(runDir, 'client_ed25519');
	const clientKey = keygen(identityFile, 'kubestrap-test-client');
	const users = await userFiles(options.sudo, options.sudoPassword);
	const sudoers = sudoersFile(options.sudo);
	const whiteouts = hiddenBinaries();
	const simSource = simSourceDir();
	const runtimes: HostRuntime[] = [];
	const endpointLease = options.endpointAddress === true ? await leaseAddress(6443) : undefined;
	const names = Array.from({ length: count }, (_, index) => options.names?.[index] ?? `node${index + 1}`);

	const stopAll = async (): Promise<void> => {
		await Promise.all(runtimes.map((runtime) => stopRuntime(runtime)));
		await Promise.all(runtimes.map((runtime) => runtime.lease.release()));
		await endpointLease?.release();
		await rm(runDir, { recursive: true, force: true });
	};

	try {
		const leased = new Set<string>();
		for (let index = 0; index < count; index++) {
			const lease = await leaseAddress(port, new Set([...leased, ...(endpointLease ? [endpointLease.address] : [])]));
			leased.add(lease.address);
			const name = names[index] ?? `node${index + 1}`;
			const root = join(runDir, `host${index + 1}`);
			runtimes.push({
				lease,
				child: undefined,
				exited: undefined,
				mountNamespace: undefined,
				host: {
					index,
					name,
					address: lease.address,
					port,
					hostKeyType: '',
					hostKeyBase64: '',
					hostKeyFingerprint: '',
					knownHostsLine: '',
					root,
				},
			});
		}
		const etcHosts = [
			'127.0.0.1\tlocalhost',
			...runtimes.map((runtime) => `${runtime.host.address}\t${runtime.host.name}`),
			'',
		].join('\n');
		const client = await clientKey;
		await Promise.all(runtimes.map(async (runtime, index) => {
			const scenario = typeof options.scenario === 'function' ? options.scenario(index) : options.scenario ?? {};
			await prepareHost(runtime.host, {
				scenario, users, sudoers, whiteouts, simSource, clusterDir, etcHosts,
				authorizedKey: `${client.type} ${client.base64} kubestrap-test-client\n`,
			});
			await refreshHostKey(runtime.host, false);
		}));
		await Promise.all(runtimes.map((runtime) => launch(runtime, clusterDir)));
	} catch (error) {
		await stopAll();
		throw error;
	}

	const knownHostsFile = join(runDir, 'known_hosts');
	const writeKnownHosts = async (): Promise<void> => {
		await writeFile(knownHostsFile, runtimes.map((runtime) => `${runtime.host.knownHostsLine}\n`).join(''), { mode: 0o600 });
	};
	await writeKnownHosts();

	const runtimeAt = (index: number): HostRuntime => {
		const runtime = runtimes[index];
		if (runtime === undefined) {
			throw new Error(`no test host ${index}`);
		}
		return runtime;
	};

	const hostPath = (index: number, absolutePath: string): string => {
		const { root } = runtimeAt(index).host;
		if (absolutePath.startsWith(`${SIM_MOUNT}/`)) {
			return join(root, 'sim', absolutePath.slice(SIM_MOUNT.length + 1));
		}
		const [, top = ''] = absolutePath.split('/');
		if (top === 'tmp') {
			return join(root, 'tmp', absolutePath.slice('/tmp'.length));
		}
		if ((OVERLAID as readonly string[]).includes(top)) {
			return join(root, 'upper', absolutePath);
		}
		throw new Error(`${absolutePath} is not a path the test host keeps separately`);
	};

	return {
		hosts: runtimes.map((runtime) => runtime.host),
		knownHostsFile,
		identityFile,
		user: TEST_USER,
		sudoPassword: options.sudoPassword,
		runDir,
		clusterDir,
		endpointAddress: endpointLease?.address,
		readCalls: async (index) => {
			const text = await readFile(join(runtimeAt(index).host.root, 'sim', 'state', 'calls.jsonl'), 'utf8');
			return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as SimCall);
		},
		hostPath,
		readHostFile: async (index, absolutePath) => {
			try {
				return await readFile(hostPath(index, absolutePath), 'utf8');
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
					return undefined;
				}
				throw error;
			}
		},
		setFaults: (index, faults) => writeFaults(join(runtimeAt(index).host.root, 'sim'), faults),
		stopHost: async (index) => {
			await stopRuntime(runtimeAt(index));
			await kubeletDown(runtimeAt(index).host.root, clusterDir);
		},
		startHost: (index) => launch(runtimeAt(index), clusterDir),
		restartHost: async (index) => {
			await stopRuntime(runtimeAt(index));
			await kubeletDown(runtimeAt(index).host.root, clusterDir);
			await launch(runtimeAt(index), clusterDir);
		},
		replaceHostKey: async (index) => {
			const runtime = runtimeAt(index);
			await stopRuntime(runtime);
			await refreshHostKey(runtime.host, true);
			await launch(runtime, clusterDir);
			return runtime.host;
		},
		processes: async (index) => {
			const all = await listProcesses();
			if (index === undefined) {
				return all;
			}
			const namespace = runtimeAt(index).mountNamespace;
			return namespace === undefined ? [] : all.filter((info) => info.mountNamespace === namespace);
		},
		scanCmdlines,
		watchCmdlines,
		setClusterScenario: (scenario) => writeClusterScenario(clusterDir, scenario),
		flipPod: (name) => appendFlip(clusterDir, name),
		clusterObjects: () => readClusterObjects(clusterDir),
		clusterPatches: () => readClusterPatches(clusterDir),
		seedClusterObject: (object) => seedObject(simSource, clusterDir, object),
		simKubectl: (args, index = 0) => runSimKubectl(simSource, join(runtimeAt(index).host.root, 'sim'), clusterDir,
			['--kubeconfig', hostPath(index, '/etc/kubernetes/admin.conf'), ...args]),
		stop: stopAll,
	};
}

interface PrepareInput {
	scenario: HostScenario;
	users: UserEntry;
	sudoers: string | undefined;
	whiteouts: readonly string[];
	simSource: string;
	clusterDir: string;
	etcHosts: string;
	authorizedKey: string;
}

async function prepareHost(host: TestHost, prepared: PrepareInput): Promise<void> {
	const { root } = host;
	const input = { ...prepared, scenario: withFlavour(prepared.scenario) };
	for (const dir of OVERLAID) {
		await mkdir(join(root, 'upper', dir), { recursive: true });
		await mkdir(join(root, 'work', dir), { recursive: true });
	}
	await mkdir(join(root, 'tmp'), { recursive: true });
	await chmod(join(root, 'tmp'), 0o1777);

	const etc = join(root, 'upper', 'etc');
	await writeFile(join(etc, 'passwd'), input.users.passwd, { mode: 0o644 });
	await writeFile(join(etc, 'group'), input.users.group, { mode: 0o644 });
	await writeFile(join(etc, 'shadow'), input.users.shadow, { mode: 0o640 });
	await writeFile(join(etc, 'hostname'), `${host.name}\n`);
	await writeFile(join(etc, 'hosts'), input.etcHosts);
	if (input.sudoers !== undefined) {
		await mkdir(join(etc, 'sudoers.d'), { recursive: true, mode: 0o755 });
		await writeFile(join(etc, 'sudoers.d', TEST_USER), input.sudoers, { mode: 0o440 });
	}
	if (input.scenario.osRelease !== undefined) {
		// A regular file in the upper layer replaces Debian's os-release symlink inside the host.
		await writeFile(join(etc, 'os-release'), input.scenario.osRelease);
	}
	const home = join(root, 'upper', 'home', TEST_USER);
	await mkdir(home, { recursive: true });
	await chown(home, input.users.uid, input.users.gid);
	// bash reads ~/.bashrc for the commands sshd runs: the hook brings the node's CNI state up to date first (see sim/hook.sh).
	await writeFile(join(home, '.bashrc'), `. ${SIM_MOUNT}/hook.sh\n`, { mode: 0o644 });
	const rpmHost = input.scenario.packageManager === 'dnf';
	for (const whiteout of [...input.whiteouts.map((path) => join('usr', path)), ...(rpmHost ? debianWhiteouts() : [])]) {
		const target = join(root, 'upper', whiteout);
		await mkdir(dirname(target), { recursive: true });
		await rm(target, { recursive: true, force: true });
		await run('mknod', [target, 'c', '0', '0']);
	}
	if (rpmHost) {
		// A RHEL-family host's package configuration dirs (dnf reads the repo files, rpm the keys).
		await mkdir(join(etc, 'yum.repos.d'), { recursive: true, mode: 0o755 });
		await mkdir(join(etc, 'pki', 'rpm-gpg'), { recursive: true, mode: 0o755 });
	}

	const sim = join(root, 'sim');
	await mkdir(join(root, 'upper', 'opt', 'kubestrap-sim'), { recursive: true });
	await cp(join(input.simSource, 'bin'), join(sim, 'bin'), { recursive: true });
	await cp(join(input.simSource, 'pkg'), join(sim, 'pkg'), { recursive: true });
	await cp(join(input.simSource, 'node'), join(sim, 'node'), { recursive: true });
	// The simulated kubectl parses YAML with the project's own yaml package, copied in: the checkout may
	// live under /tmp, which is private inside a host.
	const yamlEntry = createRequire(import.meta.url).resolve('yaml');
	const yamlRoot = yamlEntry.slice(0, yamlEntry.lastIndexOf('/dist/'));
	await cp(join(yamlRoot, 'dist'), join(sim, 'node_modules', 'yaml', 'dist'), { recursive: true });
	await copyFile(join(yamlRoot, 'package.json'), join(sim, 'node_modules', 'yaml', 'package.json'));
	// Relative to the sim root, so the same file works inside a host and for simKubectl on this machine.
	await writeFile(join(sim, 'yaml-module'), `${join('node_modules', 'yaml', yamlEntry.slice(yamlRoot.length))}\n`);
	// The node that runs the tests also runs the simulated kubectl and API server (the hosts see /usr and /root).
	await writeFile(join(sim, 'node-path'), `${process.execPath}\n`);
	await copyFile(join(input.simSource, 'lib.sh'), join(sim, 'lib.sh'));
	await copyFile(join(input.simSource, 'hook.sh'), join(sim, 'hook.sh'));
	await run('chmod', ['-R', 'a+rX,u+w', sim]);
	// The globs are the shell's; the directory is quoted by zx.
	await $({ quiet: true })`chmod 755 ${sim}/bin/* ${sim}/pkg/*`;
	await run('ln', ['-s', 'dnf', join(sim, 'bin', 'yum')]);
	for (const [link, target] of [['ip6tables', 'iptables'], ['ip6tables-save', 'iptables-save'], ['ip6tables-restore', 'iptables-restore']]) {
		await run('ln', ['-s', target as string, join(sim, 'bin', link as string)]);
	}
	await mkdir(join(sim, 'bpf'), { recursive: true, mode: 0o755 });
	await mkdir(join(sim, 'cluster'));
	await mkdir(join(sim, 'sshd'), { recursive: true, mode: 0o755 });
	await writeFile(join(sim, 'sshd', 'sshd_config'), sshdConfig(host.address, host.port));
	await writeFile(join(sim, 'sshd', 'authorized_keys'), input.authorizedKey, { mode: 0o644 });
	await writeFile(join(root, 'setup.sh'), setupScript(root, host.name, input.clusterDir));
	await writeScenario(sim, input.scenario, host.address);

	for (const [path, file] of Object.entries(input.scenario.files ?? {})) {
		const [, top = ''] = path.split('/');
		if (!(OVERLAID as readonly string[]).includes(top)) {
			throw new Error(`scenario file ${path} must be under /${OVERLAID.join(', /')}`);
		}
		const target = join(root, 'upper', path);
		await mkdir(dirname(target), { recursive: true });
		const content = typeof file === 'string' ? file : file.content;
		await writeFile(target, content, { mode: typeof file === 'string' ? 0o644 : file.mode ?? 0o644 });
	}
}

/** A stopped host's kubelet stops posting its node status: the Node turns NotReady as the API server would see it. */
async function kubeletDown(root: string, clusterDir: string): Promise<void> {
	const name = (await readFile(join(root, 'sim', 'state', 'node-name'), 'utf8').catch(() => '')).trim();
	if (name === '') return;
	const file = join(clusterDir, 'node-info', `${name}.json`);
	const info = await readFile(file, 'utf8').catch(() => undefined);
	if (info === undefined) return;
	const parsed = JSON.parse(info) as Record<string, unknown>;
	if (parsed['stoppedAt'] === undefined) await writeFile(file, `${JSON.stringify({ ...parsed, stoppedAt: Date.now() })}\n`);
}

async function refreshHostKey(host: TestHost, replaced: boolean): Promise<void> {
	const key = await keygen(join(host.root, 'sim', 'sshd', 'host_ed25519'), `${host.name}${replaced ? '-replaced' : ''}`);
	host.hostKeyType = key.type;
	host.hostKeyBase64 = key.base64;
	host.hostKeyFingerprint = key.fingerprint;
	const where = host.port === 22 ? host.address : `[${host.address}]:${host.port}`;
	host.knownHostsLine = `${where} ${key.type} ${key.base64}`;
}

async function launch(runtime: HostRuntime, clusterDir: string): Promise<void> {
	if (runtime.child !== undefined) {
		throw new Error(`test host ${runtime.host.name} is already running`);
	}
	const { root } = runtime.host;
	await writeFile(join(root, 'setup.sh'), setupScript(root, runtime.host.name, clusterDir));
	const log = createWriteStream(join(root, 'sshd.log'), { flags: 'a' });
	const child = spawn('setpriv', [
		'--pdeathsig', 'KILL',
		'unshare', '--pid', '--fork', '--kill-child', '--mount-proc', '--mount', '--uts', '--propagation', 'private',
		'sh', join(root, 'setup.sh'),
	], { stdio: ['ignore', 'pipe', 'pipe'] });
	runtime.child = child;
	runtime.exited = new Promise((resolve) => {
		child.once('exit', () => {
			log.end();
			resolve();
		});
	});

	let output = '';
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`sshd of ${runtime.host.name} not ready after ${READY_TIMEOUT_MS} ms:\n${output}`)), READY_TIMEOUT_MS);
		const onData = (chunk: Buffer): void => {
			log.write(chunk);
			output += chunk.toString('utf8');
			if (output.includes('Server listening on')) {
				clearTimeout(timer);
				resolve();
			}
		};
		child.stdout?.on('data', onData);
		child.stderr?.on('data', onData);
		child.once('exit', (code, signal) => {
			clearTimeout(timer);
			reject(new Error(`sshd of ${runtime.host.name} exited (${code ?? signal}) before it was ready:\n${output}`));
		});
	}).catch(async (error: unknown) => {
		await stopRuntime(runtime);
		throw error;
	});

	runtime.mountNamespace = await readlink(`/proc/${child.pid}/ns/mnt`).catch(() => undefined);
	// A forgotten stop() must not keep the test process alive; pdeathsig still ends the host with it.
	child.unref();
	(child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
	(child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
}

async function stopRuntime(runtime: HostRuntime): Promise<void> {
	const { child, exited, mountNamespace } = runtime;
	if (child === undefined) {
		return;
	}
	runtime.child = undefined;
	runtime.exited = undefined;
	// Referenced again so the test process waits for the exit instead of ending mid-stop.
	child.ref();
	if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
		// SIGKILL to the host's PID 1 (sshd) ends the whole PID namespace, and unshare, still alive, reaps it
		// (killing unshare first would leave that zombie to the machine's init). unshare is the fallback.
		const init = await readFile(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').catch(() => '');
		const initPid = Number(init.trim().split(/\s+/)[0]);
		if (Number.isInteger(initPid) && initPid > 0) {
			try {
				process.kill(initPid, 'SIGKILL');
			} catch {
				// Already gone.
			}
		}
		const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
		await exited;
		clearTimeout(timer);
	}
	await exited;
	// The overlays can only be mounted again once the last process of the old namespace is gone.
	if (mountNamespace !== undefined) {
		const deadline = Date.now() + 5_000;
		while (Date.now() < deadline) {
			const left = (await listProcesses()).filter((info) => info.mountNamespace === mountNamespace);
			if (left.length === 0) {
				break;
			}
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
	}
	runtime.mountNamespace = undefined;
}
