// Files that ship with kubestrap and are read at run time: package.json (the version) and the pinned
// manifests with their parse cache. In the npm package they sit next to dist/; in the single executable
// (scripts/build-exe.ts) they are embedded as SEA assets under the same package-relative paths. Every
// run-time read of a shipped file goes through here, so both forms of kubestrap read the same bytes.
import { readFileSync } from 'node:fs';

interface SeaModule {
	isSea(): boolean;
	getAsset(key: string, encoding: string): string;
}

/** node:sea when running as a single executable; getBuiltinModule avoids a static import Node 20.8 lacks. */
function seaModule(): SeaModule | undefined {
	const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
	const sea = getBuiltin?.call(process, 'node:sea') as SeaModule | undefined;
	return sea?.isSea() === true ? sea : undefined;
}

/** True inside the single executable built by `npm run build:exe`. */
export function runningAsExecutable(): boolean {
	return seaModule() !== undefined;
}

/** A package-relative path (`manifests/…`, `dist/manifests/…`) as a file URL; dist/source/package-files.js → ../../. */
export function packageFileUrl(path: string): URL {
	return new URL(`../../${path}`, import.meta.url);
}

/** The text of a shipped file; throws (as readFileSync does) when it is missing. */
export function readPackageText(path: string): string {
	const sea = seaModule();
	return sea === undefined ? readFileSync(packageFileUrl(path), 'utf8') : sea.getAsset(path, 'utf8');
}
