// A kubeconfig whose client certificate Node cannot load fails the API check with a message; it never
// throws out of the check (which would end the install in a stack trace).
import test from 'ava';
import { stringify } from 'yaml';
import { checkReadyz } from '../../source/steps/readyz.js';

function kubeconfig(user: Record<string, string>): string {
	return stringify({
		apiVersion: 'v1',
		kind: 'Config',
		'current-context': 'c',
		contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
		clusters: [{ name: 'k', cluster: { server: 'https://127.0.0.1:1' } }],
		users: [{ name: 'u', user }],
	});
}

test('an unloadable client certificate and key: a one-line reason, no exception', async (t) => {
	const garbage = Buffer.from('-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n').toString('base64');
	const reason = await checkReadyz(kubeconfig({ 'client-certificate-data': garbage, 'client-key-data': garbage }), 1000);
	t.regex(reason ?? '', /^the kubeconfig's credentials cannot be used \(.+\); fetch a fresh kubeconfig/);
	t.false((reason ?? '').includes('\n'));
});
