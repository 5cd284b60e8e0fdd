// Exponential backoff with full jitter inside a deadline: hosts that are still booting get retried,
// many hosts retrying at once do not retry in lock-step, and nothing waits past the deadline.

export interface BackoffOptions {
	baseMs?: number;
	factor?: number;
	capMs?: number;
	random?: () => number;
}

/** Delay before retry number `attempt` (0 = the first retry): uniform in [0, min(cap, base·factor^attempt)). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
	const { baseMs = 1000, factor = 2, capMs = 30_000, random = Math.random } = options;
	const ceiling = Math.min(capMs, baseMs * factor ** attempt);
	return Math.floor(random() * ceiling);
}

export interface RetryOptions extends BackoffOptions {
	/** Absolute time (ms since epoch) after which no new attempt starts. */
	deadline: number;
	isRetryable: (error: unknown) => boolean;
	onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
	signal?: AbortSignal;
	now?: () => number;
}

/**
 * Runs `attempt` until it resolves, a non-retryable error is thrown, or the next try would start after the
 * deadline; then the last error is thrown. The attempt receives the time it has left.
 */
export async function retryWithBackoff<T>(
	attempt: (info: { attempt: number; remainingMs: number }) => Promise<T>,
	options: RetryOptions,
): Promise<T> {
	const now = options.now ?? Date.now;
	for (let index = 0; ; index++) {
		options.signal?.throwIfAborted();
		try {
			return await attempt({ attempt: index, remainingMs: Math.max(0, options.deadline - now()) });
		} catch (error) {
			if (!options.isRetryable(error)) {
				throw error;
			}
			const delayMs = backoffDelay(index, options);
			if (now() + delayMs >= options.deadline) {
				throw error;
			}
			options.onRetry?.({ attempt: index + 1, delayMs, error });
			await sleep(delayMs, options.signal);
		}
	}
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) {
			reject(signal.reason);
			return;
		}
		const onAbort = (): void => {
			clearTimeout(timer);
			reject(signal?.reason);
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}
