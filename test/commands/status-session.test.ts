// `kubestrap status --config` reads the cluster in a read-only session: it takes no lock, so it works
// while an install (or upgrade, reset) holds the cluster's lock, and leaves that lock alone; the health
// read is the one install's wait-ready step uses (snapshot, verdict, report).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { stringify } from 'yaml';
import type { Io } from '../../source/commands/io.js';
import { statusCommand } from '../../source/commands/status.js';
import type { ConnectOptions } from '../../source/remote/connection.js';
import type { Remote } from '../../source/remote/remote.js';
import { acquireLock } from '../../source/session/lock.js';
import { stateDir } from '../../source/session/state-dir.js';
import { baremetalBase, withPaths } from '../spec/_base.js';
import { fixtureText } from '../cluster/health/_fixtures.js';
import { FakeRemote, freshHost } from '../steps/_fake-remote.js';

async function setup(snapshot: string) {
	const dir = mkdtempSync(join(tmpdir(), 'kubestrap-status-session-'));
	const tree = withPaths(baremetalBase(), { 'metadata.name': 'demo', 'spec.hosts': [{ address: '192.0.2.10', role: 'control-plane' }, { address: '192.0.2.11', role: 'worker' }] });
	writeFileSync(join(dir, 'cluster.yaml'), stringify(tree));
	const connected: string[] = [];
	const remote = new FakeRemote(freshHost('192.0.2.10', { snapshots: [snapshot] }));
	remote.state.files.set('/etc/kubernetes/admin.conf', { content: 'apiVersion: v1\nkind: Config\n', mode: 0o600 });
	const connectWith = async (options: ConnectOptions): Promise<Remote> => {
		connected.push(options.host);
		return Object.assign(remote, { host: options.host, stats: { connectionsOpened: 1, commandsRun: 0 }, close: async () => undefined }) as unknown as Remote;
	};
	let out = '';
	let err = '';
	const io: Io = { stdout: (text) => void (out += text), stderr: (text) => void (err += text), cwd: dir, isTTY: false };
	return { dir, io, connected, remote, connectWith, out: () => out, err: () => err };
}

test('status works while another run holds the cluster\'s lock, and leaves the lock as it was', async (t) => {
	const s = await setup(fixtureText('cilium-healthy.json'));
	const lock = await acquireLock(await stateDir(s.dir, 'demo'));
	t.teardown(() => lock.release());
	const lockPath = join(s.dir, '.kubestrap', 'demo', 'lock');
	const held = readFileSync(lockPath, 'utf8');
	const code = await statusCommand({ config: 'cluster.yaml' }, s.io, { connectWith: s.connectWith });
	t.is(code, 0, s.err());
	t.deepEqual(s.connected, ['192.0.2.10'], 'one connection, to the first control plane only');
	t.regex(s.out(), /cilium/i);
	t.notRegex(s.err(), /another kubestrap run holds/);
	t.true(existsSync(lockPath));
	t.is(readFileSync(lockPath, 'utf8'), held, 'the install\'s lock is untouched');
	t.true(s.remote.calls.some((call) => call.argv.join(' ').includes('get nodes,pods,daemonsets,deployments -A -o json')), 'the snapshot read install\'s readiness wait uses');
});

test('status of an unhealthy cluster exits 1 with the report, over the same session', async (t) => {
	const s = await setup(fixtureText('cilium-before-cni.json'));
	const code = await statusCommand({ config: 'cluster.yaml', output: 'json' }, s.io, { connectWith: s.connectWith });
	t.is(code, 1, s.err());
	t.false((JSON.parse(s.out()) as { healthy: boolean }).healthy);
	t.false(existsSync(join(s.dir, '.kubestrap')), 'a reader writes no local state');
});
