// Shared by the tests of the simulated cluster: test hosts with the Kubernetes packages already
// installed, connected through kubestrap's own SSH layer, and a cluster bootstrapped the way the install
// steps do it (kubestrap's kubeadm configs, `kubeadm init`, then joins with the real token and CA hash).

import type { Remote } from '../../source/remote/remote.js';
import { connect } from '../../source/remote/connection.js';
import { initConfig, joinConfig } from '../../source/steps/kubeadm-config.js';
import type { Cluster, Host } from '../../source/spec/types.js';
import { startHosts, type StartHostsOptions, type TestHosts } from '../_helpers/sshd-hosts.js';
import { clusterFixture, type DeepPartial } from '../cluster/_fixtures.js';
import { connectOptions } from '../remote/helpers.js';

export const ADMIN = ['kubectl', '--kubeconfig', '/etc/kubernetes/admin.conf'];

export interface SimCluster {
	hosts: TestHosts;
	remotes: Remote[];
	cluster: Cluster;
	/** `sudo kubectl --kubeconfig /etc/kubernetes/admin.conf …` on the first control plane. */
	kubectl(args: readonly string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }>;
	/** The same, parsed as JSON; throws with stderr when it fails. */
	json<T = KubeList>(args: readonly string[]): Promise<T>;
	close(): Promise<void>;
}

