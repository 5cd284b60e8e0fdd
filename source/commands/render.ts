// `kubestrap render`: the CNI manifests install would apply, as one multi-document YAML stream
// (-o yaml, the default) or one JSON List object (-o json), on stdout or into --output-file.
import { renderManifests } from '../cluster/render.js';
import { EXIT, type Io } from './io.js';
import { writeResult } from './output-file.js';
import { printProblems, specFromOptions, type SpecOptions } from './spec-input.js';

export interface RenderOptions extends SpecOptions {
	/** yaml | json */
	output?: string;
	outputFile?: string;
}

export async function renderCommand(options: RenderOptions, io: Io): Promise<number> {
	const result = await specFromOptions(options, io);
	if (!result.ok) {
		printProblems(result, io);
		return EXIT.invalid;
	}
	const rendered = renderManifests(result.cluster);
	const text = options.output === 'json'
		? `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: rendered.documents }, null, 2)}\n`
		: rendered.text;
	return writeResult(text, options.outputFile, io, `${rendered.documents.length} objects (${rendered.release})`);
}
