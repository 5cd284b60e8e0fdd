// ~/.ssh/config reading: Port, Include (relative to ~/.ssh, globs, nesting, loops), ProxyCommand parsing and
// token substitution, and the messages for a config that is a directory or cannot be parsed.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import test from 'ava';

import { proxyCommandLine } from '../../source/remote/proxy-command.js';
import { readSshConfig, sshConfigFor } from '../../source/remote/ssh-config-file.js';
import { expandGlob, includePath } from '../../source/remote/ssh-config-include.js';
import { sshTarget } from '../../source/session/ssh-connect.js';
import type { Cluster } from '../../source/spec/types.js';
import { stringify } from 'yaml';
import { resolveSpec } from '../../source/spec/resolve.js';
import { baremetalBase, withPaths } from '../spec/_base.js';

let home: string;

test.before(async () => {
	home = await mkdtemp(join(tmpdir(), 'kubestrap-sshcfg-'));
	const ssh = join(home, '.ssh');
	await mkdir(join(ssh, 'conf.d'), { recursive: true });
	await writeFile(join(ssh, 'conf.d', 'b.conf'), 'Host web\n  User from-b\n  Port 2002\n');
	await writeFile(join(ssh, 'conf.d', 'a.conf'), 'Host web\n  User from-a\n');
	await writeFile(join(ssh, 'conf.d', '.hidden.conf'), 'Host web\n  HostName hidden\n');
	await writeFile(join(ssh, 'db.conf'), 'Host db\n  Port 3003\n');
	await symlink(join(ssh, 'db.conf'), join(ssh, 'conf.d', 'c.link'));
});

test.after.always(async () => {
	await rm(home, { recursive: true, force: true });
});

const portCases: { config: string; alias: string; port: number | undefined }[] = [
	{ config: 'Host web\n  Port 2222\n', alias: 'web', port: 2222 },
	{ config: 'Host web\n  Port 2222\n', alias: 'db', port: undefined },
	{ config: 'Host web\n  Port=2200\nHost *\n  Port 2300\n', alias: 'web', port: 2200 },
	{ config: 'Host *\n  Port 2300\n', alias: 'anything', port: 2300 },
	{ config: 'Host web\n  port 2201\n', alias: 'web', port: 2201 },
];
for (const [index, { config, alias, port }] of portCases.entries()) {
	test(`Port table ${index}: ${JSON.stringify(config)} for ${alias} gives ${port}`, (t) => {
		t.is(sshConfigFor(config, alias, home).port, port);
	});
}

test('a Port that is not a number from 1 to 65535 names the file, the host and the fix', (t) => {
	for (const bad of ['x', '0', '70000', '22 23']) {
		const error = t.throws(() => sshConfigFor(`Host web\n  Port ${bad}\n`, 'web', home, '/home/me/.ssh/config'));
		t.is(error?.message, `ssh config file /home/me/.ssh/config: Port "${bad}" for host web is not a number from 1 to 65535; fix the Port line`);
	}
});

test('the spec port: absent lets the config Port apply, a written value is passed on', (t) => {
	const cluster = baremetalBase() as unknown as Cluster;
	delete cluster.spec.ssh.port;
	t.is(sshTarget(cluster, '10.0.0.1').port, undefined);
	cluster.spec.ssh.port = 2222;
	t.is(sshTarget(cluster, '10.0.0.1').port, 2222);
});

test('Include: relative to ~/.ssh, ~ expanded, globs sorted, a missing file skipped, lines after it keep their Host', async (t) => {
	const ssh = join(home, '.ssh');
	await writeFile(join(ssh, 'in-block.conf'), '  IdentityFile ~/.ssh/in_block\n');
	const config = join(ssh, 'config');
	await writeFile(config, [
		'Include conf.d/*.conf',
		'Include ~/.ssh/db.conf "missing file.conf"',
		'Host cache',
		'  Include in-block.conf',
		'  HostName 10.1.1.1',
		'',
	].join('\n'));
	const text = await readSshConfig(config, home);
	t.truthy(text);
	const web = sshConfigFor(text ?? '', 'web', home);
	t.is(web.user, 'from-a', 'a.conf is read before b.conf; the first value wins');
	t.is(web.port, 2002);
	t.is(web.hostName, undefined, 'a wildcard does not match a dot file');
	t.is(sshConfigFor(text ?? '', 'db', home).port, 3003);
	const cache = sshConfigFor(text ?? '', 'cache', home);
	t.deepEqual(cache.identityFiles, [join(ssh, 'in_block')], 'an Include inside a Host block applies to that host');
	t.is(cache.hostName, '10.1.1.1');
	t.is(sshConfigFor(text ?? '', 'other', home).hostName, undefined);
});

test('Include after included Host sections: the following lines still belong to the enclosing Host', async (t) => {
	const ssh = join(home, '.ssh');
	await writeFile(join(ssh, 'sections.conf'), 'Host other\n  Port 4004\n');
	const config = join(ssh, 'config-sections');
	await writeFile(config, 'Host web\n  Include sections.conf\n  Port 5005\n');
	const text = await readSshConfig(config, home) ?? '';
	t.is(sshConfigFor(text, 'web', home).port, 5005);
	t.is(sshConfigFor(text, 'other', home).port, 4004);
});

test('Include loop: stops at the depth limit with a message naming the file', async (t) => {
	const config = join(home, '.ssh', 'loop.conf');
	await writeFile(config, 'Include loop.conf\n');
	const error = await t.throwsAsync(readSshConfig(config, home));
	t.regex(error?.message ?? '', /^ssh config file .*loop\.conf: Include nested more than 16 deep \(a file that includes itself\?\); remove the Include loop$/);
});

