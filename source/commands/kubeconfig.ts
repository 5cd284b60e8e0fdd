// `kubestrap kubeconfig`: fetch the admin kubeconfig from a control plane again (read-only session),
// with its server set to the control-plane endpoint (else the first control plane's address) and its
// entries named after the cluster; written 0600 through a temp file and a rename, or merged into the
// user's kubeconfig (the file cli.tsx decided) keeping the other contexts.
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { mergeKubeconfig } from '../cluster/kubeconfig-merge.js';
import { openSession } from '../session/session.js';
import { writeFileAtomic } from '../session/write-file.js';
import { FETCHED, fetchAdminStep } from '../steps/kubeconfig/fetch-admin.js';
import { EXIT, flagProblem, sshIdentity, wholeFlag, type Io } from './io.js';
import { printProblems, specFromOptions, type SpecOptions } from './spec-input.js';
import { sessionHosts } from './session-io.js';

export interface KubeconfigOptions extends SpecOptions {
	outputFile?: string;
	merge?: boolean;
	/** decided by cli.tsx: the first file of $KUBECONFIG, else ~/.kube/config */
	mergeFile?: string;
	connectTimeout?: string;
}

export async function kubeconfigCommand(options: KubeconfigOptions, io: Io): Promise<number> {
	if (options.merge === true && options.outputFile !== undefined) {
		io.stderr('--output-file and --merge: choose one\n');
		return EXIT.invalid;
	}
	const timeout = wholeFlag(options.connectTimeout, 30, '--connect-timeout');
	if (flagProblem(io, [timeout])) return EXIT.invalid;
	const result = await specFromOptions(options, io);
	if (!result.ok) {
		printProblems(result, io);
		return EXIT.invalid;
	}
	let cluster = result.cluster;
	// target aws: the instances found through EC2 as install found them, with the host keys their console output vouches for.
	const hosts = await sessionHosts(cluster, io, 'day2');
	if (typeof hosts === 'number') return hosts;
	cluster = hosts.cluster;
	// Read-only: no lock (an install may be running), no journal.
	const session = await openSession({ ...sshIdentity(io), command: 'kubeconfig', cwd: io.cwd, dryRun: true, concurrency: 1, connectTimeoutMs: (timeout as number) * 1000, ...hosts, ...(io.signal ? { signal: io.signal } : {}), onEvent: () => undefined });
	let kubeconfig: string | undefined;
	try {
		const outcome = await session.run([fetchAdminStep]);
		if (outcome.interrupted) return EXIT.interrupted;
		for (const failure of outcome.failures) io.stderr(`${session.redact(failure.error.message)}\n`);
		kubeconfig = session.ctx.shared.get(FETCHED) as string | undefined;
	} finally {
		await session.close();
	}
	if (kubeconfig === undefined) return EXIT.failed;
	const name = cluster.metadata.name;
	if (options.merge === true) {
		const target = resolve(io.cwd, options.mergeFile ?? '.kube/config');
		const existing = await readFile(target, 'utf8').catch((error: NodeJS.ErrnoException) => {
			if (error.code === 'ENOENT') return '';
			throw error;
		});
		await mkdir(dirname(target), { recursive: true, mode: 0o700 });
		await writeFileAtomic(target, mergeKubeconfig(existing, kubeconfig), 0o600);
		await chmod(target, 0o600);
		io.stderr(`merged context ${name} into ${target} (mode 0600) and made it the current context\n`);
		return EXIT.ok;
	}
	const path = resolve(io.cwd, options.outputFile ?? `${name}.kubeconfig`);
	await writeFileAtomic(path, kubeconfig, 0o600);
	await chmod(path, 0o600);
	io.stderr(`kubeconfig: ${path} (mode 0600, context ${name})\n`);
	return EXIT.ok;
}
