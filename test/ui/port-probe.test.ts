// The background reachability check behind each host row: a TCP connect only, bounded in time,
// cancellable, and never rejecting. Only loopback is contacted: a host that never answers is a socket
// whose connect never completes (an injected connector), and a name that does not resolve comes from
// an injected lookup, so no test depends on how the machine's network or resolver treats a real address.
import { connect, createServer, Socket, type AddressInfo } from 'node:net';
import test from 'ava';
import { probePort, type Connector } from '../../source/remote/port-probe.js';

async function listening(): Promise<{ port: number; close: () => Promise<void> }> {
	const server = createServer((socket) => socket.end());
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: (server.address() as AddressInfo).port,
		close: () => new Promise((resolve) => server.close(() => resolve())),
	};
}

/** A connector whose connection never completes nor fails: the unanswered SYN, without sending one. */
function silent(): { connector: Connector; destroyed: () => boolean; asked: () => Array<{ host: string; port: number }> } {
	const asked: Array<{ host: string; port: number }> = [];
	let socket: Socket | undefined;
	return {
		connector: (options) => {
			asked.push(options);
			socket = new Socket();
			return socket;
		},
		destroyed: () => socket?.destroyed ?? false,
		asked: () => asked,
	};
}

test('a listening port is reachable, with the time it took', async (t) => {
	const server = await listening();
	const result = await probePort('127.0.0.1', server.port, 2000);
	await server.close();
	t.true(result.reachable);
	if (result.reachable) t.true(result.ms >= 0);
});

test('a closed port is unreachable: connection refused', async (t) => {
	const server = await listening();
	await server.close();
	t.deepEqual(await probePort('127.0.0.1', server.port, 2000), { reachable: false, reason: 'connection refused' });
});

test('an unknown name says so', async (t) => {
	// node:net's own connect, with a resolver that answers as getaddrinfo does for a name that does not exist.
	const connector: Connector = (options) =>
		connect({
			...options,
			lookup: (hostname, _opts, callback) => {
				const error: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
				(callback as (error: NodeJS.ErrnoException) => void)(error);
			},
		});
	t.deepEqual(await probePort('no-such-host.invalid', 22, 2000, undefined, connector), { reachable: false, reason: 'name not found' });
});

test('an abort ends the attempt at once and closes the socket', async (t) => {
	const controller = new AbortController();
	const never = silent();
	const pending = probePort('host.example', 22, 60_000, controller.signal, never.connector);
	t.deepEqual(never.asked(), [{ host: 'host.example', port: 22 }]);
	controller.abort();
	t.deepEqual(await pending, { reachable: false, reason: 'cancelled' });
	t.true(never.destroyed());
	const again = silent();
	t.deepEqual(await probePort('127.0.0.1', 1, 1000, controller.signal, again.connector), { reachable: false, reason: 'cancelled' }, 'an aborted signal starts nothing');
	t.deepEqual(again.asked(), []);
});

test('a host that does not answer is unreachable when the timeout passes, and the wait is named', async (t) => {
	const never = silent();
	t.deepEqual(await probePort('host.example', 22, 300, undefined, never.connector), { reachable: false, reason: 'no answer within 0.3 s' });
	t.true(never.destroyed());
});
