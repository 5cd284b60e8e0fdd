// Join credentials from the first control plane: a short-lived bootstrap token, the CA public key
// hash (computed here from the CA certificate), and for extra control planes the certificate key.
// They stay in memory, are registered as secrets (redacted everywhere) and reach the joining
// hosts only inside a 0600 file.
import { X509Certificate, createHash } from 'node:crypto';
import { change } from '../runner.js';
import { probe } from '../exec.js';
import type { JoinCredentials } from '../kubeadm-config.js';
import { StepError, type RunContext, type Step, type StepHost } from '../types.js';
import { firstControlPlane } from './init-control-plane.js';

export const CREDENTIALS = 'join-credentials';
const TOKEN = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;
const CERT_KEY = /^[a-f0-9]{64}$/;

export function caCertHash(pem: string): string {
	const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
	return `sha256:${createHash('sha256').update(der).digest('hex')}`;
}

async function secretLine(ctx: RunContext, host: StepHost, argv: string[], pattern: RegExp, what: string): Promise<string> {
	const result = await probe(ctx, 'credentials', host, argv, { sudo: true, secretOutput: true });
	const value = result.stdout.trim().split('\n').pop()?.trim() ?? '';
	if (result.code !== 0 || !pattern.test(value)) throw new StepError(host.id, 'credentials', argv.join(' '), result.code, [`could not read the ${what}`, ...result.stderr.trim().split('\n').slice(-5)]);
	ctx.secret(value);
	return value;
}

function joining(ctx: RunContext): StepHost[] {
	const first = firstControlPlane(ctx);
	return ctx.hosts.filter((h) => h !== first && !h.facts?.hasKubeletConf);
}

export const joinCredentialsStep: Step = {
	id: 'credentials',
	title: 'Join credentials',
	parallel: false,
	targets: (ctx) => [firstControlPlane(ctx)],
	shouldRun: async (ctx) => (joining(ctx).length > 0 ? true : 'every host has joined'),
	async run(ctx, host) {
		await change(ctx, 'credentials', host, 'kubeadm token create --ttl 30m (token kept in memory, never printed)', async () => {
			const token = await secretLine(ctx, host, ['kubeadm', 'token', 'create', '--ttl', '30m'], TOKEN, 'bootstrap token');
			const remote = host.remote;
			if (!remote) throw new Error(`${host.id}: not connected`);
			const caCertHashValue = caCertHash((await remote.download('/etc/kubernetes/pki/ca.crt', { sudo: true })).toString('utf8'));
			const credentials: JoinCredentials = { token, caCertHash: caCertHashValue };
			if (joining(ctx).some((h) => h.host.role === 'control-plane')) {
				credentials.certificateKey = await secretLine(ctx, host, ['kubeadm', 'init', 'phase', 'upload-certs', '--upload-certs'], CERT_KEY, 'certificate key');
			}
			ctx.shared.set(CREDENTIALS, credentials);
		});
	},
};
