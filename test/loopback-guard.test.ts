// The guard every test worker loads (package.json "ava.require"): it must be active here, stop a
// connect to any address outside loopback before a packet leaves, and let loopback through.
import { connect, createServer, type AddressInfo } from 'node:net';
import test from 'ava';
import { isLoopback } from './_helpers/loopback-only.js';

test('the guard is installed in this worker', (t) => {
	t.throws(() => connect({ host: '192.0.2.1', port: 22 }), { message: /outside loopback: a connect to 192\.0\.2\.1/ });
	t.throws(() => connect(22, '10.0.0.1'), { message: /outside loopback/ });
	t.throws(() => connect({ host: '2001:db8::1', port: 22 }), { message: /outside loopback/ });
});

test('a name that resolves outside loopback is refused by the lookup', async (t) => {
	const socket = connect({
		host: 'outside.example',
		port: 22,
		lookup: (_hostname, _options, callback) => (callback as (e: null, a: string, f: number) => void)(null, '198.51.100.7', 4),
	});
	const error = await new Promise<Error>((resolve) => socket.once('error', resolve));
	t.regex(error.message, /outside\.example resolved to 198\.51\.100\.7/);
});

test('loopback connects still work', async (t) => {
	const server = createServer((socket) => socket.end());
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const socket = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
	await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
	socket.destroy();
	await new Promise<void>((resolve) => server.close(() => resolve()));
	t.true(isLoopback('127.77.0.1') && isLoopback('::1') && !isLoopback('10.0.0.1') && !isLoopback('192.0.2.1'));
});
