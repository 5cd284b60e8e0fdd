// A scripted stand-in for an SSH Remote: it keeps a host's files and services in memory and answers
// the commands the steps send the way a Debian host with the real programs would.
import { parseAllDocuments } from 'yaml';
import type { ExecOptions, ExecResult, StepRemote } from '../../source/steps/types.js';
import { LEASE_FILE, LEASE_SCRIPT } from '../../source/steps/list/lease.js';
import { FakeApi, rawPath } from './_fake-api.js';

export const TEST_CA = `-----BEGIN CERTIFICATE-----
MIIBfzCCASWgAwIBAgIUbQZp8wVmqvhhsF3Lk5IE1c3+TxMwCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKa3ViZXJuZXRlczAeFw0yNjExMjEwNTM3NTdaFw0zNjExMTgw
NTM3NTdaMBUxEzARBgNVBAMMCmt1YmVybmV0ZXMwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAR3WKNHHCaP6JCmQNVcy4UUgl42yahmNUSz/W/Sow1+RSYPBJTSDXyo
irqfM3417ApGxQCguhSgICBhR1icEDgyo1MwUTAdBgNVHQ4EFgQU+EWSs8cNKXpW
MNEvhAs6mIxA288wHwYDVR0jBBgwFoAU+EWSs8cNKXpWMNEvhAs6mIxA288wDwYD
VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEA63TZOjziYniwQ6Tbkl5U
1+ggmdawzjOs69sgv9wE0GICIEngwUL+PHnz7GVRk3Qiyrdg2W3khGJX+rgHjToH
7nAu
-----END CERTIFICATE-----
`;
/** sha256 of TEST_CA's SubjectPublicKeyInfo, from `openssl x509 -pubkey | openssl pkey -pubin -outform der | sha256sum`. */
export const TEST_CA_HASH = 'sha256:344db57f37ebea11f6b1a27bbc4937650ad2f1852b0b4c761452c05dab3123cf';
export const TOKEN = 'abcdef.0123456789abcdef';
export const CERT_KEY = 'c'.repeat(64);

export interface Call {
	argv: string[];
	sudo: boolean;
	stdin: boolean;
}

export interface FakeHostState {
	kernel: string;
	osId: string;
	osVersion: string;
	hostname: string;
	swapOn: boolean;
	files: Map<string, { content: string; mode: number }>;
	services: Set<string>;
	kubeadm?: string;
	/** what the API server reports (kubectl version); default: the kubeadm package's */
	serverVersion?: string;
	/** argv prefix (joined by spaces) → forced result */
	failures: Map<string, ExecResult>;
	/** what the cluster's API already holds, for kubectl reads: "kind/name" (kube-system) → object */
	live: Map<string, unknown>;
	/** newest patch per minor the package repository publishes (apt-cache madison) */
	published: Record<string, number>;
	/** what `sudo -n true` says in the facts script (default: works) */
	sudo?: { status: number; error: string };
	/** answers for successive health reads (kubectl get nodes,pods,…), the last one repeating */
	snapshots?: string[];
	/** the fingerprint gpg --show-keys reports for the downloaded release key (default: the pinned one) */
	signingKeyFingerprint?: string;
	/** the fingerprint gpg --show-keys reports for a key curl fetched from download.docker.com (default: Docker's RPM key) */
	dockerKeyFingerprint?: string;
	/** what getenforce prints (SELinux hosts); undefined: no getenforce on the host */
	selinux?: 'Enforcing' | 'Permissive' | 'Disabled';
	/** the URL curl fetched last (the key gpg is shown next) */
	lastCurl?: string;
}

export function freshHost(hostname: string, changes: Partial<FakeHostState> = {}): FakeHostState {
	return { kernel: '6.1.0-28-amd64', osId: 'debian', osVersion: '12', hostname, swapOn: true, files: new Map(), services: new Set(), failures: new Map(), live: new Map(), published: { '1.34': 11, '1.35': 8, '1.36': 4 }, ...changes };
}

const ok = (stdout = ''): ExecResult => ({ code: 0, signal: null, stdout, stderr: '' });
const fail = (stderr: string, code = 1): ExecResult => ({ code, signal: null, stdout: '', stderr });

export class FakeRemote implements StepRemote {
	readonly calls: Call[] = [];
	readonly uploads: Array<{ path: string; content: string; mode: number }> = [];

	/** `kubectl get --raw` lists and watches, built from the same health reads */
	private readonly api = new FakeApi(() => this.healthRead());

	constructor(readonly state: FakeHostState) {}

