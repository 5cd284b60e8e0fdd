// Where the check's kubectl calls run: on the first control plane over SSH (with the admin kubeconfig
// kubeadm wrote there, as apply-cni does), or through a local kubectl with --kubeconfig.
import { execFile } from 'node:child_process';
import type { StepRemote } from '../types.js';
import { kubectl } from '../../cluster/kubectl.js';

export interface KubectlResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

export interface KubectlRunner {
	/** for messages: "kubectl on 10.0.0.1 (over SSH)" */
	where: string;
	run(args: string[], options?: { stdin?: string; signal?: AbortSignal; timeoutMs?: number }): Promise<KubectlResult>;
}

export function sshKubectl(remote: StepRemote, host: string): KubectlRunner {
	return {
		where: `kubectl on ${host} (over SSH)`,
		run: (args, o = {}) => remote.exec(kubectl(...args), { sudo: true, timeoutMs: o.timeoutMs ?? 30_000, ...(o.signal ? { signal: o.signal } : {}), ...(o.stdin !== undefined ? { stdin: o.stdin } : {}) }),
	};
}

export function localKubectl(kubeconfig: string, env: Record<string, string | undefined>): KubectlRunner {
	return {
		where: `local kubectl with ${kubeconfig}`,
		run: (args, o = {}) =>
			new Promise((done) => {
				const child = execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: o.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024, env: env as NodeJS.ProcessEnv, ...(o.signal ? { signal: o.signal } : {}) }, (error, stdout, stderr) => {
					const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : null) : 0;
					done({ code, stdout: String(stdout), stderr: error && code === null ? `${String(stderr)}${error.message}` : String(stderr) });
				});
				if (o.stdin !== undefined) child.stdin?.end(o.stdin);
				else child.stdin?.end();
			}),
	};
}
