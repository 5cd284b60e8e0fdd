import test from 'ava';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { loadConfig, MAX_CONFIG_BYTES } from '../../source/spec/load.js';
import { resolveSpec } from '../../source/spec/resolve.js';
import { baremetalBase, checkText, lines, withPaths } from './_base.js';

const valid = stringify(baremetalBase());

test('a valid file loads with no problems', (t) => {
	t.deepEqual(lines(checkText(valid)), []);
});

test('unknown keys are refused with "did you mean" and their line', (t) => {
	const text = valid.replace('podSubnet:', 'podCidr:');
	const out = lines(checkText(text));
	t.true(out.some((line) => /^spec\.kubernetes\.podCidr: unknown key; did you mean "podSubnet"\? .*\(cluster\.yaml:\d+:5\)$/.test(line)), out.join('\n'));
});

test('an unknown key with no near match lists the known keys', (t) => {
	const out = lines(checkText(valid.replace('network:', 'zzzzzzzz: 1\n  network:')));
	t.true(out.some((line) => line.startsWith('spec.zzzzzzzz: unknown key (known here: target, hosts, ssh, aws, kubernetes, network)')), out.join('\n'));
});

test('duplicate keys are a syntax error with line and column', (t) => {
	const out = lines(checkText('apiVersion: kubestrap.dev/v1alpha1\nkind: Cluster\nkind: Cluster\n'));
	t.deepEqual(out, ['cluster.yaml:3:1: YAML syntax error: Map keys must be unique']);
});

test('a syntax error gives line and column', (t) => {
	const out = lines(checkText('metadata:\n  name: [demo\nspec: {}\n'));
	t.true(out.length >= 1);
	t.regex(out[0] ?? '', /^cluster\.yaml:\d+:\d+: YAML syntax error: /);
});

test('files over 1 MiB are refused before parsing', (t) => {
	const big = `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`;
	t.deepEqual(lines(loadConfig(big, 'big.yaml').problems), ['big.yaml: file is larger than 1 MiB; a cluster config is a few kilobytes']);
	t.deepEqual(lines(loadConfig(Buffer.from(big), 'big.yaml').problems), ['big.yaml: file is larger than 1 MiB; a cluster config is a few kilobytes']);
});

test('non-UTF-8 and binary content are refused', (t) => {
	t.deepEqual(lines(loadConfig(Buffer.from([0x6b, 0x3a, 0x20, 0xff, 0xfe, 0x0a]), 'f.yaml').problems), ['f.yaml: file is not UTF-8 text']);
	t.deepEqual(lines(loadConfig(Buffer.from('kind: Cluster\n\u0000\u0001'), 'f.yaml').problems), ['f.yaml: file contains NUL bytes; it looks binary, not YAML']);
});

test('alias bombs are refused', (t) => {
	const rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
	for (let i = 1; i < 20; i++) rows.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
	const out = lines(loadConfig(rows.join('\n'), 'bomb.yaml').problems);
	t.deepEqual(out, ['bomb.yaml: uses 171 aliases; at most 100 are accepted']);
});

test('a few aliases inside the shape resolve without expansion', (t) => {
	const text = `${valid}\nx-hosts: &h 192.0.2.50\n`.replace('x-hosts', 'metadata2');
	const out = lines(checkText(text));
	t.true(out.some((line) => line.startsWith('metadata2: unknown key; did you mean "metadata"?')), out.join('\n'));
	const aliased = stringify(withPaths(baremetalBase(), {})).replace('name: demo', 'name: &n demo').replace('name: cp-1', 'name: cp-1');
	t.deepEqual(lines(checkText(aliased)), []);
});

