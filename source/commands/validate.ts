// `kubestrap validate`: checks the spec and prints one line per problem. Contacts nothing.
import { formatProblem } from '../spec/resolve.js';
import { clusterSummary } from '../spec/summary.js';
import { EXIT, type Io } from './io.js';
import { printProblems, specFromOptions, type SpecOptions } from './spec-input.js';

export async function validateCommand(options: SpecOptions & { output?: string }, io: Io): Promise<number> {
	const result = await specFromOptions(options, io);
	if (options.output === 'json') {
		const body = result.ok
			? { valid: true, summary: clusterSummary(result.cluster), problems: [] }
			: { valid: false, problems: result.problems.map((p) => ({ path: p.path, message: p.message, text: formatProblem(p) })) };
		io.stdout(`${JSON.stringify(body, null, 2)}\n`);
		return result.ok ? EXIT.ok : EXIT.invalid;
	}
	if (!result.ok) {
		printProblems(result, io);
		return EXIT.invalid;
	}
	io.stdout(`valid: ${clusterSummary(result.cluster)}\n`);
	return EXIT.ok;
}
