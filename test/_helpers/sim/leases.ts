// Loopback addresses for test hosts, leased through O_EXCL files so parallel ava workers (separate
// processes) never pick the same one. A lease whose owner process is gone is taken over.

import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LEASE_DIR = join(tmpdir(), 'kubestrap-test-leases');
// 127.77.0.1 … 127.77.255.254: about 65k addresses, all on `lo` without any setup.
const SLOTS = 256 * 254;

export interface Lease {
	address: string;
	release(): Promise<void>;
}

function addressOf(slot: number): string {
	return `127.77.${Math.floor(slot / 254)}.${(slot % 254) + 1}`;
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

async function tryLease(file: string): Promise<boolean> {
	try {
		const handle = await open(file, 'wx', 0o644);
		await handle.write(String(process.pid));
		await handle.close();
		return true;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
			throw error;
		}
	}
	const owner = Number(await readFile(file, 'utf8').catch(() => 'NaN'));
	if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
		return false;
	}
	await unlink(file).catch(() => undefined);
	return tryLease(file);
}

/** True when nothing listens on address:port yet. */
export function portFree(address: string, port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = createServer();
		server.once('error', () => resolve(false));
		server.listen({ host: address, port, exclusive: true }, () => {
			server.close(() => resolve(true));
		});
	});
}

export async function leaseAddress(port: number, avoid: ReadonlySet<string> = new Set()): Promise<Lease> {
	await mkdir(LEASE_DIR, { recursive: true, mode: 0o755 });
	// Start where this process is unlikely to meet another one, then walk.
	const start = (process.pid * 37) % SLOTS;
	// Bounded: if the port is taken on every address (a wildcard listener), say so instead of walking all slots.
	for (let step = 0; step < 512; step++) {
		const address = addressOf((start + step) % SLOTS);
		if (avoid.has(address)) {
			continue;
		}
		const file = join(LEASE_DIR, address);
		if (!(await tryLease(file))) {
			continue;
		}
		if (!(await portFree(address, port))) {
			await unlink(file).catch(() => undefined);
			continue;
		}
		return { address, release: () => unlink(file).catch(() => undefined) };
	}
	throw new Error(`no free loopback address with port ${port} free for a test host (is something listening on 0.0.0.0:${port}?)`);
}
