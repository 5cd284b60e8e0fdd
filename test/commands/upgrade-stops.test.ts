// `kubestrap upgrade` stopped part way — a failure that is not a drain (the kubelet package), Ctrl-C while a
// worker is upgraded — names every node the run left cordoned, checked against the API, and says the next
// run resumes and uncordons it; a stop with nothing cordoned says so. A scripted fake cluster plays the hosts.
import test from 'ava';
import { upgradeCommand } from '../../source/commands/upgrade.js';
import { setup } from './_upgrade-fake.js';

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
