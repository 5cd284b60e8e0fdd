// A plain TCP connect to a host's SSH port, for the wizard's live "reachable" line next to each host.
// No SSH is spoken: it only tells whether something accepts connections there, so it is cheap enough
// to run in the background while the user keeps typing.
import { connect, type Socket } from 'node:net';

export type PortProbeResult = { reachable: true; ms: number } | { reachable: false; reason: string };

/** Opens the TCP connection; node:net's connect unless a caller (a test) supplies another. */
export type Connector = (options: { host: string; port: number }) => Socket;

const REASONS: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection reset',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
	ENOTFOUND: 'name not found',
	EAI_AGAIN: 'name lookup failed (temporary)',
	ETIMEDOUT: 'timed out',
	EACCES: 'connection not permitted',
};

function reasonFor(error: NodeJS.ErrnoException): string {
	return (error.code !== undefined ? REASONS[error.code] : undefined) ?? error.code ?? error.message;
}

/**
 * Resolves (never rejects) once the port accepts a connection, refuses it, or timeoutMs passes.
 * An abort signal ends the attempt at once, so leaving the wizard never waits for a slow host.
 */
export function probePort(host: string, port: number, timeoutMs: number, signal?: AbortSignal, connector: Connector = connect): Promise<PortProbeResult> {
	return new Promise((resolve) => {
		if (signal?.aborted) {
			resolve({ reachable: false, reason: 'cancelled' });
			return;
		}
		const started = performance.now();
		const socket = connector({ host, port });
		let settled = false;
		const finish = (result: PortProbeResult): void => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			signal?.removeEventListener('abort', onAbort);
			socket.destroy();
			resolve(result);
		};
		const onAbort = (): void => finish({ reachable: false, reason: 'cancelled' });
		const timer = setTimeout(() => finish({ reachable: false, reason: `no answer within ${(timeoutMs / 1000).toFixed(1)} s` }), timeoutMs);
		signal?.addEventListener('abort', onAbort, { once: true });
		socket.once('connect', () => finish({ reachable: true, ms: Math.max(0, Math.round(performance.now() - started)) }));
		socket.once('error', (error: NodeJS.ErrnoException) => finish({ reachable: false, reason: reasonFor(error) }));
	});
}
