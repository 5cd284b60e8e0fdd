// `kubestrap kubeconfig`: fetch the admin kubeconfig from a control plane again (the first that answers),
// with its server set to the control-plane endpoint (else the first control plane's address) and its
// entries named after the cluster; written 0600 through a temp file and a rename, or merged into the
// user's kubeconfig keeping the other contexts.
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { mergeKubeconfig, namedKubeconfig } from '../cluster/kubeconfig-merge.js';
import { connect } from '../remote/connection.js';
import { createRedactor } from '../remote/redact.js';
import { splitHostPort } from '../spec/addresses.js';
import { API_PORT } from '../steps/kubeadm-config.js';
import { ADMIN_KUBECONFIG } from '../steps/kubectl.js';
import type { Cluster } from '../spec/types.js';
import { EXIT, writeFileAtomic, type Io } from './io.js';
import { printProblems, specFromOptions, type SpecOptions } from './spec-input.js';
import { connectOptions } from './ssh-connect.js';

export interface KubeconfigOptions extends SpecOptions {
	outputFile?: string;
	merge?: boolean;
	/** decided by cli.tsx: the first file of $KUBECONFIG, else ~/.kube/config */
	mergeFile?: string;
	connectTimeout?: string;
}

function bracket(host: string): string {
	return host.includes(':') ? `[${host}]` : host;
}

/** The address this machine reaches the API at: the endpoint, else the first control plane (in kubeadm's SANs). */
export function serverFor(cluster: Cluster): string {
	const endpoint = cluster.spec.kubernetes.controlPlaneEndpoint;
	if (endpoint !== '') {
		const { host, port } = splitHostPort(endpoint);
		return `https://${bracket(host)}:${port ?? API_PORT}`;
	}
	const first = cluster.spec.hosts.find((h) => h.role === 'control-plane');
	return `https://${bracket(first?.address ?? '')}:${API_PORT}`;
}

export async function kubeconfigCommand(options: KubeconfigOptions, io: Io): Promise<number> {
	if (options.merge === true && options.outputFile !== undefined) {
		io.stderr('--output-file and --merge: choose one\n');
		return EXIT.invalid;
	}
	const timeout = options.connectTimeout ?? '30';
	if (!/^\d{1,4}$/.test(timeout) || Number(timeout) === 0) {
		io.stderr(`--connect-timeout ${JSON.stringify(timeout)} must be a whole number above 0\n`);
		return EXIT.invalid;
	}
	const result = await specFromOptions(options, io);
	if (!result.ok) {
		printProblems(result, io);
		return EXIT.invalid;
	}
	let cluster = result.cluster;
	if (cluster.spec.target === 'aws') {
		const { prepareAws } = await import('./aws.js');
		const prepared = await prepareAws(cluster, {}, io, true);
		if (typeof prepared === 'number') return prepared;
		cluster = prepared.cluster;
	}
	const abort = new AbortController();
	const onAbort = (): void => abort.abort();
	io.signal?.addEventListener('abort', onAbort, { once: true });
	let admin: string | undefined;
	const errors: string[] = [];
	try {
		for (const host of cluster.spec.hosts.filter((h) => h.role === 'control-plane')) {
			try {
				const remote = await connect(connectOptions(cluster, host.address, io, { deadlineMs: Number(timeout) * 1000, redactor: createRedactor(), signal: abort.signal }));
				try {
					admin = (await remote.download(ADMIN_KUBECONFIG, { sudo: true })).toString('utf8');
				} finally {
					await remote.close();
				}
				break;
			} catch (error) {
				if (abort.signal.aborted) return EXIT.interrupted;
				errors.push(`${host.address}: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
			}
		}
	} finally {
		io.signal?.removeEventListener('abort', onAbort);
	}
	if (admin === undefined) {
		for (const line of errors) io.stderr(`${line}\n`);
		io.stderr(`no control plane gave ${ADMIN_KUBECONFIG}; is the cluster installed? (kubestrap status${options.config ? ` --config ${options.config}` : ''})\n`);
		return EXIT.failed;
	}
	const name = cluster.metadata.name;
	const kubeconfig = namedKubeconfig(admin, name, serverFor(cluster));
	if (options.merge === true) {
		const target = resolve(io.cwd, options.mergeFile ?? '.kube/config');
		const existing = await readFile(target, 'utf8').catch((error: NodeJS.ErrnoException) => {
			if (error.code === 'ENOENT') return '';
			throw error;
		});
		await mkdir(dirname(target), { recursive: true, mode: 0o700 });
		await writeFileAtomic(target, mergeKubeconfig(existing, kubeconfig), 0o600);
		await chmod(target, 0o600);
		io.stderr(`merged context ${name} into ${target} (mode 0600) and made it current; server ${serverFor(cluster)}\n`);
		return EXIT.ok;
	}
	const path = resolve(io.cwd, options.outputFile ?? `${name}.kubeconfig`);
	await writeFileAtomic(path, kubeconfig, 0o600);
	await chmod(path, 0o600);
	io.stderr(`kubeconfig: ${path} (mode 0600, context ${name}, server ${serverFor(cluster)})\n`);
	return EXIT.ok;
}
