// Whether a kubeconfig really reaches the API: GET /readyz from this machine with the kubeconfig's
// own server, CA and client credentials. Install reports success only after this answers "ok", so
// a kubeconfig that points at an address this machine cannot reach is caught before the user is.
import { request } from 'node:https';
import { isIP } from 'node:net';
import { parse } from 'yaml';

interface KubeconfigDoc {
	'current-context'?: string;
	contexts?: Array<{ name?: string; context?: { cluster?: string; user?: string } }>;
	clusters?: Array<{ name?: string; cluster?: { server?: string; 'certificate-authority-data'?: string } }>;
	users?: Array<{ name?: string; user?: { 'client-certificate-data'?: string; 'client-key-data'?: string; token?: string } }>;
}

export interface ApiTarget {
	server: string;
	ca?: Buffer;
	cert?: Buffer;
	key?: Buffer;
	token?: string;
}

function decode(value: string | undefined): Buffer | undefined {
	return value === undefined ? undefined : Buffer.from(value, 'base64');
}

/** The server and credentials of the kubeconfig's current context (else its first entries). */
export function apiTarget(kubeconfig: string): ApiTarget {
	const doc = (parse(kubeconfig) ?? {}) as KubeconfigDoc;
	const context = doc.contexts?.find((c) => c.name === doc['current-context'])?.context ?? doc.contexts?.[0]?.context;
	const cluster = (doc.clusters?.find((c) => c.name === context?.cluster) ?? doc.clusters?.[0])?.cluster;
	const user = (doc.users?.find((u) => u.name === context?.user) ?? doc.users?.[0])?.user;
	if (!cluster?.server) throw new Error('the kubeconfig names no server');
	const target: ApiTarget = { server: cluster.server };
	const ca = decode(cluster['certificate-authority-data']);
	const cert = decode(user?.['client-certificate-data']);
	const key = decode(user?.['client-key-data']);
	if (ca) target.ca = ca;
	if (cert) target.cert = cert;
	if (key) target.key = key;
	if (user?.token) target.token = user.token;
	return target;
}

/** undefined when /readyz answers 200 "ok"; otherwise why not, in one line (never a credential). */
export async function checkReadyz(kubeconfig: string, timeoutMs = 5000): Promise<string | undefined> {
	let target: ApiTarget;
	try {
		target = apiTarget(kubeconfig);
	} catch (error) {
		return `the kubeconfig cannot be read: ${(error as Error).message}`;
	}
	let url: URL;
	try {
		url = new URL('/readyz', target.server);
	} catch {
		return `the kubeconfig's server ${JSON.stringify(target.server)} is not a URL`;
	}
	const host = url.hostname.replace(/^\[|\]$/g, '');
	return new Promise((resolve) => {
		let req: ReturnType<typeof request>;
		try {
			req = request(
			url,
			{
				method: 'GET',
				timeout: timeoutMs,
				...(target.ca ? { ca: target.ca } : {}),
				...(target.cert ? { cert: target.cert } : {}),
				...(target.key ? { key: target.key } : {}),
				...(target.token ? { headers: { authorization: `Bearer ${target.token}` } } : {}),
				// SNI carries names only; an IP server is checked against the certificate's IP SANs.
				...(isIP(host) === 0 ? { servername: host } : {}),
				agent: false,
			},
			(res) => {
				let body = '';
				res.setEncoding('utf8');
				res.on('data', (chunk: string) => {
					if (body.length < 4096) body += chunk;
				});
				res.on('end', () => {
					if (res.statusCode === 200 && body.trim() === 'ok') resolve(undefined);
					else resolve(`GET ${url.href} answered HTTP ${res.statusCode ?? '?'}: ${body.trim().split('\n').slice(-3).join(' ').slice(0, 300)}`);
				});
			},
			);
		} catch (error) {
			// TLS options are checked when the request is made: a client certificate, key or CA that
			// Node cannot load throws here, and is a message like any other failed check.
			resolve(`the kubeconfig's credentials cannot be used (${(error as Error).message.replace(/\s+/g, ' ')}); fetch a fresh kubeconfig or fix its client-certificate-data, client-key-data and certificate-authority-data`);
			return;
		}
		req.on('timeout', () => req.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)));
		req.on('error', (error) => resolve(`cannot reach the API at ${url.origin} with the kubeconfig: ${error.message.replace(/\s+/g, ' ')}`));
		req.end();
	});
}
