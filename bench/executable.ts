// The single executable against the npm CLI: `--version` and `render` of each, next to bare Node
// startup, measured interleaved in one run. The executable carries Node 24, so bare `node -e 0` is
// measured for both this machine's Node and the executable's pinned runtime.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { interleave, median, type Timed } from './measure.js';

export interface ExecutableRow {
	name: string;
	medianMs: number;
	ratio: number;
}

export async function benchExecutable(root: string, rounds = 21): Promise<ExecutableRow[]> {
	const exe = join(root, 'dist', 'exe', 'kubestrap-linux-x64');
	// Builds (or reuses, when its inputs are unchanged) the executables.
	execFileSync(process.execPath, [join(root, 'dist', 'scripts', 'build-exe.js')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
	const { nodeRuntime, defaultCacheDir } = await import('../scripts/node-runtime.js');
	const runtime = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { executableRuntime: { version: string } }).executableRuntime.version;
	const node24 = await nodeRuntime({ version: runtime, arch: 'x64', cacheDir: defaultCacheDir() });
	if (!existsSync(exe)) throw new Error(`${exe} was not built`);
	const node = process.execPath;
	const config = 'examples/baremetal-cilium.yaml';
	const commands: Timed[] = [
		{ name: `node -e 0 (${process.version})`, argv: [node, '-e', '0'] },
		{ name: `node -e 0 (v${runtime}, the executable's)`, argv: [node24, '-e', '0'] },
		{ name: 'npm CLI --version', argv: [node, 'bin/kubestrap.js', '--version'] },
		{ name: 'executable --version', argv: [exe, '--version'] },
		{ name: `npm CLI --version on v${runtime}`, argv: [node24, 'bin/kubestrap.js', '--version'] },
		{ name: 'npm CLI render (cilium example)', argv: [node, 'bin/kubestrap.js', 'render', '--config', config] },
		{ name: 'executable render (cilium example)', argv: [exe, 'render', '--config', config] },
		{ name: `npm CLI render on v${runtime}`, argv: [node24, 'bin/kubestrap.js', 'render', '--config', config] },
	];
	const times = interleave(commands, rounds, root);
	const base = median(times.get(commands[0]?.name ?? '') ?? []);
	return commands.map(({ name }) => {
		const m = median(times.get(name) ?? []);
		return { name, medianMs: m, ratio: m / base };
	});
}
