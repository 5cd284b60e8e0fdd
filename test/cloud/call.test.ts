// The retry and error layer every EC2 call goes through: throttling retried with backoff (injected, so
// nothing sleeps), expired or missing credentials explained with the fix, and no credential ever in the text.
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import test from 'ava';
import { callEc2 } from '../../source/cloud/call.js';
import { AwsError, describeAwsError, scrubCredentials } from '../../source/cloud/errors.js';
import { callOptions, ec2Error, mockedEc2 } from './_ec2.js';

const command = (): DescribeInstancesCommand => new DescribeInstancesCommand({});

test('RequestLimitExceeded is retried with growing, jittered delays, then succeeds', async (t) => {
	const { client, mock } = mockedEc2();
	mock.on(DescribeInstancesCommand)
		.rejectsOnce(ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503))
		.rejectsOnce(ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503))
		.rejectsOnce(ec2Error('Throttling', 'Rate exceeded', 400))
		.resolves({ Reservations: [] });
	const slept: number[] = [];
	const retries: string[] = [];
	const out = await callEc2<{ Reservations: unknown[] }>(client, command(), callOptions({
		retry: { sleep: async (ms) => void slept.push(ms), random: () => 0.999, onRetry: (info) => retries.push(`${info.action} ${info.code} #${info.attempt}`) },
	}));
	t.deepEqual(out.Reservations, []);
	t.is(mock.commandCalls(DescribeInstancesCommand).length, 4);
	t.deepEqual(slept, [499, 999, 1998], 'full jitter under a ceiling of 500 ms × 2^attempt');
	t.deepEqual(retries, ['DescribeInstances RequestLimitExceeded #1', 'DescribeInstances RequestLimitExceeded #2', 'DescribeInstances Throttling #3']);
});

test('throttling that does not stop: bounded attempts, then one sentence with the code and the count', async (t) => {
	const { client, mock } = mockedEc2();
	mock.on(DescribeInstancesCommand).rejects(ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503));
	const error = await t.throwsAsync(callEc2(client, command(), callOptions({ retry: { maxAttempts: 4, sleep: async () => undefined } })), { instanceOf: AwsError });
	t.is(mock.commandCalls(DescribeInstancesCommand).length, 4);
	t.is(error?.kind, 'throttled');
	t.is(error?.message, 'EC2 kept throttling ec2:DescribeInstances (RequestLimitExceeded) after 4 attempts; wait a minute and run again');
});

test('errors that retrying cannot fix are not retried', async (t) => {
	for (const [name, status] of [['UnauthorizedOperation', 403], ['InvalidParameterValue', 400], ['AuthFailure', 401]] as const) {
		const { client, mock } = mockedEc2();
		mock.on(DescribeInstancesCommand).rejects(ec2Error(name, 'nope', status));
		await t.throwsAsync(callEc2(client, command(), callOptions()), { instanceOf: AwsError });
		t.is(mock.commandCalls(DescribeInstancesCommand).length, 1, name);
	}
});

function credentialsError(message: string, name = 'CredentialsProviderError'): Error {
	return Object.assign(new Error(message), { name });
}

test('an expired SSO session says which `aws sso login` to run, with the profile from the environment', async (t) => {
	const { client, mock } = mockedEc2();
	mock.on(DescribeInstancesCommand).rejects(credentialsError('The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.'));
	const error = await t.throwsAsync(callEc2(client, command(), callOptions({ profile: 'dev-admin' })), { instanceOf: AwsError });
	t.is(error?.kind, 'credentials');
	t.is(error?.message, 'the AWS SSO session of profile dev-admin has expired or is not signed in: run `aws sso login --profile dev-admin` and try again');
	const token = describeAwsError(credentialsError('Token is expired. To refresh this SSO session run \'aws sso login\' with the corresponding profile.', 'TokenProviderError'), { action: 'DescribeInstances', region: 'eu-west-1' });
	t.regex(token.message, /run `aws sso login --profile default`/);
});

test('missing, expired and rejected credentials and denied actions each name the fix', (t) => {
	const at = (error: unknown, profile?: string): AwsError => describeAwsError(error, { action: 'DescribeSecurityGroups', region: 'eu-west-1', ...(profile ? { profile } : {}) });
	const none = at(credentialsError('Could not load credentials from any providers'));
	t.is(none.kind, 'credentials');
	t.regex(none.message, /^no AWS credentials found: set AWS_PROFILE/);
	t.is(at(ec2Error('RequestExpired', 'Request has expired.'), 'ops').message, 'the AWS credentials have expired (RequestExpired): refresh them (for an SSO profile run `aws sso login --profile ops`) and try again');
	t.is(at(ec2Error('AuthFailure', 'AWS was not able to validate the provided access credentials', 401)).message, 'AWS rejected the credentials (AuthFailure) in eu-west-1: check AWS_PROFILE or the access keys');
	const denied = at(ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation. Encoded authorization failure message: AbCdEf0123', 403));
	t.is(denied.kind, 'denied');
	t.is(denied.message, 'not allowed to call ec2:DescribeSecurityGroups (UnauthorizedOperation): the identity kubestrap runs as needs ec2:DescribeSecurityGroups in eu-west-1');
	t.is(at(Object.assign(new Error('getaddrinfo ENOTFOUND ec2.xx-west-9.amazonaws.com'), { code: 'ENOTFOUND' })).kind, 'unreachable');
});

test('no credential reaches the error text: keys from the environment and anything shaped like one are scrubbed', (t) => {
	const accessKey = 'ASIAQWERTYUIOPASDFGH';
	const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';
	const session = `IQoJb3JpZ2luX2VjE${'Abc123+/'.repeat(40)}`;
	const raw = `signature mismatch for ${accessKey} with secret ${secret} and token ${session}; other key AKIAABCDEFGHIJKLMNOP`;
	const error = describeAwsError(ec2Error('SomethingOdd', raw), { action: 'DescribeInstances', region: 'eu-west-1', secrets: [accessKey, secret, session] });
	for (const value of [accessKey, secret, session, 'AKIAABCDEFGHIJKLMNOP', session.slice(0, 60)]) t.false(error.message.includes(value), value);
	t.regex(error.message, /^ec2:DescribeInstances failed \(SomethingOdd: signature mismatch for \*\*\* with secret \*\*\* and token \*\*\*; other key \*\*\*\)$/);
	t.is(scrubCredentials('instance i-0abc123def4567890 in vpc-0123456789abcdef0'), 'instance i-0abc123def4567890 in vpc-0123456789abcdef0', 'IDs stay readable');
});
