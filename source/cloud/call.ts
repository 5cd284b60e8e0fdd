// Every EC2 call goes through callEc2: bounded retries with exponential backoff and full jitter for
// throttling (RequestLimitExceeded) and transient faults, then one readable AwsError. The SDK client
// is built with maxAttempts 1 (ec2-client.ts), so this is the only retry layer, the same one tests
// exercise through aws-sdk-client-mock (which replaces the client's send and skips its middleware).
import type { EC2Client } from '@aws-sdk/client-ec2';
import { backoffDelay, sleep as defaultSleep } from '../remote/backoff.js';
import { describeAwsError, errorCode, isRetryable } from './errors.js';

export interface RetryPolicy {
	/** attempts in all, the first included; default 6 */
	maxAttempts?: number;
	/** first backoff ceiling; default 500 ms, doubling up to capMs */
	baseMs?: number;
	capMs?: number;
	random?: () => number;
	/** injectable so tests do not wait */
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
	signal?: AbortSignal;
	onRetry?: (info: { action: string; attempt: number; delayMs: number; code: string }) => void;
}

/** What every cloud function needs besides the client: the region and profile for messages, the retry policy. */
export interface CallOptions {
	region: string;
	profile?: string;
	/** credential values from the environment, scrubbed from any text kubestrap prints */
	secrets?: readonly string[];
	retry?: RetryPolicy;
}

/**
 * Sends one command (typed by the caller's Output: the SDK's per-command overloads do not survive a
 * generic wrapper). The action name in messages comes from the command's class, DescribeInstancesCommand
 * → DescribeInstances.
 */
export async function callEc2<Output>(client: EC2Client, command: object, options: CallOptions): Promise<Output> {
	const action = command.constructor.name.replace(/Command$/, '');
	const retry = options.retry ?? {};
	const maxAttempts = Math.max(1, retry.maxAttempts ?? 6);
	const sleep = retry.sleep ?? defaultSleep;
	for (let attempt = 0; ; attempt++) {
		try {
			return (await client.send(command as never, retry.signal ? { abortSignal: retry.signal } : {})) as Output;
		} catch (error) {
			if (retry.signal?.aborted || attempt + 1 >= maxAttempts || !isRetryable(error)) {
				throw describeAwsError(error, { action, region: options.region, ...(options.profile ? { profile: options.profile } : {}), ...(options.secrets ? { secrets: options.secrets } : {}), attempts: attempt + 1 });
			}
			const delayMs = backoffDelay(attempt, { baseMs: retry.baseMs ?? 500, capMs: retry.capMs ?? 20_000, ...(retry.random ? { random: retry.random } : {}) });
			retry.onRetry?.({ action, attempt: attempt + 1, delayMs, code: errorCode(error) });
			await sleep(delayMs, retry.signal);
		}
	}
}
