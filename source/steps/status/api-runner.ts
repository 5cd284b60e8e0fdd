// status --watch's route through the API itself: @kubernetes/client-node with a kubeconfig (source/kubeapi),
// no kubectl. It serves the follower the same raw reads the kubectl runners do, plus the CNI's ConfigMap
// and previous logs through their API paths; it runs no kubectl commands.
import type { ApiReader } from '../../kubeapi/api-reader.js';
import type { RawReader } from './cluster-follow.js';
import type { KubectlRunner } from './kubectl-runner.js';

/** The API route: @kubernetes/client-node through the kubeconfig, no kubectl (source/kubeapi). */
function apiRunner(reader: ApiReader, signal: AbortSignal): KubectlRunner {
	const raw: RawReader = { where: reader.where, get: (path, options) => reader.get(path, options) };
	const get = (path: string, timeoutMs = 30_000) => reader.get(path, { signal, timeoutMs });
	return {
		where: reader.where,
		how: 'GET …?watch=1 with resourceVersion',
		run: async () => ({ code: null, stdout: '', stderr: `${reader.where} runs no kubectl` }),
		raw,
		cniConfig: async () => {
			const out = await get('/api/v1/namespaces/kube-system/configmaps/cilium-config');
			return out.code === 0 ? out.stdout : '';
		},
		previousLogs: (namespace, pod, container, lines, timeoutMs) =>
			get(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log?container=${encodeURIComponent(container)}&previous=true&tailLines=${lines}`, timeoutMs),
		close: async () => undefined,
	};
}

/** The API through the kubeconfig, when it answers GET /version from here; else why not. */
export async function reachApi(path: string, signal: AbortSignal): Promise<KubectlRunner | string> {
	const { apiReader } = await import('../../kubeapi/api-reader.js');
	let reader: ApiReader;
	try {
		reader = await apiReader(path);
	} catch (error) {
		return `the client could not load ${path}: ${(error as Error).message}`;
	}
	const probe = await reader.get('/version', { signal, timeoutMs: 10_000 });
	if (probe.code !== 0) return `${reader.server} did not answer GET /version from here (${(probe.stderr || probe.stdout).trim().split('\n')[0]})`;
	return apiRunner(reader, signal);
}
