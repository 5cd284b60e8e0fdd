// The Kubernetes package signing key against the sshd hosts: a host served another key (the scenario's
// substituted key, as a hostile proxy would) is refused before the key is installed, naming the host and
// both fingerprints. (On apt hosts; the dnf path is checked by the step tests and run end to end in dnf.test.ts.)
import test from 'ava';
import { startHosts } from '../_helpers/sshd-hosts.js';
import { runCli, writeConfig } from './_install.js';

test('a substituted release key is refused on that host with both fingerprints; the keyring is never written there', async (t) => {
	const hosts = await startHosts(2, { scenario: (i) => (i === 1 ? { signingKeyFingerprint: 'ABCDABCDABCDABCDABCDABCDABCDABCDABCDABCD' } : {}) });
	t.teardown(() => hosts.stop());
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const run = await runCli(['install', '--config', config, '--yes'], dir);
	t.is(run.code, 1, run.stderr);
	const worker = hosts.hosts[1]!.address.replace(/\./g, '\\.');
	t.regex(run.stderr, new RegExp(`error: ${worker}: step "package-repo" refused: the Kubernetes package signing key from https://pkgs\\.k8s\\.io/core:/stable:/v1\\.35/deb/Release\\.key has fingerprint ABCD ABCD ABCD ABCD ABCD ABCD ABCD ABCD ABCD ABCD, expected DE15 B144 86CD 377B 9E87 6E1A 2346 54DA 9A29 6436`));
	t.is(await hosts.readHostFile(1, '/etc/apt/keyrings/kubernetes-apt-keyring.gpg'), undefined);
	t.is(await hosts.readHostFile(1, '/etc/apt/sources.list.d/kubernetes.list'), undefined);
	t.regex((await hosts.readHostFile(0, '/etc/apt/keyrings/kubernetes-apt-keyring.gpg')) ?? '', /simulated-keyring/, 'the host served the right key has it');
	const shown = (await hosts.readCalls(1)).filter((call) => call.prog === 'gpg').map((call) => call.argv.join(' '));
	t.deepEqual(shown, ['--batch --show-keys --with-colons'], 'gpg only showed the key, never dearmored it into a keyring');
});
