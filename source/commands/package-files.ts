// Files shipped in the kubestrap package (package.json `files`), found from this module's own location,
// so they are right in a clone (after the build) and in a global or local npm install alike.
import { readPackageText } from '../package-files.js';
import { fileURLToPath } from 'node:url';

/** The package root: dist/source/commands/ is three levels below it. */
function packageRoot(): URL {
	return new URL('../../../', import.meta.url);
}

/** kubestrap's version, read through the one reader of shipped files (a file, or the executable's asset). */
export function packageVersion(): string {
	return (JSON.parse(readPackageText('package.json')) as { version: string }).version;
}

/** The JSON Schema of cluster.yaml as an absolute file URL, for the `$schema` line of a saved file. */
export function schemaLocation(): string {
	return new URL('schema/cluster.schema.json', packageRoot()).href;
}

export function examplesDir(): string {
	return fileURLToPath(new URL('examples/', packageRoot()));
}
