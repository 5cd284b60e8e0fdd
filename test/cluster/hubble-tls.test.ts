import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import test from 'ava';
import { generateHubbleTls, hubbleServerName, hubbleTlsSecrets, type HubbleTls } from '../../source/cluster/hubble-tls.js';

type Obj = Record<string, unknown>;

const NOW = new Date('2026-09-01T12:00:00Z');

// One key pair generation for the file; every test only reads it.
const generated: Promise<HubbleTls> = generateHubbleTls('demo', NOW);

test('the server certificate is signed by the CA and names the chart\'s SAN', async (t) => {
	const tls = await generated;
	const ca = new X509Certificate(tls.caCert);
	const server = new X509Certificate(tls.serverCert);
	t.true(ca.ca);
	t.is(ca.subject, 'CN=Cilium CA');
	t.true(ca.verify(ca.publicKey), 'the CA is self-signed');
	t.false(server.ca);
	t.true(server.checkIssued(ca));
	t.true(server.verify(ca.publicKey));
	t.is(server.subjectAltName, 'DNS:*.demo.hubble-grpc.cilium.io');
	t.is(server.subject, 'CN=*.demo.hubble-grpc.cilium.io');
	t.true(server.checkHost('anything.demo.hubble-grpc.cilium.io') !== undefined);
	t.deepEqual(server.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'], 'serverAuth and clientAuth, as the chart\'s genSignedCert');
});

test('keys are ECDSA P-256 PKCS#8 and belong to their certificates', async (t) => {
	const tls = await generated;
	for (const [pem, cert] of [[tls.caKey, tls.caCert], [tls.serverKey, tls.serverCert]] as const) {
		t.regex(pem, /^-----BEGIN PRIVATE KEY-----\n/);
		const key = createPrivateKey(pem);
		t.is(key.asymmetricKeyType, 'ec');
		t.is(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
		t.true(new X509Certificate(cert).checkPrivateKey(key));
		t.true(createPublicKey(key).equals(new X509Certificate(cert).publicKey));
	}
});

test('three years of validity, tolerant of a node clock that is a little behind', async (t) => {
	const tls = await generated;
	for (const pem of [tls.caCert, tls.serverCert]) {
		const cert = new X509Certificate(pem);
		const from = new Date(cert.validFrom).getTime();
		const to = new Date(cert.validTo).getTime();
		t.true(from < NOW.getTime() && NOW.getTime() - from <= 60 * 60 * 1000);
		t.is(Math.round((to - NOW.getTime()) / (24 * 60 * 60 * 1000)), 1095);
	}
});

test('the SAN replaces dots in the cluster name, as the chart does', (t) => {
	t.is(hubbleServerName('a.b'), '*.a-b.hubble-grpc.cilium.io');
});

test('the Secrets match the chart: names, namespace, type, keys, base64 PEM', async (t) => {
	const tls = await generated;
	const [ca, server, ...rest] = hubbleTlsSecrets(tls);
	t.is(rest.length, 0);
	const decode = (secret: Obj | undefined, key: string): string => Buffer.from(String((secret?.['data'] as Obj)[key]), 'base64').toString('utf8');
	t.like(ca, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cilium-ca', namespace: 'kube-system' } });
	t.false(ca !== undefined && 'type' in ca, 'Opaque, as the chart writes it');
	t.deepEqual(Object.keys((ca?.['data'] as Obj) ?? {}), ['ca.crt', 'ca.key']);
	t.is(decode(ca, 'ca.crt').trim(), tls.caCert.trim());
	t.is(decode(ca, 'ca.key').trim(), tls.caKey.trim());
	t.like(server, { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'hubble-server-certs', namespace: 'kube-system' } });
	t.deepEqual(Object.keys((server?.['data'] as Obj) ?? {}), ['ca.crt', 'tls.crt', 'tls.key']);
	t.is(decode(server, 'tls.crt').trim(), tls.serverCert.trim());
	t.is(decode(server, 'tls.key').trim(), tls.serverKey.trim());
	t.true(decode(server, 'tls.crt').endsWith('\n'));
});

test('each call makes new keys', async (t) => {
	const other = await generateHubbleTls('demo', NOW);
	t.not(other.caKey, (await generated).caKey);
});