test('a config file that is a directory, or an included one, is named with the fix', async (t) => {
	const dirConfig = join(home, 'config-dir');
	await mkdir(dirConfig, { recursive: true });
	const error = await t.throwsAsync(readSshConfig(dirConfig, home));
	t.is(error?.message, `ssh config file ${dirConfig}: is a directory, not a regular file; give the path of the ssh config file itself`);
	const config = join(home, '.ssh', 'includes-dir');
	await writeFile(config, `Include ${dirConfig}\n`);
	const included = await t.throwsAsync(readSshConfig(config, home));
	t.is(included?.message, `ssh config file ${dirConfig}: is a directory, not a regular file; give the path of the ssh config file itself`);
});

test('a config with a syntax error is named in one line with the fix; a missing config is no config', async (t) => {
	const config = join(home, '.ssh', 'broken');
	await writeFile(config, 'Host web\n  IdentityFile "~/.ssh/key\n');
	const error = await t.throwsAsync(readSshConfig(config, home));
	t.regex(error?.message ?? '', new RegExp(`^ssh config file ${config.replaceAll('.', '\\.')}: cannot be parsed \\(.+\\); fix that line \\(a quote left open\\?\\) or remove it$`));
	t.false((error?.message ?? '').includes('\n'));
	t.is(await readSshConfig(join(home, 'no-such-config'), home), undefined);
});

test('an included device is refused by the bounded reader instead of blocking', async (t) => {
	const config = join(home, '.ssh', 'includes-null');
	await writeFile(config, 'Include /dev/null\n');
	const error = await t.throwsAsync(readSshConfig(config, home));
	t.is(error?.message, 'ssh config file /dev/null: is a character device, not a regular file; give the path of the ssh config file itself');
});

test('includePath and expandGlob', async (t) => {
	t.is(includePath('conf.d/x', '/home/me'), '/home/me/.ssh/conf.d/x');
	t.is(includePath('~/x', '/home/me'), '/home/me/x');
	t.is(includePath('/etc/ssh/x', '/home/me'), '/etc/ssh/x');
	const ssh = join(home, '.ssh');
	t.deepEqual(await expandGlob(join(ssh, 'conf.d', '[ab].conf')), [join(ssh, 'conf.d', 'a.conf'), join(ssh, 'conf.d', 'b.conf')]);
	t.deepEqual(await expandGlob(join(ssh, 'conf.d', '?.link')), [join(ssh, 'conf.d', 'c.link')]);
	t.deepEqual(await expandGlob(join(ssh, 'nothing-*')), []);
});

test('ProxyCommand: parsed as written, none is direct, both ProxyJump and ProxyCommand refused', (t) => {
	const text = [
		'Host ssm-*',
		'  ProxyCommand sh -c "aws ssm start-session --target %h --document-name AWS-StartSSHSession --parameters portNumber=%p"',
		'Host direct',
		'  ProxyCommand none',
		'Host both',
		'  ProxyJump jump',
		'  ProxyCommand nc %h %p',
		'',
	].join('\n');
	t.is(sshConfigFor(text, 'ssm-i-0abc', home).proxyCommand, 'sh -c "aws ssm start-session --target %h --document-name AWS-StartSSHSession --parameters portNumber=%p"');
	t.is(sshConfigFor(text, 'direct', home).proxyCommand, undefined);
	const error = t.throws(() => sshConfigFor(text, 'both', home, '/home/me/.ssh/config'));
	t.is(error?.message, 'ssh config file /home/me/.ssh/config: host both has both ProxyJump and ProxyCommand; keep one of them (or set ProxyCommand none)');
});

test('ProxyCommand tokens: %h %p %r %n substituted and quoted for /bin/sh, %% is a percent sign', (t) => {
	const tokens = { host: '10.0.0.5', port: 2222, user: 'ubuntu', alias: 'web' };
	t.is(proxyCommandLine('nc %h %p', tokens), 'nc 10.0.0.5 2222');
	t.is(proxyCommandLine('ssh -W %h:%p %r@jump # %n 100%%', tokens), 'ssh -W 10.0.0.5:2222 ubuntu@jump # web 100%');
	t.is(proxyCommandLine('connect %h', { ...tokens, host: "x'; rm -rf ~; '" }), "connect 'x'\\''; rm -rf ~; '\\'''");
	t.is(proxyCommandLine('keep %x', tokens), 'keep %x');
});

test('spec.ssh.port stays absent when not given (the config Port applies) and is kept when written, 22 included', (t) => {
	const resolved = (changes: Record<string, unknown>, flags?: Record<string, unknown>): Cluster => {
		const base = baremetalBase() as unknown as { spec: { ssh: Record<string, unknown> } };
		delete base.spec.ssh['port'];
		const result = resolveSpec({ file: { content: stringify(withPaths(base as never, changes)), name: 'c.yaml' }, ...(flags ? { flags: flags as never } : {}) });
		if (!result.ok) throw new Error(JSON.stringify(result.problems));
		return result.cluster;
	};
	t.is(resolved({}).spec.ssh.port, undefined);
	t.is(sshTarget(resolved({}), '10.0.0.1').port, undefined, 'absent: the config Port applies');
	t.is(sshTarget(resolved({ 'spec.ssh.port': 22 }), '10.0.0.1').port, 22, 'written 22 wins over the config');
	t.is(sshTarget(resolved({}, { spec: { ssh: { port: 22 } } }), '10.0.0.1').port, 22, '--ssh-port 22 too');
	t.is(sshTarget(resolved({ 'spec.ssh.port': 2222 }), '10.0.0.1').port, 2222);
});
