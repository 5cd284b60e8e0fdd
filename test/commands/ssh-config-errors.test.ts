// A broken ~/.ssh/config stops status and check before any connection: one line naming the file and the
// fix, exit 2 (bad input), as for any bad local file.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ROOT } from '../e2e/_install.js';

function run(verb: string, home: string) {
	// 127.0.0.1 is never reached: the config is read before connecting.
	return spawnSync(process.execPath, [join(ROOT, 'bin/kubestrap.js'), verb, '--control-plane', '127.0.0.1', '--ssh-user', 'me', '--name', 'demo', '--target', 'baremetal'], {
		cwd: home, encoding: 'utf8', env: { ...process.env, HOME: home, NO_COLOR: '1', SSH_AUTH_SOCK: '' },
	});
}

const cases: { name: string; setup: (ssh: string) => void; message: (ssh: string) => string }[] = [
	{
		name: 'a syntax error',
		setup: (ssh) => writeFileSync(join(ssh, 'config'), 'Host *\n  IdentityFile "~/.ssh/key\n'),
		message: (ssh) => `ssh config file ${join(ssh, 'config')}: cannot be parsed (Unexpected line break at ~/.ssh/key); fix that line (a quote left open?) or remove it`,
	},
	{
		name: 'a directory',
		setup: (ssh) => mkdirSync(join(ssh, 'config')),
		message: (ssh) => `ssh config file ${join(ssh, 'config')}: is a directory, not a regular file; give the path of the ssh config file itself`,
	},
	{
		name: 'an included file with a bad Port',
		setup: (ssh) => {
			writeFileSync(join(ssh, 'config'), 'Include extra.conf\n');
			writeFileSync(join(ssh, 'extra.conf'), 'Host 127.0.0.1\n  Port 99999\n');
		},
		message: (ssh) => `ssh config file ${join(ssh, 'config')}: Port "99999" for host 127.0.0.1 is not a number from 1 to 65535; fix the Port line`,
	},
];

for (const verb of ['status', 'check']) {
	for (const { name, setup, message } of cases) {
		test(`${verb} with ${name} in ~/.ssh/config: exit 2, one line naming the file`, (t) => {
			const home = mkdtempSync(join(tmpdir(), 'kubestrap-sshcfg-cli-'));
			t.teardown(() => rmSync(home, { recursive: true, force: true }));
			const ssh = join(home, '.ssh');
			mkdirSync(ssh);
			setup(ssh);
			const result = run(verb, home);
			t.is(result.status, 2, result.stderr);
			t.is(result.stderr, `${verb}: ${message(ssh)}\n`);
		});
	}
}
