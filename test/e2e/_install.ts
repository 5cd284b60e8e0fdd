// Shared by the end-to-end install tests: a cluster.yaml for harness hosts and a runner for the
// built binary that returns its exit code and output.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { TestHosts } from '../_helpers/sshd-hosts.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Roles {
	controlPlanes: number;
	endpoint?: string;
	policy?: 'strict' | 'accept-new';
	knownHostsFile?: string;
	/** spec.network; default Cilium with its defaults */
	network?: Record<string, unknown>;
}

export function writeConfig(hosts: TestHosts, roles: Roles): { dir: string; config: string } {
	const dir = mkdtempSync(join(tmpdir(), 'kubestrap-e2e-'));
	const cluster = {
		apiVersion: 'kubestrap.dev/v1alpha1',
		kind: 'Cluster',
		metadata: { name: 'e2e' },
		spec: {
			target: 'baremetal',
			hosts: hosts.hosts.map((h, i) => ({ address: h.address, role: i < roles.controlPlanes ? 'control-plane' : 'worker' })),
			ssh: {
				user: hosts.user,
				port: hosts.hosts[0]?.port ?? 22,
				identityFile: hosts.identityFile,
				knownHostsFile: roles.knownHostsFile ?? hosts.knownHostsFile,
				hostKeyPolicy: roles.policy ?? 'strict',
			},
			kubernetes: { version: '1.35', podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12', ...(roles.endpoint ? { controlPlaneEndpoint: roles.endpoint } : {}) },
			network: roles.network ?? { cni: 'cilium' },
		},
	};
	const config = join(dir, 'cluster.yaml');
	writeFileSync(config, stringify(cluster));
	return { dir, config };
}

export interface Run {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

/** How kubestrap is started: this checkout's bin/kubestrap.js by default; an installed package or the executable otherwise. */
export const CHECKOUT_CLI: readonly string[] = [process.execPath, join(ROOT, 'bin/kubestrap.js')];

export function runCli(args: string[], cwd: string, options: { onSpawn?: (child: ChildProcess) => void; onStderr?: (text: string) => void; signalAfter?: { pattern: RegExp; signal: NodeJS.Signals }; program?: readonly string[]; env?: Record<string, string> } = {}): Promise<Run> {
	return new Promise((resolve) => {
		const [file = process.execPath, ...prefix] = options.program ?? CHECKOUT_CLI;
		const child = spawn(file, [...prefix, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', SSH_AUTH_SOCK: '', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		let signalled = false;
		options.onSpawn?.(child);
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => {
			stderr += chunk.toString();
			options.onStderr?.(chunk.toString());
			if (options.signalAfter && !signalled && options.signalAfter.pattern.test(stderr)) {
				signalled = true;
				child.kill(options.signalAfter.signal);
			}
		});
		child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
	});
}
