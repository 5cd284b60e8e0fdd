// A cluster of three scripted fake hosts (cp-1, w-1, w-2, at 1.35.8 unless told) behind `kubestrap upgrade`'s connections,
// its spec asking for 1.36 in a cluster.yaml; a hook sees every command and may answer it instead.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Io } from '../../source/commands/io.js';
import type { ConnectOptions } from '../../source/remote/connection.js';
import type { Remote } from '../../source/remote/remote.js';
import type { ExecOptions, ExecResult } from '../../source/steps/types.js';
import { fakeCluster } from '../steps/_fake-cluster.js';

export const HOSTS: Array<[string, string, 'control-plane' | 'worker']> = [['127.0.0.1', 'cp-1', 'control-plane'], ['127.0.0.2', 'w-1', 'worker'], ['127.0.0.3', 'w-2', 'worker']];

/** The cluster at `version`, a spec asking for 1.36; `hook` sees every command and may answer it instead. */
export function setup(hook: (node: string, argv: readonly string[]) => ExecResult | undefined = () => undefined, version = '1.35.8') {
	const dir = mkdtempSync(join(tmpdir(), 'kubestrap-upgrade-stops-'));
	writeFileSync(join(dir, 'cluster.yaml'), stringify({
		apiVersion: 'kubestrap.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'demo' },
		spec: {
			target: 'baremetal', hosts: HOSTS.map(([address, name, role]) => ({ address, name, role })),
			ssh: { user: 'ubuntu', identityFile: join(dir, 'id'), knownHostsFile: join(dir, 'known_hosts') },
			kubernetes: { version: '1.36', podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12' },
			network: { cni: 'cilium' },
		},
	}));
	const fake = fakeCluster(version, HOSTS.map(([, name, role]) => ({ name, controlPlane: role === 'control-plane' })));
	const connectWith = async (options: ConnectOptions): Promise<Remote> => {
		const node = HOSTS.find(([address]) => address === options.host)![1];
		const remote = fake.remote(node);
		const exec = remote.exec.bind(remote);
		return Object.assign(remote, {
			host: options.host, stats: { connectionsOpened: 1, commandsRun: 0 }, close: async () => undefined,
			exec: async (argv: readonly string[], o?: ExecOptions) => hook(node, argv) ?? exec(argv, o),
		}) as unknown as Remote;
	};
	let err = '';
	const abort = new AbortController();
	const io: Io = { stdout: (text) => void (err += text), stderr: (text) => void (err += text), cwd: dir, isTTY: false, signal: abort.signal };
	return { fake, io, abort, deps: { connectWith }, err: () => err };
}