	/** One health read: the next scripted snapshot (the last one repeating), or the API being down. */
	protected healthRead(): ExecResult {
		const s = this.state;
		const snapshot = s.snapshots && s.snapshots.length > 1 ? s.snapshots.shift() : s.snapshots?.[0];
		return snapshot === undefined ? fail('The connection to the server 10.0.0.10:6443 was refused - did you specify the right host or port?') : ok(snapshot);
	}

	/** what the facts script prints on this host */
	factsText(): string {
		const s = this.state;
		return [
			`os_id=${s.osId}`, `os_version=${s.osVersion}`, `kernel=${s.kernel}`, 'arch=x86_64', `hostname=${s.hostname}`, 'cgroup=2',
			`swap=${s.swapOn ? 'on' : 'off'}`, `pkg=${['rocky', 'rhel', 'centos', 'almalinux', 'fedora'].includes(s.osId) ? 'dnf' : 'apt'}`, ...(s.kubeadm ? [`kubeadm=${s.kubeadm}`] : []),
			...(s.files.has('/etc/kubernetes/admin.conf') ? ['admin_conf=yes'] : []), ...(s.files.has('/etc/kubernetes/kubelet.conf') ? ['kubelet_conf=yes'] : []), ...(s.services.has('firewalld') ? ['firewalld=active'] : []),
			'listening=22,', `epoch=${Math.round(Date.now() / 1000)}`, `sudo=${s.sudo?.status ?? 0}`, `sudo_error=${s.sudo?.error ?? ''}`,
		].join('\n');
	}

	/** The lease script's answers (source/steps/list/lease.ts) from the lease file kept in `files`. */
	private lease([mode, id, body, expect]: string[]): ExecResult {
		const file = this.state.files.get(LEASE_FILE);
		const current = file?.content.split('\n')[0] ?? '';
		const write = (): void => void this.state.files.set(LEASE_FILE, { content: `${id}\n${body}\n`, mode: 0o600 });
		const show = (verdict: string): ExecResult => ok(`${verdict}\n0\n${file?.content ?? ''}`);
		if (mode === 'acquire') {
			if (current === '' || current === id) return write(), ok('acquired\n');
			if (expect && current === expect) return write(), ok('taken\n');
			return show('held');
		}
		if (mode === 'refresh') return current === id ? ok('refreshed\n') : current === '' ? ok('gone\n') : show('lost');
		if (current === id) this.state.files.delete(LEASE_FILE);
		return ok('released\n');
	}