export interface KubeItem {
	kind: string;
	apiVersion: string;
	metadata: { name: string; namespace?: string; generation?: number; resourceVersion?: string; deletionTimestamp?: string; labels?: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
	spec?: Record<string, unknown> & { nodeName?: string; replicas?: number; taints?: { key: string; effect: string }[] };
	status?: Record<string, unknown> & {
		phase?: string;
		conditions?: { type: string; status: string; reason?: string; message?: string }[];
		containerStatuses?: ContainerStatus[];
		initContainerStatuses?: ContainerStatus[];
		nodeInfo?: Record<string, string>;
		addresses?: { type: string; address: string }[];
	};
}

export interface ContainerStatus {
	name: string;
	image: string;
	ready: boolean;
	restartCount: number;
	state: { waiting?: { reason: string; message?: string }; running?: { startedAt: string }; terminated?: { exitCode: number; reason: string } };
	lastState: { terminated?: { exitCode: number; reason: string } };
}

export interface KubeList {
	apiVersion: string;
	kind: string;
	items: KubeItem[];
}

export const PACKAGES = { kubeadm: '1.35.1-1.1', kubelet: '1.35.1-1.1', kubectl: '1.35.1-1.1', containerd: '1.7.24-1' } as const;

export interface BootOptions extends StartHostsOptions {
	controlPlanes?: number;
	/** Spec overrides for the kubestrap Cluster the kubeadm configs come from. */
	spec?: DeepPartial<Cluster['spec']>;
	/** Per host, e.g. { privateAddress } (only values the host can bind matter to the API endpoint). */
	hostExtra?: (index: number) => Partial<Host>;
	/** Use the harness's extra loopback address as controlPlaneEndpoint. */
	useEndpointAddress?: boolean;
	/** The init config's kubernetesVersion (default: the preinstalled kubeadm package's); give the matching packages in the scenario. */
	kubernetesVersion?: string;
}

async function must(remote: Remote, argv: string[], secret = false): Promise<string> {
	const result = await remote.exec(argv, { sudo: true, secretOutput: secret });
	if (result.code !== 0) throw new Error(`${argv.join(' ')} exited ${result.code}: ${result.stderr}`);
	return result.stdout;
}

/** Starts `count` hosts and bootstraps a cluster on them: the first `controlPlanes` are control planes. */
export async function bootCluster(count: number, options: BootOptions = {}): Promise<SimCluster> {
	const controlPlanes = options.controlPlanes ?? 1;
	const hosts = await startHosts(count, {
		...options,
		endpointAddress: options.useEndpointAddress === true || options.endpointAddress === true,
		scenario: (index) => ({ packages: PACKAGES, ipForward: true, ...(typeof options.scenario === 'function' ? options.scenario(index) : options.scenario ?? {}) }),
	});
	const remotes: Remote[] = [];
	try {
		remotes.push(...await Promise.all(hosts.hosts.map((_, index) => connect(connectOptions(hosts, index)))));
		const endpoint = options.useEndpointAddress ? `${hosts.endpointAddress}:6443` : undefined;
		const cluster = clusterFixture({
			metadata: { name: 'sim' },
			spec: {
				...options.spec,
				hosts: hosts.hosts.map((host, index) => ({
					address: host.address,
					role: index < controlPlanes ? 'control-plane' : 'worker',
					name: host.name,
					...options.hostExtra?.(index),
				})),
				kubernetes: { ...options.spec?.kubernetes, ...(endpoint ? { controlPlaneEndpoint: endpoint } : {}) },
			},
		});
		await Promise.all(remotes.map((remote) => must(remote, ['systemctl', 'enable', '--now', 'containerd', 'kubelet'])));
		const first = remotes[0]!;
		const hostSpec = (index: number): Host => cluster.spec.hosts[index]!;
		await first.upload(initConfig(cluster, hostSpec(0), options.kubernetesVersion ?? PACKAGES.kubeadm.split('-')[0]), '/etc/kubestrap/kubeadm-init.yaml', { sudo: true });
		await must(first, ['kubeadm', 'init', '--config', '/etc/kubestrap/kubeadm-init.yaml', '--upload-certs', '--skip-token-print', '--skip-certificate-key-print'], true);
		const join = await must(first, ['kubeadm', 'token', 'create', '--print-join-command'], true);
		const token = /--token (\S+)/.exec(join)?.[1] ?? '';
		const caCertHash = /--discovery-token-ca-cert-hash (\S+)/.exec(join)?.[1] ?? '';
		const upload = controlPlanes > 1 ? await must(first, ['kubeadm', 'init', 'phase', 'upload-certs', '--upload-certs'], true) : '';
		const certificateKey = /^([0-9a-f]{64})$/m.exec(upload)?.[1];
		const joinOne = async (index: number): Promise<void> => {
			const remote = remotes[index]!;
			await remote.upload(joinConfig(cluster, hostSpec(index), { token, caCertHash, ...(certificateKey ? { certificateKey } : {}) }), '/etc/kubestrap/kubeadm-join.yaml', { sudo: true });
			await must(remote, ['kubeadm', 'join', '--config', '/etc/kubestrap/kubeadm-join.yaml']);
		};
		for (let index = 1; index < controlPlanes; index++) await joinOne(index);
		await Promise.all(hosts.hosts.slice(controlPlanes).map((_, i) => joinOne(controlPlanes + i)));

		const kubectl: SimCluster['kubectl'] = async (args, stdin) => {
			const result = await first.exec([...ADMIN, ...args], { sudo: true, ...(stdin !== undefined ? { stdin } : {}) });
			return { code: result.code, stdout: result.stdout, stderr: result.stderr };
		};
		return {
			hosts,
			remotes,
			cluster,
			kubectl,
			json: async <T>(args: readonly string[]): Promise<T> => {
				const result = await kubectl(args);
				if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
				return JSON.parse(result.stdout) as T;
			},
			close: async () => {
				await Promise.all(remotes.map((remote) => remote.close()));
				await hosts.stop();
			},
		};
	} catch (error) {
		await Promise.all(remotes.map((remote) => remote.close()));
		await hosts.stop();
		throw error;
	}
}

/** Polls until check() returns a value (not undefined) or the time is up; the last error explains a timeout. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	for (;;) {
		try {
			const value = await check();
			if (value !== undefined) return value;
		} catch (error) {
			last = error;
		}
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

export function podsOf(list: KubeList, prefix: string): KubeItem[] {
	return list.items.filter((item) => item.kind === 'Pod' && item.metadata.name.startsWith(prefix));
}

export function isReady(item: KubeItem): boolean {
	return item.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
