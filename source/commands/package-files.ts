// Files shipped in the kubestrap package (package.json `files`), found from this module's own location,
// so they are right in a clone (after the build) and in a global or local npm install alike. The single
// executable carries them inside itself (source/package-files.ts), so where a path on disk is needed
// (the `$schema` line of a saved file) it writes the file next to the config instead.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPackageText, runningAsExecutable } from '../package-files.js';
import { writeFileAtomic } from '../session/write-file.js';

/** The package root: dist/source/commands/ is three levels below it. */
function packageRoot(): URL {
	return new URL('../../../', import.meta.url);
}

/** kubestrap's version, read through the one reader of shipped files (a file, or the executable's asset). */
export function packageVersion(): string {
	return (JSON.parse(readPackageText('package.json')) as { version: string }).version;
}

const SCHEMA_BESIDE = 'cluster.schema.json';

/**
 * Where the `$schema` line of a saved cluster.yaml points: the package's own schema as an absolute file URL,
 * or, from the single executable, a copy written beside the file (see writeSchemaBeside).
 */
export function schemaLocation(): string {
	return runningAsExecutable() ? `./${SCHEMA_BESIDE}` : new URL('schema/cluster.schema.json', packageRoot()).href;
}

/** From the single executable: writes the schema the saved file's `$schema` line names, next to it. */
export async function writeSchemaBeside(configPath: string): Promise<void> {
	if (!runningAsExecutable()) return;
	await writeFileAtomic(join(dirname(configPath), SCHEMA_BESIDE), readPackageText('schema/cluster.schema.json'));
}

/** The examples folder of the npm package; the single executable does not carry the examples. */
export function examplesDir(): string | undefined {
	return runningAsExecutable() ? undefined : fileURLToPath(new URL('examples/', packageRoot()));
}
