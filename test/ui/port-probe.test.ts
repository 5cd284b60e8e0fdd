// The background reachability check behind each host row: a TCP connect only, bounded in time,
// cancellable, and never rejecting.
import { createServer, type AddressInfo } from 'node:net';
import test from 'ava';
import { probePort } from '../../source/remote/port-probe.js';

async function listening(): Promise<{ port: number; close: () => Promise<void> }> {
	const server = createServer((socket) => socket.end());
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: (server.address() as AddressInfo).port,
		close: () => new Promise((resolve) => server.close(() => resolve())),
	};
}

test('a listening port is reachable, with the time it took', async (t) => {
	const server = await listening();
	const result = await probePort('127.0.0.1', server.port, 2000);
	await server.close();
	t.true(result.reachable);
	if (result.reachable) t.true(result.ms >= 0 && result.ms < 2000);
});

test('a closed port is unreachable: connection refused', async (t) => {
	const server = await listening();
	await server.close();
	t.deepEqual(await probePort('127.0.0.1', server.port, 2000), { reachable: false, reason: 'connection refused' });
});

test('an unknown name says so', async (t) => {
	const result = await probePort('no-such-host.invalid', 22, 2000);
	t.false(result.reachable);
	if (!result.reachable) t.regex(result.reason, /name not found|name lookup failed|EAI_|ENOTFOUND/);
});

test('an abort ends the attempt at once', async (t) => {
	const controller = new AbortController();
	// 192.0.2.0/24 is TEST-NET-1: nothing answers there, so only the abort can end this quickly.
	const pending = probePort('192.0.2.1', 22, 10_000, controller.signal);
	const started = Date.now();
	controller.abort();
	const result = await pending;
	t.false(result.reachable);
	t.true(Date.now() - started < 1000);
	t.deepEqual(await probePort('127.0.0.1', 1, 1000, controller.signal), { reachable: false, reason: 'cancelled' }, 'an aborted signal starts nothing');
});

test('an address that does not answer is unreachable within the timeout', async (t) => {
	const started = Date.now();
	const result = await probePort('192.0.2.1', 22, 300);
	t.false(result.reachable);
	t.true(Date.now() - started < 1500);
	// Where the route is dropped silently the wait is named; some sandboxes refuse it at once instead.
	if (!result.reachable) t.regex(result.reason, /^no answer within 0\.3 s$|unreachable|refused/);
});
