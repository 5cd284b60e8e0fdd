// `status --kubeconfig` reads the file before handing it to kubectl: a file that is not one (FIFO,
// device, too large), not YAML, or has no usable context is exit 2 with one line, instead of kubectl
// waiting on a hidden username prompt or printing its own errors. insecure-skip-tls-verify is named.
// Exec credential plugins in the kubeconfig are run by kubectl, as with any kubectl call.
import { existsSync } from 'node:fs';
import { parse } from 'yaml';

import { LocalFileError, readBounded } from '../files/bounded-read.js';
import { EXIT, onSearchPath, type Io } from './io.js';

interface Named<T> {
	name?: unknown;
	cluster?: T;
	user?: T;
	context?: T;
}

export interface KubeconfigVerdict {
	/** set when the file cannot be used: one line naming the path and the fix */
	error?: string;
	warnings: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const CREDENTIAL_KEYS = ['client-certificate', 'client-certificate-data', 'token', 'tokenFile', 'exec', 'auth-provider', 'username'];

export async function checkKubeconfig(path: string): Promise<KubeconfigVerdict> {
	let text: string;
	try {
		text = (await readBounded(path, 'kubeconfig')).toString('utf8');
	} catch (error) {
		if (error instanceof LocalFileError) return { error: `--kubeconfig: ${error.message}`, warnings: [] };
		throw error;
	}
	let doc: unknown;
	try {
		doc = parse(text, { maxAliasCount: 100 });
	} catch (error) {
		return { error: `--kubeconfig: ${path} is not valid YAML (${(error as Error).message.split('\n')[0]}); fetch a fresh kubeconfig`, warnings: [] };
	}
	if (!isRecord(doc)) return { error: `--kubeconfig: ${path} is not a kubeconfig (no mapping with clusters, users and contexts)`, warnings: [] };
	const list = <T>(key: string): Array<Named<T>> => (Array.isArray(doc[key]) ? (doc[key] as unknown[]).filter(isRecord) as Array<Named<T>> : []);
	const contexts = list<Record<string, unknown>>('contexts');
	const clusters = list<Record<string, unknown>>('clusters');
	const users = list<Record<string, unknown>>('users');
	const currentName = doc['current-context'];
	const current = contexts.find((c) => c.name === currentName) ?? (currentName === undefined || currentName === '' ? contexts[0] : undefined);
	if (current === undefined) {
		return { error: `--kubeconfig: ${path} has ${currentName ? `no context named ${JSON.stringify(String(currentName).slice(0, 80))}` : 'no context'}; set current-context to one of its contexts`, warnings: [] };
	}
	const cluster = clusters.find((c) => c.name === current.context?.['cluster'])?.cluster;
	if (!isRecord(cluster) || typeof cluster['server'] !== 'string') {
		return { error: `--kubeconfig: ${path}: the current context's cluster has no server; fetch a fresh kubeconfig`, warnings: [] };
	}
	const user = users.find((u) => u.name === current.context?.['user'])?.user;
	if (!isRecord(user) || !CREDENTIAL_KEYS.some((key) => user[key] !== undefined)) {
		return { error: `--kubeconfig: ${path}: the current context's user has no credentials (no client certificate, token or exec plugin), so kubectl would ask for a username; fetch a kubeconfig with credentials`, warnings: [] };
	}
	const warnings: string[] = [];
	if (cluster['insecure-skip-tls-verify'] === true) {
		warnings.push(`warning: ${path} sets insecure-skip-tls-verify for ${String(cluster['server']).slice(0, 120)}: the API server's certificate is not checked, so anyone on the path can read this session`);
	}
	return { warnings };
}

/**
 * The gate every `--kubeconfig K` command passes before it runs the local kubectl: the file exists and is
 * usable (with its warnings printed), and kubectl is on PATH. Returns undefined to go on, or the exit code.
 */
export async function localKubeconfigGate(path: string, io: Io, purpose: 'read' | 'reach', needKubectl = true): Promise<number | undefined> {
	if (!existsSync(path)) {
		io.stderr(`--kubeconfig: ${path} does not exist\n`);
		return EXIT.invalid;
	}
	const verdict = await checkKubeconfig(path);
	if (verdict.error !== undefined) {
		io.stderr(`${verdict.error}\n`);
		return EXIT.invalid;
	}
	for (const warning of verdict.warnings) io.stderr(`${warning}\n`);
	// `status --watch` reads the API with the client library and needs kubectl only as a fallback.
	if (needKubectl && !onSearchPath('kubectl', io.searchPath)) {
		io.stderr(`--kubeconfig: no kubectl on PATH to ${purpose} the cluster with; install kubectl, or use --config cluster.yaml to ${purpose} it over SSH on the first control plane\n`);
		return EXIT.invalid;
	}
	return undefined;
}
