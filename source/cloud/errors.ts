// What kubestrap says when an EC2 call fails: one sentence naming the cause and the fix, never the
// SDK's stack or raw text that could carry a credential (aws-sdk-js-v3#4674 leaked STS credentials
// through a debug logger; kubestrap passes no logger and keeps error text to what it composes here).

/** credentials: missing, expired or rejected; denied: the identity may not call the action; both are fixed by the user, so they exit 2. */
export type AwsErrorKind = 'credentials' | 'denied' | 'throttled' | 'unreachable' | 'api';

export class AwsError extends Error {
	readonly kind: AwsErrorKind;
	/** the EC2 action that failed, e.g. DescribeInstances */
	readonly action: string;
	/** the error code EC2 or the SDK gave (RequestLimitExceeded, CredentialsProviderError, …) */
	readonly code: string;

	constructor(init: { kind: AwsErrorKind; action: string; code: string; message: string }) {
		super(init.message);
		this.name = 'AwsError';
		this.kind = init.kind;
		this.action = init.action;
		this.code = init.code;
	}
}

const THROTTLING = new Set([
	'RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottled',
	'RequestThrottledException', 'TooManyRequestsException', 'EC2ThrottledException', 'SlowDown', 'BandwidthLimitExceeded',
]);
const TRANSIENT = new Set(['InternalError', 'InternalFailure', 'ServiceUnavailable', 'Unavailable', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError']);
const NETWORK = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED', 'ENETUNREACH', 'EHOSTUNREACH']);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']);
const REJECTED = new Set(['AuthFailure', 'InvalidClientTokenId', 'UnrecognizedClientException', 'SignatureDoesNotMatch', 'IncompleteSignature', 'OptInRequired']);
const DENIED = new Set(['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException']);

interface SdkErrorShape {
	name?: unknown;
	code?: unknown;
	message?: unknown;
	$metadata?: { httpStatusCode?: number };
	$retryable?: unknown;
}

function shape(error: unknown): SdkErrorShape {
	return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

/** The error code: EC2's code (the SDK puts it in `name`), or a Node network error code. */
export function errorCode(error: unknown): string {
	const { name, code } = shape(error);
	if (typeof code === 'string' && NETWORK.has(code)) return code;
	return typeof name === 'string' && name !== '' && name !== 'Error' ? name : typeof code === 'string' ? code : 'Error';
}

/** Throttling and transient faults: worth another attempt after a pause. */
export function isRetryable(error: unknown): boolean {
	const code = errorCode(error);
	if (THROTTLING.has(code) || TRANSIENT.has(code) || NETWORK.has(code)) return true;
	const { $metadata, $retryable } = shape(error);
	if ($retryable !== undefined && $retryable !== null) return true;
	const status = $metadata?.httpStatusCode;
	return status !== undefined && (status === 429 || status >= 500);
}

/**
 * Removes anything shaped like an AWS credential from text kubestrap did not write itself: access key
 * IDs (AKIA…/ASIA…), 40-character secret keys, long session tokens, and the exact values given in
 * `secrets` (the environment's keys).
 */
export function scrubCredentials(text: string, secrets: readonly string[] = []): string {
	let out = text;
	for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join('***');
	return out
		.replace(/\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}\b/g, '***')
		.replace(/(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g, '***')
		.replace(/[A-Za-z0-9/+=]{100,}/g, '***')
		.replace(/Encoded authorization failure message:.*$/s, '(encoded authorization message omitted)');
}

export interface DescribeContext {
	action: string;
	region: string;
	/** AWS_PROFILE from the environment, for the `aws sso login --profile X` hint */
	profile?: string;
	/** credential values from the environment, never to be printed */
	secrets?: readonly string[];
	attempts?: number;
}

function ssoHint(profile: string | undefined): string {
	return `run \`aws sso login --profile ${profile ?? 'default'}\``;
}

/** An SDK or EC2 failure as an AwsError whose message is safe to print. */
export function describeAwsError(error: unknown, context: DescribeContext): AwsError {
	if (error instanceof AwsError) return error;
	const code = errorCode(error);
	const raw = typeof shape(error).message === 'string' ? (shape(error).message as string) : String(error);
	const text = scrubCredentials(raw, context.secrets).split('\n')[0] ?? '';
	const action = `ec2:${context.action}`;
	const make = (kind: AwsErrorKind, message: string): AwsError => new AwsError({ kind, action: context.action, code, message });
	const profile = context.profile;
	if (code === 'CredentialsProviderError' || code === 'TokenProviderError') {
		if (/sso|token is expired|refresh/i.test(raw)) {
			return make('credentials', `the AWS SSO session${profile ? ` of profile ${profile}` : ''} has expired or is not signed in: ${ssoHint(profile)} and try again`);
		}
		return make('credentials', 'no AWS credentials found: set AWS_PROFILE (then `aws sso login --profile NAME` for an SSO profile) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run on an instance with an IAM role');
	}
	if (EXPIRED.has(code)) {
		return make('credentials', `the AWS credentials have expired (${code}): refresh them (for an SSO profile ${ssoHint(profile)}) and try again`);
	}
	if (REJECTED.has(code)) {
		return make('credentials', `AWS rejected the credentials (${code}) in ${context.region}: check AWS_PROFILE or the access keys${profile ? ` (for an SSO profile ${ssoHint(profile)})` : ''}`);
	}
	if (DENIED.has(code)) {
		return make('denied', `not allowed to call ${action} (${code}): the identity kubestrap runs as needs ${action} in ${context.region}`);
	}
	if (THROTTLING.has(code)) {
		return make('throttled', `EC2 kept throttling ${action} (${code}) after ${context.attempts ?? 1} attempts; wait a minute and run again`);
	}
	if (code === 'ENOTFOUND' || /getaddrinfo|ENOTFOUND/.test(raw)) {
		return make('unreachable', `cannot reach the EC2 endpoint of region ${context.region}: check the region (--aws-region) and the network`);
	}
	if (isRetryable(error)) {
		return make('unreachable', `${action} failed after ${context.attempts ?? 1} attempts (${code}${text ? `: ${text}` : ''}); try again later`);
	}
	return make('api', `${action} failed (${code}${text ? `: ${text}` : ''})`);
}
