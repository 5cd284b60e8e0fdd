import test from 'ava';
import { Command } from 'commander';
import { stringify } from 'yaml';
import { addSpecOptions, flagsToTree } from '../../source/spec/flags.js';
import { FIELDS } from '../../source/spec/fields.js';
import { mergeLayers } from '../../source/spec/merge.js';
import { formatProblem, resolveSpec } from '../../source/spec/resolve.js';
import { baremetalBase } from './_base.js';

function parse(argv: string[]): Record<string, unknown> {
	const command = addSpecOptions(new Command('t').exitOverride());
	command.parse(argv, { from: 'user' });
	return command.opts();
}

test('every field with a flag gets an option, booleans a --no- form too', (t) => {
	const command = addSpecOptions(new Command('t'));
	const names = new Set(command.options.map((option) => option.long));
	for (const field of FIELDS.filter((f) => f.flag)) {
		t.true(names.has(`--${field.flag}`), field.path);
		if (field.kind.type === 'boolean') t.true(names.has(`--no-${field.flag}`), field.path);
	}
});

test('flags become a config-shaped tree with only what was given', (t) => {
	const { tree, problems } = flagsToTree(parse(['--cni', 'calico', '--calico-mtu', '1450', '--no-calico-cross-subnet', '--control-plane', '10.0.0.1', '--worker', '10.0.0.2', '--worker', '10.0.0.3', '--aws-instance-tag', 'env=prod', '--aws-instance-tag', 'team=a=b']));
	t.deepEqual(problems, []);
	t.deepEqual(tree, {
		spec: {
			network: { cni: 'calico', calico: { mtu: 1450, crossSubnet: false } },
			hosts: [
				{ address: '10.0.0.1', role: 'control-plane' },
				{ address: '10.0.0.2', role: 'worker' },
				{ address: '10.0.0.3', role: 'worker' },
			],
			aws: { instanceTags: { env: 'prod', team: 'a=b' } },
		},
	});
});

test('bad flag values are reported with the field path and the flag', (t) => {
	const { problems } = flagsToTree(parse(['--ssh-port', '22x', '--cilium-ipam', 'enii', '--aws-instance-tag', 'novalue']));
	t.deepEqual(problems.map(formatProblem).sort(), [
		'spec.aws.instanceTags: --aws-instance-tag "novalue" must be KEY=VALUE',
		'spec.network.cilium.ipam: --cilium-ipam "enii" is not one of cluster-pool, kubernetes, crd, eni; did you mean "eni"?',
		'spec.ssh.port: --ssh-port "22x" must be a whole number from 1 to 65535',
	]);
});

test('precedence: defaults < file < explicit flags', (t) => {
	const file = { content: stringify(baremetalBase()), name: 'cluster.yaml' };
	const fromFile = resolveSpec({ file });
	t.true(fromFile.ok);
	if (!fromFile.ok) return;
	t.is(fromFile.cluster.spec.network.cilium.tunnel, 'vxlan');
	t.is(fromFile.cluster.spec.network.cilium.hubble, true, 'default fills what the file leaves out');
	t.is(fromFile.cluster.spec.ssh.port, 22);

	const { tree } = flagsToTree(parse(['--cilium-tunnel', 'geneve', '--no-cilium-hubble', '--ssh-port', '2222', '--name', 'other']));
	const merged = resolveSpec({ file, flags: tree });
	t.true(merged.ok);
	if (!merged.ok) return;
	t.is(merged.cluster.spec.network.cilium.tunnel, 'geneve');
	t.is(merged.cluster.spec.network.cilium.hubble, false);
	t.is(merged.cluster.spec.ssh.port, 2222);
	t.is(merged.cluster.metadata.name, 'other');
	t.is(merged.cluster.spec.hosts.length, 2, 'hosts from the file stay when no host flag is given');
	t.true(merged.provided.has('spec.network.cilium.tunnel'));
	t.false(merged.provided.has('spec.network.cilium.kubeProxyReplacement'));
});

test('host flags replace the file hosts', (t) => {
	const { tree } = flagsToTree(parse(['--control-plane', '192.0.2.99']));
	const merged = resolveSpec({ file: { content: stringify(baremetalBase()), name: 'c.yaml' }, flags: tree });
	t.true(merged.ok);
	if (merged.ok) t.deepEqual(merged.cluster.spec.hosts, [{ address: '192.0.2.99', role: 'control-plane' }]);
});

test('ENI chooses native routing and no masquerade unless told otherwise', (t) => {
	const { tree } = flagsToTree(parse(['--name', 'e', '--target', 'aws', '--aws-region', 'eu-west-1', '--aws-instance-id', 'i-0abc123def4567890', '--cilium-ipam', 'eni']));
	const result = resolveSpec({ flags: tree });
	t.true(result.ok, result.ok ? '' : result.problems.map(formatProblem).join('\n'));
	if (!result.ok) return;
	t.is(result.cluster.spec.network.cilium.tunnel, 'disabled');
	t.true(result.cluster.spec.network.cilium.disableMasquerade);
	t.is(result.cluster.spec.aws?.addressType, 'public');
});

test('flags alone can describe a whole cluster', (t) => {
	const { tree } = flagsToTree(parse(['--name', 'flags', '--control-plane', '192.0.2.10', '--worker', '192.0.2.11', '--ssh-user', 'ubuntu']));
	const result = resolveSpec({ flags: tree });
	t.true(result.ok);
	if (result.ok) t.is(result.cluster.spec.kubernetes.version, '1.36');
});

test('merging leaves the layers as they were, so merging them again gives the same answers as given', (t) => {
	const file = { metadata: { name: 'demo' }, spec: { target: 'aws', aws: { region: 'eu-west-1', instanceTags: { team: 'a' } }, ssh: { user: 'ubuntu' } } };
	const flags = { spec: { network: { cni: 'calico' } } };
	const before = JSON.stringify([file, flags]);
	const first = mergeLayers([file, flags]);
	t.is(JSON.stringify([file, flags]), before, 'no default was written into a layer');
	const second = mergeLayers([file, flags]);
	t.deepEqual([...second.provided].sort(), [...first.provided].sort());
	t.deepEqual([...first.provided].sort(), ['metadata.name', 'spec.aws.instanceTags', 'spec.aws.region', 'spec.network.cni', 'spec.ssh.user', 'spec.target']);
	t.deepEqual(second.cluster, first.cluster);
});
