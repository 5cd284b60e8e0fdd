// Writes the field table of one Kubernetes minor (test/_helpers/k8s-fields/<minor>.json) from a git
// checkout of kubernetes-client/javascript at a tag whose models were generated from that minor's OpenAPI:
// the types reachable from the kinds kubestrap renders or creates, each with its fields and their types.
// No npm package carries the OpenAPI of 1.34 or 1.35 any more (see README, "Tests"), so the tables are kept
// here with their source, and the schema test checks unknown fields against each supported minor.
//   node dist/test/_helpers/k8s-fields/generate.js <checkout> <tag> <minor> > test/_helpers/k8s-fields/<minor>.json
import { execFileSync } from 'node:child_process';

/** The kinds kubestrap renders or creates (the schema test fails when one is missing from a table). */
export const ROOT_TYPES = [
	'V1Namespace', 'V1Lease', 'V1DaemonSet', 'V1Deployment', 'V1Service', 'V1Pod', 'V1ConfigMap', 'V1Secret',
	'V1ServiceAccount', 'V1ClusterRole', 'V1ClusterRoleBinding', 'V1Role', 'V1RoleBinding', 'V1CustomResourceDefinition',
	'V1PodDisruptionBudget',
];

function main(): void {
	const [checkout, tag, minor] = process.argv.slice(2) as [string, string, string];
	const show = (path: string): string => execFileSync('git', ['-C', checkout, 'show', `${tag}:${path}`], { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'ignore'] });
	const header = show('src/gen/models/V1Pod.ts');
	const spec = /OpenAPI spec version: (\S+)/.exec(header)?.[1] ?? '';
	if (!spec.replace(/^release-|^v/, '').startsWith(`${minor}`)) throw new Error(`${tag} is generated from ${spec}, not ${minor}`);
	const commit = execFileSync('git', ['-C', checkout, 'rev-parse', `${tag}^{commit}`], { encoding: 'utf8' }).trim();
	const types: Record<string, Record<string, string>> = {};
	const queue = [...ROOT_TYPES];
	while (queue.length > 0) {
		const name = queue.shift() as string;
		if (name in types) continue;
		let text: string;
		try {
			text = show(`src/gen/models/${name}.ts`);
		} catch {
			continue; // a primitive or a type the generator inlines
		}
		const fields: Record<string, string> = {};
		for (const match of text.matchAll(/"baseName": "([^"]+)",\s*"type": "([^"]+)"/g)) {
			const [, field, type] = match as unknown as [string, string, string];
			fields[field] = type;
			for (const ref of type.matchAll(/\b(V\d\w*|Core\w*|Events\w*|Storage\w*|Authentication\w*|Discovery\w*|Admissionregistration\w*|Apiextensions\w*|Apiregistration\w*|Flowcontrol\w*|Rbac\w*|Resource\w*|Networking\w*)\b/g)) queue.push(ref[1] as string);
		}
		types[name] = fields;
	}
	const sorted = Object.fromEntries(Object.entries(types).sort(([a], [b]) => a.localeCompare(b)));
	process.stdout.write(`${JSON.stringify({ minor, source: { repository: 'kubernetes-client/javascript', tag, commit, openapi: spec }, types: sorted }, null, 1)}\n`);
}

if (process.argv[1]?.endsWith('generate.js')) main();
