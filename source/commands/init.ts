// `kubestrap init [EXAMPLE]`: writes a commented starter cluster.yaml (or one of the shipped examples)
// for the user to edit, never over an existing file unless --force. Versions come from the support
// table, and the `$schema` line points at the schema shipped with this kubestrap.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { schemaComment } from '../spec/cluster-yaml.js';
import { CALICO_VERSION, CILIUM_VERSION, DEFAULT_KUBERNETES_MINOR, KUBERNETES_MINORS } from '../spec/versions.js';
import { writeFileAtomic } from '../session/write-file.js';
import { EXIT, type Io } from './io.js';
import { examplesDir, schemaLocation, writeSchemaBeside } from './package-files.js';

export function starterYaml(schema: string): string {
	return `${schemaComment(schema)}
# A starter cluster for kubestrap: edit the addresses, then \`kubestrap validate\` and \`kubestrap install\`.
# Every key is described by \`kubestrap validate --help\` (each flag names the key it sets).
apiVersion: kubestrap.dev/v1alpha1
kind: Cluster
metadata:
  name: demo                      # RFC 1123 label, at most 32 characters
spec:
  target: baremetal               # baremetal | aws (aws: replace hosts with spec.aws)
  hosts:                          # one control plane (or an odd number with controlPlaneEndpoint), then workers
    - address: 192.0.2.10         # IP or DNS name that SSH connects to
      role: control-plane
    - address: 192.0.2.11
      role: worker
  ssh:
    user: ubuntu
    port: 22
    knownHostsFile: ~/.ssh/known_hosts
    hostKeyPolicy: strict         # strict | accept-new
  kubernetes:
    version: "${DEFAULT_KUBERNETES_MINOR}"                 # supported: ${KUBERNETES_MINORS.map((m) => m.minor).join(', ')}
    podSubnet: 10.244.0.0/16
    serviceSubnet: 10.96.0.0/12
  network:
    cni: cilium                   # cilium (${CILIUM_VERSION}) | calico (${CALICO_VERSION})
    cilium:
      ipam: cluster-pool          # cluster-pool | kubernetes | crd | eni (aws only)
      tunnel: vxlan               # vxlan | geneve | disabled
      hubble: true
`;
}

export async function exampleNames(): Promise<string[]> {
	const dir = examplesDir();
	if (dir === undefined) return [];
	return (await readdir(dir)).filter((name) => name.endsWith('.yaml')).map((name) => name.replace(/\.yaml$/, '')).sort();
}

export async function initCommand(example: string | undefined, options: { outputFile?: string; force?: boolean }, io: Io): Promise<number> {
	const file = options.outputFile ?? 'cluster.yaml';
	let text: string;
	if (example === undefined) text = starterYaml(schemaLocation());
	else {
		const dir = examplesDir();
		if (dir === undefined) {
			io.stderr(`init: the single executable does not carry the examples; run \`kubestrap init\` for the commented starter, or take ${example}.yaml from the npm package or the repository's examples/\n`);
			return EXIT.invalid;
		}
		const names = await exampleNames();
		if (!names.includes(example)) {
			io.stderr(`init: no example named ${JSON.stringify(example)}; examples: ${names.join(', ')}\n`);
			return EXIT.invalid;
		}
		const content = await readFile(join(dir, `${example}.yaml`), 'utf8');
		// The examples point at the schema by a path relative to the repository; the copy points at this one.
		text = content.replace(/^# yaml-language-server: \$schema=.*$/m, schemaComment(schemaLocation()));
	}
	const target = resolve(io.cwd, file);
	if (options.force !== true) {
		const exists = await stat(target).then(() => true, () => false);
		if (exists) {
			io.stderr(`init: ${file} exists; nothing was written (add --force to replace it)\n`);
			return EXIT.invalid;
		}
	}
	try {
		await writeFileAtomic(target, text, 0o600);
		await writeSchemaBeside(target);
	} catch (error) {
		io.stderr(`${file}: cannot write it (${(error as NodeJS.ErrnoException).code ?? String(error)})\n`);
		return EXIT.failed;
	}
	io.stderr(`wrote ${file}${example === undefined ? '' : ` (example ${example})`}; next: kubestrap validate${file === 'cluster.yaml' ? '' : ` --config ${file}`}\n`);
	return EXIT.ok;
}
