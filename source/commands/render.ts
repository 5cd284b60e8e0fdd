// `kubestrap render`: the CNI manifests install would apply, as one multi-document YAML stream.
import { resolve } from 'node:path';
import { renderManifests } from '../cluster/render.js';
import { EXIT, writeFileAtomic, type Io } from './io.js';
import { describeWriteFailure, isRefusedTarget } from '../files/safe-write.js';
import { printProblems, specFromOptions, type SpecOptions } from './spec-input.js';

export async function renderCommand(options: SpecOptions & { output?: string }, io: Io): Promise<number> {
	const result = await specFromOptions(options, io);
	if (!result.ok) {
		printProblems(result, io);
		return EXIT.invalid;
	}
	const rendered = renderManifests(result.cluster);
	if (options.output === undefined || options.output === '-') {
		io.stdout(rendered.text);
		return EXIT.ok;
	}
	const target = resolve(io.cwd, options.output);
	try {
		await writeFileAtomic(target, rendered.text);
	} catch (error) {
		io.stderr(`${describeWriteFailure(options.output, error)}\n`);
		return isRefusedTarget(error) ? EXIT.invalid : EXIT.failed;
	}
	io.stderr(`wrote ${rendered.documents.length} objects (${rendered.release}) to ${options.output}\n`);
	return EXIT.ok;
}
