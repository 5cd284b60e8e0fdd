// The wizard's pure parts: which questions are asked and in what order, forced answers, typed text to
// values, the non-TTY "missing answers" list, the saved YAML and the equivalent flag form.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { Command } from 'commander';
import { blockingProblems, missingAnswers } from '../../source/commands/wizard.js';
import { addSpecOptions, flagsToTree } from '../../source/spec/flags.js';
import { fieldByPath } from '../../source/spec/fields.js';
import { mergeLayers } from '../../source/spec/merge.js';
import { resolveSpec } from '../../source/spec/resolve.js';
import type { Cluster } from '../../source/spec/types.js';
import { clusterYaml, schemaComment } from '../../source/spec/cluster-yaml.js';
import { flagCommandLines, flagGroups } from '../../source/ui/equivalent-command.js';
import { problemsFor } from '../../source/ui/flow/check.js';
import { applyAnswer, newDraft, UNSET } from '../../source/ui/flow/draft.js';
import { parseAnswer } from '../../source/ui/flow/parse.js';
import { nextQuestion, planQuestions, questionById, type PlanContext } from '../../source/ui/flow/questions.js';
import { currentId, initialState, reduce } from '../../source/ui/flow/state.js';

const SCHEMA = 'file:///kubestrap/schema/cluster.schema.json';
import { selectPrompt } from '../../source/ui/question-screen.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLES = ['baremetal-cilium', 'baremetal-calico-vxlan', 'aws-cilium-eni', 'aws-calico'];

function example(name: string): { text: string; cluster: Cluster } {
	const text = readFileSync(`${root}examples/${name}.yaml`, 'utf8');
	const result = resolveSpec({ file: { content: text, name: `${name}.yaml` } });
	if (!result.ok) throw new Error(`${name}: ${JSON.stringify(result.problems)}`);
	return { text, cluster: result.cluster };
}

function context(trees: Array<Record<string, unknown>> = []): PlanContext & { cluster: Cluster } {
	const { cluster, provided } = mergeLayers(trees);
	return { cluster, provided, connectionTest: false };
}

test('with nothing given, every question is asked in the documented order', (t) => {
	const ctx = context();
	t.deepEqual(planQuestions(ctx.cluster, ctx).map((q) => q.id), [
		'metadata.name', 'spec.target', 'spec.hosts',
		'spec.ssh.user', 'spec.ssh.port', 'spec.ssh.identityFile', 'spec.ssh.hostKeyPolicy', 'spec.ssh.bastion.address',
		'spec.kubernetes.version', 'spec.kubernetes.podSubnet', 'spec.kubernetes.serviceSubnet',
		'spec.network.cni',
		'spec.network.cilium.ipam', 'spec.network.cilium.tunnel', 'spec.network.cilium.disableMasquerade',
		'spec.network.cilium.enablePolicy', 'spec.network.cilium.kubeProxyReplacement', 'spec.network.cilium.hubble',
	]);
});

