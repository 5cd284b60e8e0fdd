// spec.ssh.port against a real sshd and a real ~/.ssh/config: a port written in the spec wins over the
// config's Port (22 too: "explicit" is kept, not lost to the default), and a spec without one takes it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { parse, stringify } from 'yaml';
import { startHosts } from '../_helpers/sshd-hosts.js';
import { runCli, writeConfig } from './_install.js';

test('Port from ~/.ssh/config applies when the spec has no port; a spec port (22 too) wins over it', async (t) => {
	const hosts = await startHosts(1);
	t.teardown(() => hosts.stop());
	const host = hosts.hosts[0]!;
	const { dir, config } = writeConfig(hosts, { controlPlanes: 1 });
	const spec = parse(readFileSync(config, 'utf8')) as { spec: { ssh: Record<string, unknown> } };
	const home = join(dir, 'home');
	mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
	const sshConfig = (port: number): void => writeFileSync(join(home, '.ssh', 'config'), `Host ${host.address}\n  Port ${port}\n`, { mode: 0o600 });
	const withPort = (port: number | undefined): void => {
		const ssh = { ...spec.spec.ssh };
		if (port === undefined) delete ssh['port'];
		else ssh['port'] = port;
		writeFileSync(config, stringify({ ...spec, spec: { ...spec.spec, ssh } }));
	};
	const plan = () => runCli(['plan', '--config', config, '--connect-timeout', '2'], dir, { env: { HOME: home } });

	// The test hosts' sshd listens on 22; Port 1 in the config is a closed port.
	t.is(host.port, 22);
	sshConfig(22);
	withPort(undefined);
	const fromConfig = await plan();
	t.is(fromConfig.code, 0, fromConfig.stderr);

	sshConfig(1);
	withPort(undefined);
	const closed = await plan();
	t.not(closed.code, 0, 'no spec port: the config Port 1 is used');
	t.regex(closed.stderr, new RegExp(`${host.address.replace(/\./g, '\\.')}.*(:1\\b| port 1\\b)`), closed.stderr);

	withPort(22);
	const explicit22 = await plan();
	t.is(explicit22.code, 0, `port: 22 written in the spec wins over Port 1 in the config\n${explicit22.stderr}`);
});
