// kubectl on the first control plane, always with the admin kubeconfig kubeadm wrote there (root
// only, so every call runs with sudo). One function builds the argv so every caller — the apply
// step, the readiness watch and `kubestrap status` — sends the same shape of command.
export const ADMIN_KUBECONFIG = '/etc/kubernetes/admin.conf';

export function kubectl(...args: string[]): string[] {
	return ['kubectl', '--kubeconfig', ADMIN_KUBECONFIG, ...args];
}

/** The one list the readiness watch and status read each round: everything the verdict needs. */
export const SNAPSHOT_ARGS = ['get', 'nodes,pods,daemonsets,deployments', '-A', '-o', 'json'] as const;

export function snapshotCommand(): string[] {
	return kubectl(...SNAPSHOT_ARGS);
}

export function eventsCommand(): string[] {
	return kubectl('get', 'events', '-A', '-o', 'json');
}

export const CILIUM_CONFIG_ARGS = ['-n', 'kube-system', 'get', 'configmap', 'cilium-config', '--ignore-not-found', '-o', 'json'] as const;

export function ciliumConfigCommand(): string[] {
	return kubectl(...CILIUM_CONFIG_ARGS);
}

/** The last lines a crash-looping container printed before it exited. */
export function previousLogsArgs(namespace: string, pod: string, container: string, lines: number): string[] {
	return ['logs', '-n', namespace, pod, '-c', container, '--previous', `--tail=${lines}`];
}

export function previousLogsCommand(namespace: string, pod: string, container: string, lines: number): string[] {
	return kubectl(...previousLogsArgs(namespace, pod, container, lines));
}