test('answers add and remove later questions: aws, several control planes, a bastion, native routing, Calico, the SSH check', (t) => {
	const ctx = context();
	const ids = (cluster: Cluster, extra: Partial<PlanContext> = {}) => planQuestions(cluster, { ...ctx, ...extra }).map((q) => q.id);
	let draft = applyAnswer(newDraft(ctx.cluster), 'spec.target', 'aws', ctx.provided).draft;
	t.deepEqual(ids(draft.cluster).slice(2, 6), ['spec.aws.region', 'spec.aws.instanceIds', 'spec.aws.instanceTags', 'spec.aws.addressType']);
	t.true(ids(draft.cluster).includes('spec.kubernetes.controlPlaneEndpoint'), 'offered on aws');
	draft = applyAnswer(draft, 'spec.aws.instanceIds', ['i-0abc123def4567890'], ctx.provided).draft;
	t.false(ids(draft.cluster).includes('spec.aws.instanceTags'), 'IDs given: tags not asked');

	const three = ['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((address) => ({ address, role: 'control-plane' }));
	draft = applyAnswer(newDraft(ctx.cluster), 'spec.hosts', three, ctx.provided).draft;
	t.true(ids(draft.cluster).includes('spec.kubernetes.controlPlaneEndpoint'));
	draft = applyAnswer(draft, 'spec.ssh.bastion.address', 'jump.example.com', ctx.provided).draft;
	t.deepEqual(ids(draft.cluster).filter((id) => id.includes('bastion')), ['spec.ssh.bastion.address', 'spec.ssh.bastion.user', 'spec.ssh.bastion.port']);
	draft = applyAnswer(draft, 'spec.ssh.bastion.address', UNSET, ctx.provided).draft;
	t.is(draft.cluster.spec.ssh.bastion, undefined, 'an empty bastion address removes the bastion');
	draft = applyAnswer(draft, 'spec.network.cilium.tunnel', 'disabled', ctx.provided).draft;
	t.true(ids(draft.cluster).includes('spec.network.cilium.nativeRoutingCIDR'));
	draft = applyAnswer(draft, 'spec.network.cni', 'calico', ctx.provided).draft;
	t.deepEqual(ids(draft.cluster).filter((id) => id.startsWith('spec.network.')), ['spec.network.cni', 'spec.network.calico.encapsulation', 'spec.network.calico.crossSubnet', 'spec.network.calico.mtu']);
	t.true(ids(draft.cluster, { connectionTest: true }).includes('ssh-check'));
	t.false(ids(draft.cluster).includes('ssh-check'), 'no connection test wired: no screen for it');
	const aws = applyAnswer(draft, 'spec.target', 'aws', ctx.provided).draft;
	t.false(ids(aws.cluster, { connectionTest: true }).includes('ssh-check'), 'nothing to test on aws before discovery');
});

test('provided paths are never asked; a section the file set keeps its defaults unless they are wrong', (t) => {
	const ctx = context([{ metadata: { name: 'demo' }, spec: { target: 'baremetal', ssh: { user: 'ubuntu' }, kubernetes: { version: '1.35' }, network: { cni: 'calico' } } }]);
	const ids = planQuestions(ctx.cluster, ctx).map((q) => q.id);
	t.deepEqual(ids, ['spec.hosts', 'spec.network.calico.encapsulation', 'spec.network.calico.crossSubnet', 'spec.network.calico.mtu']);
	const wrong = applyAnswer(newDraft(ctx.cluster), 'spec.hosts', [{ address: '10.244.0.5', role: 'control-plane' }], ctx.provided).draft;
	t.true(planQuestions(wrong.cluster, ctx).some((q) => q.id === 'spec.kubernetes.podSubnet'), 'a host inside the default pod subnet brings its question back');
	const hosts = questionById('spec.hosts');
	if (hosts === undefined) throw new Error('no hosts question');
	t.deepEqual(problemsFor(hosts, newDraft(ctx.cluster), [{ address: '10.244.0.5', role: 'control-plane' }], ctx), [], 'and leaves the problem to it');
});

test('every example file needs no question at all', (t) => {
	for (const name of EXAMPLES) {
		const text = readFileSync(`${root}examples/${name}.yaml`, 'utf8');
		const result = resolveSpec({ file: { content: text, name } });
		if (!result.ok) throw new Error(name);
		const ids = planQuestions(result.cluster, { provided: result.provided, connectionTest: false }).map((q) => q.id);
		t.deepEqual(ids, [], name);
	}
});

test('AWS discovery: the instance screens come last before the review, only on aws and only when wired in; a complete AWS file still shows them', (t) => {
	const ctx = context([{ metadata: { name: 'demo' }, spec: { target: 'aws' } }]);
	const ids = (cluster: Cluster, extra: Partial<PlanContext>) => planQuestions(cluster, { ...ctx, ...extra }).map((q) => q.id);
	t.deepEqual(ids(ctx.cluster, { awsDiscovery: true }).slice(-2), ['spec.network.cilium.hubble', 'aws-discovery'], 'after the CNI answers the checks depend on');
	t.deepEqual(ids(ctx.cluster, { awsDiscovery: true, connectionTest: true }).slice(-2), ['aws-discovery', 'aws-ssh-check']);
	t.false(ids(ctx.cluster, { awsDiscovery: true, connectionTest: true }).includes('ssh-check'), 'the baremetal test stays baremetal');
	t.false(ids(ctx.cluster, { connectionTest: true }).includes('aws-ssh-check'), 'no test without discovered instances');
	t.false(ids(ctx.cluster, {}).includes('aws-discovery'), 'no discovery wired: no screen for it');
	const baremetal = applyAnswer(newDraft(ctx.cluster), 'spec.target', 'baremetal', new Set()).draft;
	t.false(ids(baremetal.cluster, { awsDiscovery: true }).includes('aws-discovery'));
	const file = resolveSpec({ file: { content: example('aws-cilium-eni').text, name: 'aws-cilium-eni.yaml' } });
	if (!file.ok) throw new Error('examples/aws-cilium-eni.yaml does not load');
	const { cluster, provided } = file;
	t.deepEqual(planQuestions(cluster, { provided, connectionTest: true, awsDiscovery: true }).map((q) => q.id), ['aws-discovery', 'aws-ssh-check'], 'the instances are confirmed even when the file answered everything');
	const state = reduce(initialState(newDraft(cluster), { provided, connectionTest: true, awsDiscovery: true }), { type: 'continue', id: 'aws-discovery' }, { provided, connectionTest: true, awsDiscovery: true });
	t.deepEqual(state.history, ['aws-discovery', 'aws-ssh-check']);
});

test('ENI sets tunnel and masquerade, leaves a provided value alone, and gives values back when dropped', (t) => {
	const ctx = context([{ spec: { target: 'aws' } }]);
	const eni = applyAnswer(newDraft(ctx.cluster), 'spec.network.cilium.ipam', 'eni', ctx.provided);
	t.is(eni.draft.cluster.spec.network.cilium.tunnel, 'disabled');
	t.true(eni.draft.cluster.spec.network.cilium.disableMasquerade);
	t.is(eni.notices.length, 1);
	t.regex(eni.notices[0] ?? '', /^IPAM eni: tunnel set to "disabled" and masquerade turned off/);
	const skipped = planQuestions(eni.draft.cluster, ctx).map((q) => q.id);
	t.false(skipped.includes('spec.network.cilium.tunnel'));
	t.false(skipped.includes('spec.network.cilium.disableMasquerade'));
	const back = applyAnswer(eni.draft, 'spec.network.cilium.ipam', 'kubernetes', ctx.provided);
	t.is(back.draft.cluster.spec.network.cilium.tunnel, 'vxlan');
	t.false(back.draft.cluster.spec.network.cilium.disableMasquerade);
	t.deepEqual(back.notices, []);

	const pinned = context([{ spec: { target: 'aws', network: { cilium: { tunnel: 'vxlan' } } } }]);
	const kept = applyAnswer(newDraft(pinned.cluster), 'spec.network.cilium.ipam', 'eni', pinned.provided).draft;
	t.is(kept.cluster.spec.network.cilium.tunnel, 'vxlan', 'a provided tunnel is not overridden');
	const ipam = questionById('spec.network.cilium.ipam');
	if (ipam === undefined) throw new Error('no ipam question');
	t.deepEqual(problemsFor(ipam, newDraft(pinned.cluster), 'eni', pinned).map((p) => p.path), ['spec.network.cilium.tunnel'], 'so eni is refused, naming the provided field');
});

test('ENI on baremetal is refused with the validator\'s own message', (t) => {
	const ctx = context();
	const ipam = questionById('spec.network.cilium.ipam');
	if (ipam === undefined) throw new Error('no ipam question');
	t.deepEqual(problemsFor(ipam, newDraft(ctx.cluster), 'eni', ctx), [{ path: 'spec.network.cilium.ipam', message: '"eni" is only supported with target "aws"' }]);
});

test('a problem a later question will ask about is left to it', (t) => {
	const ctx = context();
	const tunnel = questionById('spec.network.cilium.tunnel');
	if (tunnel === undefined) throw new Error('no tunnel question');
	t.deepEqual(problemsFor(tunnel, newDraft(ctx.cluster), 'disabled', ctx), [], 'nativeRoutingCIDR is asked next');
	const draft = applyAnswer(newDraft(ctx.cluster), 'spec.network.cilium.tunnel', 'disabled', ctx.provided).draft;
	t.is(nextQuestion(draft.cluster, 'spec.network.cilium.disableMasquerade', ctx), 'spec.network.cilium.nativeRoutingCIDR');
});

test('back and forth through the reducer keeps answers and refuses a stale answer for another question', (t) => {
	const ctx = context();
	let state = initialState(newDraft(ctx.cluster), ctx);
	t.is(currentId(state), 'metadata.name');
	state = reduce(state, { type: 'answer', id: 'metadata.name', value: 'demo' }, ctx);
	t.is(currentId(state), 'spec.target');
	t.is(reduce(state, { type: 'answer', id: 'metadata.name', value: 'other' }, ctx), state);
	state = reduce(state, { type: 'back' }, ctx);
	t.is(currentId(state), 'metadata.name');
	t.is(state.draft.cluster.metadata.name, 'demo');
	t.is(reduce(state, { type: 'back' }, ctx), state, 'nothing before the first question');
	state = reduce(state, { type: 'answer', id: 'metadata.name', value: 'demo' }, ctx);
	state = reduce(state, { type: 'answer', id: 'spec.target', value: 'baremetal' }, ctx);
	state = reduce(state, { type: 'answer', id: 'spec.hosts', value: [{ address: '10.0.0.1', role: 'control-plane' }] }, ctx);
	t.is(currentId(state), 'spec.ssh.user');
	const hosts = reduce(state, { type: 'backTo', id: 'spec.hosts' }, ctx);
	t.deepEqual(hosts.history, ['metadata.name', 'spec.target', 'spec.hosts'], 'back to the host list in one step');
	t.is(hosts.draft, state.draft, 'answers kept');
	t.is(reduce(state, { type: 'backTo', id: 'spec.aws.region' }, ctx), state, 'never asked: nowhere to go back to');
});

test('typed text becomes the field\'s value; only box syntax is checked here', (t) => {
	const parse = (id: string, text: string) => {
		const question = questionById(id);
		const field = fieldByPath(id);
		if (question === undefined || field === undefined) throw new Error(id);
		return parseAnswer(question, field, text);
	};
	t.deepEqual(parse('metadata.name', ' demo '), { ok: true, value: 'demo' });
	t.deepEqual(parse('metadata.name', ''), { ok: true, value: UNSET }, 'required, no default: missing');
	t.deepEqual(parse('spec.ssh.identityFile', ''), { ok: true, value: UNSET }, 'optional: the default (agent) applies');
	t.deepEqual(parse('spec.kubernetes.podSubnet', ''), { ok: true, value: '' }, 'has a default: its validator speaks');
	t.deepEqual(parse('spec.kubernetes.controlPlaneEndpoint', ''), { ok: true, value: '' });
	t.deepEqual(parse('spec.ssh.port', '2222'), { ok: true, value: 2222 });
	t.deepEqual(parse('spec.ssh.port', '0'), { ok: false, message: '"0" must be a whole number from 1 to 65535' });
	t.deepEqual(parse('spec.ssh.port', '22x'), { ok: false, message: '"22x" must be a whole number from 1 to 65535' });
	t.deepEqual(parse('spec.ssh.bastion.port', ''), { ok: true, value: UNSET });
	t.deepEqual(parse('spec.aws.instanceIds', 'i-1, i-2  i-3'), { ok: true, value: ['i-1', 'i-2', 'i-3'] });
	t.deepEqual(parse('spec.aws.instanceTags', 'a=1, b = two words'), { ok: true, value: { a: '1', b: 'two words' } });
	t.deepEqual(parse('spec.aws.instanceTags', 'a'), { ok: false, message: '"a" must be KEY=VALUE (separate several with commas)' });
});

test('prompts: selects read "Select …", keeping proper names', (t) => {
	t.is(selectPrompt('Target'), 'Select target');
	t.is(selectPrompt('Host key policy'), 'Select host key policy');
	t.is(selectPrompt('CNI'), 'Select CNI');
	t.is(selectPrompt('SSH address type'), 'Select SSH address type');
	t.is(selectPrompt('Cilium IPAM'), 'Select Cilium IPAM');
});

test('missingAnswers lists each required answer with the flag that gives it', (t) => {
	const missing = (trees: Array<Record<string, unknown>>) => {
		const { cluster, provided } = mergeLayers(trees);
		return missingAnswers(cluster, provided);
	};
	t.deepEqual(missing([]), [
		'metadata.name: required; add --name or set it in the config file',
		'spec.hosts: required; add --control-plane ADDR / --worker ADDR or set it in the config file',
	]);
	t.deepEqual(missing([{ metadata: { name: 'demo' }, spec: { target: 'aws' } }]), [
		'spec.aws.region: required; add --aws-region or set it in the config file',
		'spec.aws.instanceIds: required; add --aws-instance-id or set it in the config file',
	]);
	t.deepEqual(missing([{ metadata: { name: 'demo' }, spec: { hosts: ['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((address) => ({ address, role: 'control-plane' })), network: { cilium: { tunnel: 'disabled' } } } }]), [
		'spec.kubernetes.controlPlaneEndpoint: required; add --control-plane-endpoint or set it in the config file',
		'spec.network.cilium.nativeRoutingCIDR: required; add --cilium-native-routing-cidr or set it in the config file',
	]);
	for (const name of EXAMPLES) {
		const { text } = example(name);
		const result = resolveSpec({ file: { content: text, name } });
		if (result.ok) t.deepEqual(missingAnswers(result.cluster, result.provided), [], name);
	}
	t.deepEqual(missing([{ metadata: { name: 'Bad Name' }, spec: { hosts: [{ address: '10.0.0.1', role: 'control-plane' }] } }]), [], 'an invalid value is not a missing one');
});

test('the saved YAML is the example file itself, key for key, after the schema line', (t) => {
	const { text, cluster } = example('baremetal-cilium');
	const body = text.split('\n').filter((line) => !line.startsWith('#')).join('\n');
	t.is(clusterYaml(cluster, SCHEMA), `${schemaComment(SCHEMA)}\n${body}`);
});

test('every example survives save and reload unchanged', (t) => {
	for (const name of EXAMPLES) {
		const { cluster } = example(name);
		const text = clusterYaml(cluster, SCHEMA);
		t.true(text.startsWith(`${schemaComment(SCHEMA)}\napiVersion: kubestrap.dev/v1alpha1\nkind: Cluster\nmetadata:\n`), name);
		const again = resolveSpec({ file: { content: text, name } });
		t.true(again.ok, `${name}: ${JSON.stringify(again)}`);
		if (again.ok) t.deepEqual(again.cluster, cluster, name);
	}
	const calico = clusterYaml(example('aws-calico').cluster, SCHEMA);
	t.notRegex(calico, /cilium:/, 'only the chosen CNI\'s section is written');
	t.notRegex(calico, /hosts:/, 'no empty host list on aws');
});

test('the flag form parses back to the same cluster (hosts without private addresses or names)', (t) => {
	for (const name of EXAMPLES) {
		const { cluster } = example(name);
		const plain: Cluster = { ...cluster, spec: { ...cluster.spec, hosts: cluster.spec.hosts.map(({ address, role }) => ({ address, role })) } };
		const words = flagGroups(plain).flat();
		const command = addSpecOptions(new Command('install').exitOverride());
		command.parse(words, { from: 'user' });
		const { tree, problems } = flagsToTree(command.opts());
		t.deepEqual(problems, [], name);
		t.deepEqual(mergeLayers([tree]).cluster, plain, name);
	}
	const lines = flagCommandLines(example('aws-calico').cluster);
	t.true(lines.every((line) => line.length <= 78), 'fits an 80-column screen after its indent');
	t.true(lines.slice(0, -1).every((line) => line.endsWith(' \\')));
	t.regex(flagCommandLines(example('aws-cilium-eni').cluster).join('\n'), /--aws-instance-tag 'kubestrap\.dev\/cluster=prod-eni'/);
});

test('blockingProblems names what a file got wrong, which the wizard would never ask again', (t) => {
	const { cluster, provided } = mergeLayers([{ spec: { kubernetes: { podSubnet: '10.244.0.1/16' } } }]);
	t.deepEqual(blockingProblems(cluster, provided), [{ path: 'spec.kubernetes.podSubnet', message: '"10.244.0.1/16" has host bits set; did you mean "10.244.0.0/16"?' }]);
	const empty = mergeLayers([]);
	t.deepEqual(blockingProblems(empty.cluster, empty.provided), [], 'missing answers are for the wizard to ask');
});
