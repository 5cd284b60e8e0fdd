// `kubestrap render`: the CNI manifests install would apply, as one multi-document YAML stream.
import { resolve } from 'node:path';
import { renderManifests } from '../cluster/render.js';
import { EXIT, type Io } from './io.js';
import { writeFileAtomic } from '../session/write-file.js';
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
		io.stderr(`${options.output}: cannot write it (${(error as NodeJS.ErrnoException).code ?? String(error)})\n`);
		return EXIT.failed;
	}
	io.stderr(`wrote ${rendered.documents.length} objects (${rendered.release}) to ${options.output}\n`);
	return EXIT.ok;
}
