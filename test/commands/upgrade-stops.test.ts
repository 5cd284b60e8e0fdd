// `kubestrap upgrade` stopped part way — a failure that is not a drain (the kubelet package), Ctrl-C while a
// worker is upgraded — names every node the run left cordoned, checked against the API, and says the next
// run resumes and uncordons it; a stop with nothing cordoned says so. A scripted fake cluster plays the hosts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { stringify } from 'yaml';
import type { Io } from '../../source/commands/io.js';
import { upgradeCommand } from '../../source/commands/upgrade.js';
import type { ConnectOptions } from '../../source/remote/connection.js';
import type { Remote } from '../../source/remote/remote.js';
import type { ExecOptions, ExecResult } from '../../source/steps/types.js';
import { fakeCluster } from '../steps/_fake-cluster.js';

const HOSTS: Array<[string, string, 'control-plane' | 'worker']> = [['127.0.0.1', 'cp-1', 'control-plane'], ['127.0.0.2', 'w-1', 'worker'], ['127.0.0.3', 'w-2', 'worker']];

/** The cluster at 1.35.8, a spec asking for 1.36; `hook` sees every command and may answer it instead. */
function setup(hook: (node: string, argv: readonly string[]) => ExecResult | undefined) {
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
	const fake = fakeCluster('1.35.8', HOSTS.map(([, name, role]) => ({ name, controlPlane: role === 'control-plane' })));
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

test('a failure that is not a drain (the kubelet package) names the node left cordoned and that the next run resumes and uncordons it', async (t) => {
	const run = setup((node, argv) => node === 'w-1' && argv.some((a) => a.startsWith('kubelet=1.36.')) ? { code: 100, signal: null, stdout: '', stderr: 'E: Could not get lock /var/lib/dpkg/lock-frontend' } : undefined);
	const code = await upgradeCommand({ config: 'cluster.yaml', yes: true }, run.io, run.deps);
	t.is(code, 1, run.err());
	t.true(run.fake.cluster.nodes.get('w-1')!.unschedulable, 'the node is cordoned (its kubelet package failed after the drain)');
	t.regex(run.err(), /error: 127\.0\.0\.2: step "kubelet-workers-1\.36" failed: .*apt-get .*kubelet=1\.36\.4-1\.1.* exited 100/);
	t.regex(run.err(), /^node w-1 is still cordoned: this run drained it for its upgrade; the resumed run finishes its upgrade and uncordons it \(to put it back in service before that: kubectl uncordon w-1\)$/m);
	t.notRegex(run.err(), /node (cp-1|w-2) (is|may)/, 'nodes uncordoned (or never drained) are not named');
	t.regex(run.err(), /resume with: kubestrap upgrade --config cluster\.yaml --yes/);
});

test('Ctrl-C while a worker is upgraded names the node left cordoned; Ctrl-C with nothing cordoned says so', async (t) => {
	const run = setup((node, argv) => {
		// Ctrl-C right after w-1's kubeadm upgrade node: the node is drained, its kubelet not yet Ready.
		if (node === 'w-1' && argv[0] === 'kubeadm' && argv[1] === 'upgrade' && argv[2] === 'node') run.abort.abort();
		return undefined;
	});
	const code = await upgradeCommand({ config: 'cluster.yaml', yes: true }, run.io, run.deps);
	t.is(code, 130, run.err());
	t.true(run.fake.cluster.nodes.get('w-1')!.unschedulable);
	t.regex(run.err(), /interrupted: the journal is saved; resume with: kubestrap upgrade --config cluster\.yaml --yes\nnode w-1 is still cordoned: this run drained it for its upgrade; the resumed run finishes its upgrade and uncordons it \(to put it back in service before that: kubectl uncordon w-1\)\n/);
	t.notRegex(run.err(), /node (cp-1|w-2) (is|may)/);

	// Interrupted while the control plane is upgraded: no node was drained yet.
	const early = setup((node, argv) => {
		if (node === 'cp-1' && argv[0] === 'kubeadm' && argv[1] === 'upgrade' && argv[2] === 'plan') early.abort.abort();
		return undefined;
	});
	t.is(await upgradeCommand({ config: 'cluster.yaml', yes: true }, early.io, early.deps), 130, early.err());
	t.regex(early.err(), /interrupted: the journal is saved; resume with: .*\nno node is left cordoned\n/);
});
