// A Node.js runtime taken from the npm registry's node-linux-<arch> packages (the official release
// binaries republished there), cached on disk: the single executable is built from one, and CI runs the
// suite on others. `npm pack` is the only download; a pinned sha512 integrity is checked when given.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type Arch = 'x64' | 'arm64';

export interface RuntimeRequest {
	version: string;
	arch: Arch;
	cacheDir: string;
	/** sha512 integrity of the package tarball as npm prints it (`sha512-…`); checked when present. */
	integrity?: string;
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
	return env['KUBESTRAP_NODE_CACHE'] ?? join(env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'kubestrap', 'node');
}

export function tarballIntegrity(data: Buffer): string {
	return `sha512-${createHash('sha512').update(data).digest('base64')}`;
}

/** Path of bin/node for the requested runtime, fetched with `npm pack` and unpacked on first use. */
export async function nodeRuntime(request: RuntimeRequest): Promise<string> {
	const { version, arch, cacheDir } = request;
	if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`node runtime version must be exact (like 24.22.3), got "${version}"`);
	const dir = join(cacheDir, `node-v${version}-linux-${arch}`);
	const bin = join(dir, 'bin', 'node');
	if (existsSync(bin)) return bin;
	await mkdir(cacheDir, { recursive: true });
	const name = `node-linux-${arch}`;
	const tarball = join(cacheDir, `${name}-${version}.tgz`);
	if (!existsSync(tarball)) {
		await run('npm', ['pack', `${name}@${version}`, '--pack-destination', cacheDir, '--silent', '--no-fund', '--no-audit'], { cwd: cacheDir, maxBuffer: 64 * 1024 * 1024 });
	}
	const actual = tarballIntegrity(await readFile(tarball));
	if (request.integrity !== undefined && actual !== request.integrity) {
		await rm(tarball, { force: true });
		throw new Error(`${name}@${version}: tarball integrity ${actual} does not match the pinned ${request.integrity}`);
	}
	const scratch = await mkdtemp(join(cacheDir, '.unpack-'));
	try {
		await run('tar', ['-xzf', tarball, '-C', scratch, 'package/bin/node']);
		await mkdir(join(scratch, 'runtime', 'bin'), { recursive: true });
		await rename(join(scratch, 'package', 'bin', 'node'), join(scratch, 'runtime', 'bin', 'node'));
		await rename(join(scratch, 'runtime'), dir).catch((error: NodeJS.ErrnoException) => {
			// Another process unpacked the same runtime first: theirs is as good as ours.
			if (!existsSync(bin)) throw error;
		});
	} finally {
		await rm(scratch, { recursive: true, force: true });
	}
	return bin;
}

// `node dist/scripts/node-runtime.js 22.23.5 [x64|arm64]` prints the path of that runtime's node binary.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const [version = '', arch = 'x64'] = process.argv.slice(2);
	nodeRuntime({ version, arch: arch === 'arm64' ? 'arm64' : 'x64', cacheDir: defaultCacheDir() }).then(
		(bin) => console.log(bin),
		(error: unknown) => {
			console.error(error instanceof Error ? error.message : String(error));
			process.exitCode = 1;
		},
	);
}
