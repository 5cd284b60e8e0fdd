// Loaded by ava before every test file (package.json "ava.require"): any TCP connect from a test
// worker to an address outside loopback throws, naming it, so a test that would dial a real or
// documentation address (192.0.2.x, 10.x) fails instead of sending a packet. Names are allowed only
// when they resolve to loopback. The addresses that fill spec and health fixtures stay data.
import { isIP, Socket } from 'node:net';
import { lookup as dnsLookup } from 'node:dns';

export function isLoopback(address: string): boolean {
	const family = isIP(address);
	if (family === 4) return address.startsWith('127.');
	if (family === 6) return address === '::1' || /^::ffff:127\./i.test(address);
	return false;
}

function refuse(host: string): never {
	throw new Error(`test reached outside loopback: a connect to ${host} (tests may only contact 127.0.0.0/8 or ::1)`);
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | Array<{ address: string; family: number }>, family?: number) => void;
type Lookup = (hostname: string, options: object, callback: LookupCallback) => void;

function guardedLookup(inner: Lookup): Lookup {
	return (hostname, options, callback) =>
		inner(hostname, options, (error, address, family) => {
			if (error) return callback(error, address, family);
			const all = Array.isArray(address) ? address.map((entry) => entry.address) : [address];
			const outside = all.find((entry) => !isLoopback(entry));
			if (outside !== undefined) return callback(Object.assign(new Error(`test reached outside loopback: ${hostname} resolved to ${outside}`), { code: 'EACCES' }), address, family);
			callback(null, address, family);
		});
}

export function installLoopbackGuard(): void {
	const original = Socket.prototype.connect as (...args: unknown[]) => Socket;
	if ((original as { loopbackGuard?: true }).loopbackGuard) return;
	const guarded = function (this: Socket, ...args: unknown[]): Socket {
		// net.connect hands over its already-normalized [options, callback] array.
		const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
		if (typeof first === 'object' && first !== null) {
			const options = first as { host?: string; path?: string; lookup?: Lookup };
			if (options.path === undefined) {
				const host = options.host ?? 'localhost';
				if (isIP(host) !== 0) {
					if (!isLoopback(host)) refuse(host);
				} else if (host !== 'localhost') {
					options.lookup = guardedLookup(options.lookup ?? (dnsLookup as unknown as Lookup));
				}
			}
		} else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
			const host = typeof args[1] === 'string' ? args[1] : 'localhost';
			if (isIP(host) !== 0 && !isLoopback(host)) refuse(host);
		}
		return original.apply(this, args);
	};
	Object.assign(guarded, { loopbackGuard: true });
	Socket.prototype.connect = guarded as typeof Socket.prototype.connect;
}

installLoopbackGuard();