test('deep nesting is refused', (t) => {
	const deep = `metadata: ${'['.repeat(100000)}${']'.repeat(100000)}\n`;
	t.deepEqual(lines(loadConfig(deep, 'deep.yaml').problems), ['deep.yaml: nesting is deeper than 32 levels; a cluster config needs about 5']);
	const indented = `metadata:\n${Array.from({ length: 80 }, (_, i) => `${'  '.repeat(i + 1)}k${i}:`).join('\n')}\n`;
	t.deepEqual(lines(loadConfig(indented, 'deep.yaml').problems), ['deep.yaml: nesting is deeper than 32 levels; a cluster config needs about 5']);
});

test('several documents, an empty file and a non-mapping are refused', (t) => {
	t.deepEqual(lines(loadConfig('kind: Cluster\n---\nkind: Cluster\n', 'f.yaml').problems), ['f.yaml: holds 2 YAML documents; a cluster config is one document']);
	t.deepEqual(lines(loadConfig('', 'f.yaml').problems), ['f.yaml: file is empty; start from one of the files in examples/']);
	t.deepEqual(lines(loadConfig('- a\n- b\n', 'f.yaml').problems), ['f.yaml: must be a mapping of keys to values, not a list (f.yaml:1:1)']);
});

test('YAML 1.1 booleans stay strings and are refused where a boolean is expected', (t) => {
	const out = lines(checkText(valid.replace('cni: cilium', 'cni: cilium\n    cilium:\n      hubble: yes').replace(/\n    cilium:\n      ipam/, '\n      ipam')));
	t.true(out.some((line) => line.startsWith('spec.network.cilium.hubble: must be true or false (unquoted), not the string "yes"')), out.join('\n'));
});

test('property: random text never throws from the loader', (t) => {
	fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
		const result = resolveSpec({ file: { content: text, name: 'f.yaml' } });
		return result.ok || result.problems.length > 0;
	}), { numRuns: 3000 });
	t.pass();
});

test('property: random YAML structures never throw and unknown structure is reported', (t) => {
	fc.assert(fc.property(fc.anything({ maxDepth: 4 }), (value) => {
		let text: unknown;
		try {
			text = stringify(value);
		} catch {
			return true;
		}
		if (typeof text !== 'string') return true;
		const result = resolveSpec({ file: { content: text, name: 'f.yaml' } });
		return !result.ok;
	}), { numRuns: 1000 });
	t.pass();
});

test('property: random bytes never throw', (t) => {
	fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
		const result = resolveSpec({ file: { content: bytes, name: 'f.yaml' } });
		return result.ok || result.problems.length > 0;
	}), { numRuns: 2000 });
	t.pass();
});

const hostile = fc.oneof(
	fc.constantFrom('a;id', 'a$(id)', '`id`', 'a|b', 'a&&b', 'a\nb', 'a: b', 'a #b', "a'b", 'a"b', 'a\\b', '../../etc/passwd\n', '-oProxyCommand=id', 'a b', '{a: 1}', '[x]', '*a', '&a', '\u0000', 'a\rb', 'a\tb'),
	fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom(';', '$(', '`', '|', '&', '\n', ': ', '>', '<', '"', "'", '\\', ' ', '*', '?', '{', '}'), fc.string({ maxLength: 10 })).map(([a, m, b]) => `${a}${m}${b}`),
);

test('property: hostile strings never pass as host, user, name or path', (t) => {
	const targets = ['spec.hosts.0.address', 'spec.hosts.0.name', 'spec.ssh.user', 'spec.ssh.identityFile', 'spec.ssh.knownHostsFile', 'metadata.name', 'spec.hosts.1.privateAddress', 'spec.kubernetes.controlPlaneEndpoint'];
	fc.assert(fc.property(hostile, fc.constantFrom(...targets), (value, path) => {
		const result = resolveSpec({ file: { content: stringify(withPaths(baremetalBase(), { [path]: value })), name: 'f.yaml' } });
		return !result.ok && result.problems.some((p) => p.path === path.replace(/\.(\d+)\./, '[$1].'));
	}), { numRuns: 2000 });
	t.pass();
});
