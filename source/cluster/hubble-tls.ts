// TLS material for the Hubble server on :4244. The pinned render is minikube's, which dropped the
// chart's `cilium-ca` and `hubble-server-certs` Secrets. cilium-config keeps `hubble-disable-tls:
// "false"` and points the server at /var/lib/cilium/tls/hubble/{server.crt,server.key,client-ca.crt},
// which come from the `hubble-tls` projected volume of Secret hubble-server-certs. That source is
// `optional: true`, so the agent pods start without the Secret, but the volume is empty: the Hubble
// server has no certificate to serve and never listens. Turning TLS off instead would let anyone
// who can reach a node read its flows on :4244, so kubestrap generates the Secrets the chart would
// have (same names, keys, types, CA subject and SAN) and install applies them; `kubestrap render`
// prints the manifests without them so no private key reaches stdout. The CA key stays in
// `cilium-ca` as with the chart, so the cilium CLI can later sign Hubble Relay certificates from it.
import { webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';
import { CILIUM_VERSION } from '../spec/versions.js';
import type { KubeObject } from './yaml-stream.js';

export interface HubbleTls {
	/** PEM certificate of the CA (chart: "Cilium CA"), trusted by Hubble clients and servers */
	caCert: string;
	/** PEM PKCS#8 private key of the CA (kept in Secret cilium-ca, as the chart does) */
	caKey: string;
	/** PEM certificate of the Hubble server, signed by the CA */
	serverCert: string;
	/** PEM PKCS#8 private key of the Hubble server */
	serverKey: string;
}

const NAMESPACE = 'kube-system';
const DAY_MS = 24 * 60 * 60 * 1000;
// The chart's CA default (tls.ca.certValidityDuration, 1095 days). The server certificate gets the
// same three years instead of the chart's 365 days: the chart renews it on every `helm upgrade`, and
// kubestrap has no such renewal, so a one-year certificate would silently stop Hubble after a year.
const VALIDITY_DAYS = 1095;
// Certificates are made on the machine running kubestrap; a node whose clock is a little behind
// must not see them as "not yet valid".
const CLOCK_SKEW_MS = 60 * 60 * 1000;

const EC_KEY: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

/** The name the chart gives every Hubble server: `*.<cluster name, dots → dashes>.hubble-grpc.cilium.io`. */
export function hubbleServerName(clusterName: string): string {
	return `*.${clusterName.replaceAll('.', '-')}.hubble-grpc.cilium.io`;
}

/**
 * @peculiar/x509 resolves its parts through tsyringe, which needs a Reflect metadata polyfill in
 * place before it loads. Both are loaded on first use, so importing this module (and the renderer,
 * which only needs hubbleTlsSecrets) changes nothing global.
 */
async function loadX509(): Promise<typeof X509> {
	await import('reflect-metadata');
	return import('@peculiar/x509');
}

function provider(): Crypto {
	// Node's WebCrypto is passed to every @peculiar/x509 call instead of being registered globally.
	return webcrypto as unknown as Crypto;
}

async function pkcs8Pem(x509: typeof X509, key: CryptoKey, crypto: Crypto): Promise<string> {
	const der = await crypto.subtle.exportKey('pkcs8', key);
	return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

export async function generateHubbleTls(clusterName: string, now: Date): Promise<HubbleTls> {
	const x509 = await loadX509();
	const crypto = provider();
	const notBefore = new Date(now.getTime() - CLOCK_SKEW_MS);
	const notAfter = new Date(now.getTime() + VALIDITY_DAYS * DAY_MS);

	const caKeys = await crypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
	const ca = await x509.X509CertificateGenerator.createSelfSigned(
		{
			name: 'CN=Cilium CA',
			keys: caKeys,
			notBefore,
			notAfter,
			signingAlgorithm: SIGNING,
			extensions: [
				new x509.BasicConstraintsExtension(true, undefined, true),
				new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
				await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
			],
		},
		crypto,
	);

	const name = hubbleServerName(clusterName);
	const serverKeys = await crypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
	const server = await x509.X509CertificateGenerator.create(
		{
			subject: [{ CN: [name] }],
			issuer: ca.subject,
			publicKey: serverKeys.publicKey,
			signingKey: caKeys.privateKey,
			notBefore,
			notAfter,
			signingAlgorithm: SIGNING,
			extensions: [
				new x509.BasicConstraintsExtension(false, undefined, true),
				// digitalSignature only: an ECDSA key signs the TLS handshake, it never enciphers keys.
				new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
				// Server for Hubble Relay and the hubble CLI; client too, as the chart's genSignedCert makes it.
				new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth], false),
				new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: name }], false),
				await x509.SubjectKeyIdentifierExtension.create(serverKeys.publicKey, false, crypto),
				await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
			],
		},
		crypto,
	);

	return {
		caCert: ca.toString('pem'),
		caKey: await pkcs8Pem(x509, caKeys.privateKey, crypto),
		serverCert: server.toString('pem'),
		serverKey: await pkcs8Pem(x509, serverKeys.privateKey, crypto),
	};
}

function base64(pem: string): string {
	const text = pem.endsWith('\n') ? pem : `${pem}\n`;
	return Buffer.from(text, 'utf8').toString('base64');
}

function labels(): Record<string, string> {
	return { 'app.kubernetes.io/part-of': 'cilium', 'helm.sh/chart': `cilium-${CILIUM_VERSION}` };
}

/** The chart's two Secrets: `cilium-ca` (Opaque: ca.crt, ca.key) and `hubble-server-certs` (kubernetes.io/tls). */
export function hubbleTlsSecrets(tls: HubbleTls): KubeObject[] {
	return [
		{
			apiVersion: 'v1',
			kind: 'Secret',
			metadata: { name: 'cilium-ca', namespace: NAMESPACE, labels: labels() },
			data: { 'ca.crt': base64(tls.caCert), 'ca.key': base64(tls.caKey) },
		},
		{
			apiVersion: 'v1',
			kind: 'Secret',
			metadata: { name: 'hubble-server-certs', namespace: NAMESPACE, labels: labels() },
			type: 'kubernetes.io/tls',
			data: { 'ca.crt': base64(tls.caCert), 'tls.crt': base64(tls.serverCert), 'tls.key': base64(tls.serverKey) },
		},
	];
}
