// Config messages stay short and honest under hostile input: echoed values are capped, the list of
// problems is capped, %YAML 1.1 is refused (YAML 1.2 core keeps `off` a string), `- - - …` nesting
// counts toward the depth limit, and settings for the CNI that is not chosen are an error.
import test from 'ava';
import { loadConfig } from '../../source/spec/load.js';
import { formatProblem, resolveSpec } from '../../source/spec/resolve.js';
import { printProblems } from '../../source/commands/spec-input.js';
import type { Io } from '../../source/commands/io.js';

const head = ['apiVersion: kubestrap.dev/v1alpha1', 'kind: Cluster', 'metadata: {name: demo}', 'spec:', '  target: baremetal', '  hosts: [{address: 192.0.2.10, role: control-plane}]'];

function problemsOf(text: string): string[] {
	const result = resolveSpec({ file: { content: text, name: 'c.yaml' } });
	return result.ok ? [] : result.problems.map(formatProblem);
}

test('a long value is echoed as its first 80 characters and its length', (t) => {
	const problems = problemsOf([...head, '  network:', `    cni: ${'c'.repeat(5000)}`].join('\n'));
	t.deepEqual(problems, [`spec.network.cni: "${'c'.repeat(80)}"… (5000 characters) is not one of cilium, calico (c.yaml:8:10)`]);
});

test('at most 50 problems are listed, then a count', (t) => {
	const keys = Array.from({ length: 200 }, (_, i) => `    k${i}: 1`);
	const result = resolveSpec({ file: { content: [...head, '  network:', ...keys].join('\n'), name: 'c.yaml' } });
	t.false(result.ok);
	let out = '';
	const io = { stderr: (text: string) => (out += text) } as unknown as Io;
	printProblems(result as unknown as { problems: [] }, io);
	const lines = out.trimEnd().split('\n');
	t.is(lines.length, 52);
	t.is(lines[50], '… and 150 more problems not listed');
	t.is(lines[51], '200 problems; nothing was contacted or changed.');
});

test('%YAML 1.1 is refused; without it YAML 1.2 core keeps off a string', (t) => {
	t.deepEqual(loadConfig(['%YAML 1.1', '---', ...head].join('\n'), 'c.yaml').problems, [
		{ path: 'c.yaml', message: 'has a %YAML 1.1 directive; kubestrap reads YAML 1.2 (core schema, where off and yes are strings): remove the directive' },
	]);
	const plain = loadConfig([...head.slice(0, 5), '  hosts: [{address: 192.0.2.10, role: control-plane, name: off}]'].join('\n'), 'c.yaml');
	t.deepEqual(plain.problems, []);
	t.is(((plain.tree['spec'] as { hosts: Array<{ name: unknown }> }).hosts[0])?.name, 'off');
	t.deepEqual(loadConfig(['%YAML 1.2', '---', ...head].join('\n'), 'c.yaml').problems, []);
});

test('block-sequence nesting on one line counts toward the depth limit (no stack overflow)', (t) => {
	t.deepEqual(loadConfig(`${'- '.repeat(20000)}x\n`, 'c.yaml').problems, [{ path: 'c.yaml', message: 'nesting is deeper than 32 levels; a cluster config needs about 5' }]);
	t.deepEqual(loadConfig(`${'- '.repeat(33)}x\n`, 'c.yaml').problems.map((p) => p.message), ['nesting is deeper than 32 levels; a cluster config needs about 5']);
});

test('a cilium section with cni calico (and the reverse) is an error', (t) => {
	t.deepEqual(problemsOf([...head, '  network:', '    cni: calico', '    cilium: {tunnel: vxlan}'].join('\n')), [
		'spec.network.cilium: is set but spec.network.cni is calico; a cluster has one networking option: remove the cilium section, or set cni: cilium',
	]);
	t.deepEqual(problemsOf([...head, '  network:', '    cni: cilium', '    calico: {encapsulation: vxlan}'].join('\n')), [
		'spec.network.calico: is set but spec.network.cni is cilium; a cluster has one networking option: remove the calico section, or set cni: calico',
	]);
	t.deepEqual(problemsOf([...head, '  network:', '    cni: calico', '    calico: {encapsulation: vxlan}'].join('\n')), []);
});
