import { readFileSync, readdirSync } from 'node:fs';
import test from 'ava';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { clusterJsonSchema, clusterJsonSchemaText } from '../../source/spec/schema.js';

const root = new URL('../../../', import.meta.url);

test('the shipped schema is the one generated from the field table (run `npm run schema` after changing fields)', (t) => {
	t.is(readFileSync(new URL('schema/cluster.schema.json', root), 'utf8'), clusterJsonSchemaText());
});

test('every example validates against the JSON Schema', (t) => {
	const validate = new Ajv({ allErrors: true, strict: false }).compile(clusterJsonSchema());
	const examples = readdirSync(new URL('examples/', root)).filter((name) => name.endsWith('.yaml'));
	t.true(examples.length >= 4);
	for (const name of examples) {
		const doc: unknown = parse(readFileSync(new URL(`examples/${name}`, root), 'utf8'));
		t.true(validate(doc), `${name}: ${JSON.stringify(validate.errors)}`);
	}
});

test('the schema rejects unknown keys and wrong types', (t) => {
	const validate = new Ajv({ strict: false }).compile(clusterJsonSchema());
	t.false(validate({ apiVersion: 'kubestrap.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'x' }, spec: { kubernetes: { podCidr: '10.0.0.0/8' } } }));
	t.false(validate({ apiVersion: 'kubestrap.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'x' }, spec: { ssh: { port: '22' } } }));
	t.false(validate({ apiVersion: 'kubestrap.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'x' }, spec: { network: { cilium: { ipam: 'hostscope' } } } }));
	t.true(validate({ apiVersion: 'kubestrap.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'x' }, spec: { hosts: [{ address: 'a', role: 'worker' }] } }));
});
