// Host key fingerprints from console output as cloud-init prints them (with and without the "ec2: "
// prefix, kernel timestamps, CRLF), plus the public-key block; MD5 fingerprints are ignored.
import { createHash } from 'node:crypto';
import { GetConsoleOutputCommand } from '@aws-sdk/client-ec2';
import test from 'ava';
import { consoleHostKeys, keyTypeName, parseConsoleHostKeys } from '../../source/cloud/console-keys.js';
import { callOptions, ec2Error, mockedEc2 } from './_ec2.js';

const ED = 'SHA256:' + 'e'.repeat(43);
const EC = 'SHA256:' + 'c'.repeat(42) + 'Q';
const PUBLIC = Buffer.from('00000007ssh-rsa-fake-key-bytes').toString('base64');
const PUBLIC_FP = `SHA256:${createHash('sha256').update(Buffer.from(PUBLIC, 'base64')).digest('base64').replace(/=+$/, '')}`;

const CONSOLE = [
	'[   10.123456] cloud-init[1234]: Cloud-init v. 24.1 running',
	'<14>Jan  1 00:00:00 ec2: ',
	'ec2: #############################################################',
	'ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----\r',
	`ec2: 256 ${EC} root@ip-10-0-1-10 (ECDSA)\r`,
	`ec2: 256 ${ED} root@ip-10-0-1-10 (ED25519)`,
	'ec2: 2048 aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99 root@ip-10-0-1-10 (RSA)',
	'ec2: -----END SSH HOST KEY FINGERPRINTS-----',
	'ec2: #############################################################',
	'-----BEGIN SSH HOST KEY KEYS-----',
	`ssh-rsa ${PUBLIC} root@ip-10-0-1-10`,
	`ssh-ed25519 not-base64!! root@ip`,
	'-----END SSH HOST KEY KEYS-----',
	`256 SHA256:${'z'.repeat(43)} outside any block (ED25519)`,
].join('\n');

test('both blocks parsed, prefixes stripped, MD5 and lines outside the blocks ignored', (t) => {
	t.deepEqual(parseConsoleHostKeys(CONSOLE), [
		{ type: 'ECDSA', fingerprint: EC },
		{ type: 'ED25519', fingerprint: ED },
		{ type: 'RSA', fingerprint: PUBLIC_FP },
	]);
	t.deepEqual(parseConsoleHostKeys('no keys here\n'), []);
	t.is(keyTypeName('ecdsa-sha2-nistp384'), 'ECDSA');
	t.is(keyTypeName('rsa-sha2-512'), 'RSA');
});

test('GetConsoleOutput: base64 decoded; denied or empty output is a note, not a failure', async (t) => {
	const { client, mock } = mockedEc2();
	mock.on(GetConsoleOutputCommand, { InstanceId: 'i-1' }).resolves({ InstanceId: 'i-1', Output: Buffer.from(CONSOLE).toString('base64') });
	mock.on(GetConsoleOutputCommand, { InstanceId: 'i-2' }).resolves({ InstanceId: 'i-2' });
	mock.on(GetConsoleOutputCommand, { InstanceId: 'i-3' }).rejects(ec2Error('UnauthorizedOperation', 'no', 403));
	mock.on(GetConsoleOutputCommand, { InstanceId: 'i-4' }).resolves({ InstanceId: 'i-4', Output: Buffer.from('booting\n').toString('base64') });
	t.is((await consoleHostKeys(client, 'i-1', callOptions())).keys.length, 3);
	t.regex((await consoleHostKeys(client, 'i-2', callOptions())).note ?? '', /console output is empty/);
	t.deepEqual(await consoleHostKeys(client, 'i-3', callOptions()), { keys: [], note: 'not allowed to read its console output (ec2:GetConsoleOutput)' });
	t.regex((await consoleHostKeys(client, 'i-4', callOptions())).note ?? '', /shows no SSH host key fingerprints/);
});