	protected answer(argv: string[]): ExecResult {
		const s = this.state;
		const line = argv.join(' ');
		for (const [prefix, result] of s.failures) if (line.startsWith(prefix)) return result;
		const [cmd, ...args] = argv;
		switch (cmd) {
			case 'sh':
				return args[1] === LEASE_SCRIPT ? this.lease(args.slice(3)) : ok(this.factsText());
			case 'true':
				return ok();
			case 'test': {
				const paths = args.filter((a) => a.startsWith('/'));
				return paths.every((p) => s.files.has(p)) ? ok() : fail('');
			}
			case 'systemctl':
				if (args[0] === 'is-active') return s.services.has(args[args.length - 1] ?? '') ? ok() : fail('inactive', 3);
				if (args[0] === 'restart' || (args[0] === 'enable' && args.includes('--now'))) s.services.add(args[args.length - 1] ?? '');
				return ok();
			case 'getenforce':
				return s.selinux === undefined ? fail('sh: getenforce: command not found', 127) : ok(`${s.selinux}\n`);
			case 'setenforce':
				if (s.selinux === undefined) return fail('sh: setenforce: command not found', 127);
				if (s.selinux === 'Disabled') return fail('setenforce: SELinux is disabled');
				s.selinux = args[0] === '0' ? 'Permissive' : 'Enforcing';
				return ok();
			case 'sed': {
				// sed -i 's/A/B/' FILE (the edits the steps make, on the file kept in `files`; files the fake does not keep, such as /etc/fstab, are left as they are)
				const file = s.files.get(args.at(-1) ?? '');
				const edit = /^s\/(.*)\/(.*)\/$/.exec(args.at(-2) ?? '');
				if (file && edit && args[0] === '-i') file.content = file.content.replace(new RegExp(edit[1] ?? '', 'gm'), edit[2] ?? '');
				return ok();
			}
			case 'dnf': {
				// `dnf --showduplicates list kubeadm`: the repo file's minor, every patch; `dnf install kubeadm-X` sets the version.
				const minor = /\/v(\d+\.\d+)\//.exec(s.files.get('/etc/yum.repos.d/kubernetes.repo')?.content ?? '')?.[1];
				if (args.includes('list')) {
					if (minor === undefined) return fail('Error: No matching Packages to list');
					const lines = ['Last metadata expiration check: 0:00:04 ago on Sun 06 Dec 2026 07:00:00 AM UTC.', 'Available Packages'];
					for (let p = 0; p <= (s.published[minor] ?? -1); p++) lines.push(`kubeadm.x86_64    ${minor}.${p}-150500.1.1    kubernetes`);
					return ok(`${lines.join('\n')}\n`);
				}
				const kubeadm = args.find((a) => a.startsWith('kubeadm-'));
				if (args.includes('install') && kubeadm) s.kubeadm = `v${kubeadm.slice('kubeadm-'.length)}`;
				return ok();
			}
			case 'grep': {
				if (args[0] === '-lrs') {
					// grep -lrs --include=*.repo -e PATTERN DIR: the repo files naming Docker's repository
					const dir = `${args.at(-1)}/`;
					const hits = [...s.files].filter(([path, f]) => path.startsWith(dir) && path.endsWith('.repo') && /^\s*baseurl\s*=.*download\.docker\.com\/linux\//m.test(f.content)).map(([path]) => path);
					return hits.length > 0 ? ok(`${hits.join('\n')}\n`) : fail('');
				}
				if (args[0] === '-qx') {
					const file = s.files.get(args.at(-1) ?? '');
					return file && file.content.split('\n').includes(args[1] ?? '') ? ok() : fail('', file ? 1 : 2);
				}
				const file = s.files.get(args[args.length - 1] ?? '');
				return file && file.content.includes(args[args.length - 2] ?? '') ? ok() : fail('');
			}
			case 'swapoff':
				s.swapOn = false;
				return ok();
			case 'containerd':
				return ok('version = 2\n[plugins]\n  SystemdCgroup = false\n');
			case 'cat': {
				const file = s.files.get(args[0] ?? '');
				return file ? ok(file.content) : fail(`cat: ${args[0]}: No such file or directory`);
			}
			case 'apt-cache': {
				// madison lists the repository the sources file names, newest first, as apt prints it.
				const minor = /\/v(\d+\.\d+)\//.exec(s.files.get('/etc/apt/sources.list.d/kubernetes.list')?.content ?? '')?.[1];
				if (args[0] !== 'madison' || minor === undefined) return ok();
				const lines: string[] = [];
				for (let p = s.published[minor] ?? -1; p >= 0; p--) lines.push(`   ${args[1]} | ${minor}.${p}-1.1 | https://pkgs.k8s.io/core:/stable:/v${minor}/deb  Packages`);
				return ok(`${lines.join('\n')}\n`);
			}
			case 'date':
				return ok(`${Math.floor(Date.now() / 1000)}\n`);
			case 'curl':
				s.lastCurl = args.at(-1);
				return ok('-----BEGIN PGP PUBLIC KEY BLOCK-----\n');
			case 'gpg': {
				if (!args.includes('--show-keys')) return ok();
				// As gpg --show-keys --with-colons prints a key: pub, then its fingerprint, then the user id.
				const docker = s.lastCurl?.startsWith('https://download.docker.com/') === true;
				const fpr = docker ? s.dockerKeyFingerprint ?? '060A61C51B558A7F742B77AAC52FEB6B621E9F35' : s.signingKeyFingerprint ?? 'DE15B14486CD377B9E876E1A234654DA9A296436';
				return ok(`pub:-:2048:1:${fpr.slice(-16)}:1661444914:::-:::scESC::::::23::0:\nfpr:::::::::${fpr}:\nuid:-::::1661444914::0::isv\\x3akubernetes OBS Project <isv\\x3akubernetes@build.opensuse.org>::::::::::0:\n`);
			}
			case 'env':
				if (args.includes('install') && args.some((a) => a.startsWith('kubeadm='))) s.kubeadm = `v${(args.find((a) => a.startsWith('kubeadm=')) ?? '').slice(8).replace(/-1\.1$/, '')}`;
				return ok();
			case 'kubeadm':
				if (args[0] === 'init' && args[1] === '--config') {
					for (const path of ['/etc/kubernetes/admin.conf', '/etc/kubernetes/kubelet.conf']) s.files.set(path, { content: 'apiVersion: v1\nkind: Config\nclusters:\n- name: demo\n  cluster:\n    server: https://10.0.0.10:6443\n', mode: 0o600 });
					s.files.set('/etc/kubernetes/pki/ca.crt', { content: TEST_CA, mode: 0o644 });
					return ok('Your Kubernetes control-plane has initialized successfully!');
				}
				if (args[0] === 'token') return ok(`${TOKEN}\n`);
				if (args[0] === 'init' && args[1] === 'phase') return ok(`[upload-certs] Using certificate key:\n${CERT_KEY}\n`);
				if (args[0] === 'join') {
					s.files.set('/etc/kubernetes/kubelet.conf', { content: 'kubelet', mode: 0o600 });
					return ok('This node has joined the cluster');
				}
				return ok();
			case 'kubectl':
				return this.kubectl(args);
			case 'rm':
				for (const path of args.filter((a) => a.startsWith('/'))) s.files.delete(path);
				return ok();
			default:
				return ok();
		}
	}

	/** kubectl --kubeconfig F …: reads answer from `live`; apply and patch succeed. */
	private kubectl(args: string[]): ExecResult {
		const s = this.state;
		if (args[0] !== '--kubeconfig' || !s.files.has(args[1] ?? '')) return fail('The connection to the server localhost:8080 was refused - did you specify the right host or port?');
		const rest = args.slice(2).filter((a, i, all) => a !== '-n' && all[i - 1] !== '-n');
		if (rest[0] === 'version') return ok(JSON.stringify({ clientVersion: { gitVersion: s.kubeadm }, serverVersion: { gitVersion: s.serverVersion ?? s.kubeadm } }));
		if (rest[0] === 'get' && rest[1] === 'nodes,pods,daemonsets,deployments') return this.healthRead();
		if (rest[0] === 'get' && rest[1] === 'events') return ok('{"kind":"List","items":[]}');
		if (rest[0] === 'get' && rest[1] === 'configmaps,daemonsets') {
			// The live CNI objects (kube-system), named after their key when the test left the name out.
			const items = [...s.live].filter(([key]) => key.startsWith('configmap/') || key.startsWith('daemonset/')).map(([key, value]) => {
				const object = value as { metadata?: { name?: string } };
				return { ...object, kind: key.startsWith('configmap/') ? 'ConfigMap' : 'DaemonSet', metadata: { ...object.metadata, name: object.metadata?.name ?? key.split('/')[1] } };
			});
			return ok(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
		}
		if (rest[0] === 'get' && rest.includes('--ignore-not-found')) {
			const key = `${rest[1]}/${rest[2]}`;
			const object = s.live.get(key);
			if (object === undefined) return ok();
			return ok(rest.includes('name') ? `${key}\n` : JSON.stringify(object));
		}
		const file = rest[0] === 'apply' ? s.files.get(rest[rest.indexOf('-f') + 1] ?? '') : undefined;
		for (const doc of file ? parseAllDocuments(file.content) : []) {
			const object = doc.toJS() as { kind?: string; metadata?: { name?: string } } | null;
			if (object?.kind && object.metadata?.name) s.live.set(`${object.kind.toLowerCase()}/${object.metadata.name}`, object);
		}
		return ok();
	}

	async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
		this.calls.push({ argv: [...argv], sudo: options.sudo === true, stdin: options.stdin !== undefined });
		const path = rawPath(argv);
		if (path !== undefined) {
			const line = argv.join(' ');
			for (const [prefix, result] of this.state.failures) if (line.startsWith(prefix)) return result;
			if (argv[1] !== '--kubeconfig' || !this.state.files.has(argv[2] ?? '')) return fail('The connection to the server localhost:8080 was refused - did you specify the right host or port?');
			return this.api.get(path, options);
		}
		const result = this.answer([...argv]);
		for (const line of result.stdout.split('\n').filter(Boolean)) if (!options.secretOutput) options.onLine?.('stdout', line);
		return result;
	}

	async upload(content: string | Buffer, path: string, options: { mode?: number } = {}): Promise<void> {
		const text = content.toString();
		this.uploads.push({ path, content: text, mode: options.mode ?? 0o600 });
		this.state.files.set(path, { content: text, mode: options.mode ?? 0o600 });
	}

	async download(path: string): Promise<Buffer> {
		const file = this.state.files.get(path);
		if (!file) throw new Error(`${path}: no such file`);
		return Buffer.from(file.content);
	}

	/** Commands that change the host (everything but reads the steps make). */
	changes(): string[] {
		const reads = new Set(['sh', 'true', 'test', 'grep', 'curl', 'containerd', 'cat', 'apt-cache', 'date', 'getenforce']);
		const dnfRead = (argv: string[]): boolean => argv[0] === 'dnf' && argv.includes('list');
		const kubectlRead = (argv: string[]): boolean => argv[0] === 'kubectl' && (argv.includes('get') || argv[3] === 'version');
		return this.calls.filter((c) => !reads.has(c.argv[0] ?? '') && !kubectlRead(c.argv) && !dnfRead(c.argv) && !(c.argv[0] === 'systemctl' && c.argv[1] === 'is-active') && !(c.argv[0] === 'gpg' && c.argv.includes('--show-keys')) && !(c.argv[0] === 'kubeadm' && c.argv[1] === 'token') && !(c.argv[0] === 'kubeadm' && c.argv[2] === 'phase')).map((c) => c.argv.join(' '));
	}
}
