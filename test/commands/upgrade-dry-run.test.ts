// The plan of `kubestrap upgrade` names the exact target version whenever the first control plane can
// already say it (its repository points at the target minor: apt-cache madison is a read), and says the
// version is asked later only when the repository does not point there yet. Nothing changes in a dry run.
import test from 'ava';
import { upgradeCommand } from '../../source/commands/upgrade.js';
import { APT_KEYRING, APT_SOURCE } from '../../source/steps/list/kube-packages.js';
import { setup } from './_upgrade-fake.js';

const pointAt136 = { content: `deb [signed-by=${APT_KEYRING}] https://pkgs.k8s.io/core:/stable:/v1.36/deb/ /\n`, mode: 0o644 };

test('a cluster already on 1.36 (an older patch): the plan shows the exact newest 1.36 patch, read from the host', async (t) => {
	const run = setup(undefined, '1.36.2');
	const code = await upgradeCommand({ config: 'cluster.yaml', dryRun: true }, run.io, run.deps);
	t.is(code, 0, run.err());
	t.regex(run.err(), /control plane: v1\.36\.2 → v1\.36\.4\n/);
	t.regex(run.err(), /w-1 +worker +v1\.36\.2 → v1\.36\.4/);
	t.regex(run.err(), /^Kubernetes target: v1\.36\.4 \(the newest 1\.36 patch in https:\/\/pkgs\.k8s\.io\/core:\/stable:\/v1\.36\/deb\/\)$/m);
	t.notRegex(run.err(), /asked once/);
	t.deepEqual(run.fake.cluster.log, [], 'nothing changed');
});

test('a repository an earlier run already pointed at 1.36: the exact version; a repository still at 1.35: asked once it points at 1.36', async (t) => {
	const moved = setup();
	moved.fake.remote('cp-1').state.files.set(APT_SOURCE, pointAt136);
	t.is(await upgradeCommand({ config: 'cluster.yaml', dryRun: true }, moved.io, moved.deps), 0, moved.err());
	t.regex(moved.err(), /control plane: v1\.35\.8 → v1\.36\.4\n/);
	t.regex(moved.err(), /^Kubernetes target: v1\.36\.4 \(the newest 1\.36 patch in https:\/\/pkgs\.k8s\.io\/core:\/stable:\/v1\.36\/deb\/\)$/m);

	const still = setup();
	t.is(await upgradeCommand({ config: 'cluster.yaml', dryRun: true }, still.io, still.deps), 0, still.err());
	t.regex(still.err(), /control plane: v1\.35\.8 → the newest 1\.36 patch\n/);
	t.regex(still.err(), /^Kubernetes target: the newest 1\.36 patch in pkgs\.k8s\.io, asked once the repository points at 1\.36$/m);
	t.false(still.fake.remote('cp-1').calls.some((call) => call.argv.includes('update')), 'a plan refreshes no package list');
});
