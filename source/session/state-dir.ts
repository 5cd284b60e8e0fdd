// Where a cluster's local state lives: .kubestrap/<name>/ next to where kubestrap runs, mode 0700,
// holding the journal, the lock and one log file per run (all 0600).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export async function stateDir(cwd: string, clusterName: string): Promise<string> {
	const dir = join(cwd, '.kubestrap', clusterName);
	await mkdir(join(dir, 'logs'), { recursive: true, mode: 0o700 });
	return dir;
}
