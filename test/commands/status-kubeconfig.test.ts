// status --kubeconfig reads the cluster through a local kubectl: here a stand-in on PATH that answers
// from recorded kubectl output and records its arguments, so the exact calls are checked.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ROOT } from '../e2e/_install.js';

const FIXTURES = join(ROOT, 'test/cluster/health/fixtures');

function fakeKubectl(list: string): { dir: string; calls: string } {
	const dir = mkdtempSync(join(tmpdir(), 'kubestrap-kubectl-'));
	const calls = join(dir, 'calls');
	writeFileSync(join(dir, 'kubectl'), [
		'#!/bin/sh',
		`printf '%s\\n' "$*" >> ${JSON.stringify(calls)}`,
		'case "$*" in',
		`  *configmap*) cat ${JSON.stringify(join(FIXTURES, 'cilium-config.json'))} ;;`,
		`  *nodes,pods,daemonsets,deployments*) cat ${JSON.stringify(join(FIXTURES, list))} ;;`,
		'  *) echo "unexpected: $*" >&2; exit 1 ;;',
		'esac',
	].join('\n'));
	chmodSync(join(dir, 'kubectl'), 0o755);
	writeFileSync(join(dir, 'admin.kubeconfig'), KUBECONFIG_TEXT, { mode: 0o600 });
	return { dir, calls };
}

function status(dir: string, args: string[], path: string) {
	return spawnSync(process.execPath, [join(ROOT, 'bin/kubestrap.js'), 'status', '--kubeconfig', join(dir, 'admin.kubeconfig'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: path, NO_COLOR: '1' } });
}

const KUBECONFIG_TEXT = [
	'apiVersion: v1',
	'kind: Config',
	'current-context: admin',
	'contexts: [{name: admin, context: {cluster: demo, user: admin}}]',
	'clusters: [{name: demo, cluster: {server: "https://127.0.0.1:6443"}}]',
	'users: [{name: admin, user: {token: not-a-real-token}}]',
	'',
].join('\n');

test('a healthy cluster through a local kubectl: exit 0, the CNI detected, the kubeconfig passed on every call', (t) => {
	const fake = fakeKubectl('cilium-healthy.json');
	const run = status(fake.dir, ['-o', 'json'], `${fake.dir}:${process.env['PATH'] ?? ''}`);
	t.is(run.status, 0, run.stderr);
	const report = JSON.parse(run.stdout) as { healthy: boolean; cni: { name: string; datapath: Record<string, string> } };
	t.true(report.healthy);
	t.is(report.cni.name, 'cilium');
	const calls = readFileSync(fake.calls, 'utf8').trim().split('\n');
	t.deepEqual(calls, [
		`--kubeconfig ${join(fake.dir, 'admin.kubeconfig')} --request-timeout=20s get nodes,pods,daemonsets,deployments -A -o json`,
		`--kubeconfig ${join(fake.dir, 'admin.kubeconfig')} --request-timeout=20s -n kube-system get configmap cilium-config --ignore-not-found -o json`,
	]);
});

test('an unhealthy cluster: exit 1 with the problems; no kubectl on PATH: exit 2 saying what to do', (t) => {
	const fake = fakeKubectl('cilium-troubled.json');
	const run = status(fake.dir, [], `${fake.dir}:${process.env['PATH'] ?? ''}`);
	t.is(run.status, 1, run.stderr);
	t.regex(run.stdout, /unhealthy/);
	t.regex(run.stdout, /PROBLEMS/);
	const none = status(fake.dir, [], '/nonexistent');
	t.is(none.status, 2);
	t.regex(none.stderr, /no kubectl on PATH .* use --config cluster\.yaml to read it over SSH/);
});

test('--watch reads the API with the client library, so no kubectl is needed; an API that does not answer and no kubectl: exit 1 naming both', (t) => {
	const { dir } = fakeKubectl('cilium-healthy.json');
	// 127.0.0.1:6443 refuses (no test host listens there), and PATH has no kubectl.
	const run = spawnSync(process.execPath, [join(ROOT, 'bin/kubestrap.js'), 'status', '--kubeconfig', join(dir, 'admin.kubeconfig'), '--watch', '-o', 'json'], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: '/nonexistent', NO_COLOR: '1' }, timeout: 60_000 });
	t.is(run.status, 1, run.stderr);
	t.regex(run.stderr, /^status: https:\/\/127\.0\.0\.1:6443 did not answer GET \/version from here \(.*ECONNREFUSED.*\); and no kubectl on PATH to try instead$/m);
	t.notRegex(run.stderr, /no kubectl on PATH to read the cluster with/, 'not refused for want of kubectl before trying the API');
});

test('--kubeconfig in a directory holding a cluster.yaml reads the cluster through the kubeconfig, says so, and leaves ./cluster.yaml alone', (t) => {
	const fake = fakeKubectl('cilium-healthy.json');
	// A spec of another cluster (Calico, named otherwise): the kubeconfig names the cluster read.
	copyFileSync(join(ROOT, 'examples/aws-calico.yaml'), join(fake.dir, 'cluster.yaml'));
	const run = status(fake.dir, ['-o', 'json'], `${fake.dir}:${process.env['PATH'] ?? ''}`);
	t.is(run.status, 0, run.stderr);
	t.notRegex(run.stderr, /reading \.\/cluster\.yaml/);
	t.regex(run.stderr, new RegExp(`^reading the cluster through ${join(fake.dir, 'admin.kubeconfig').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(--kubeconfig; \\./cluster\\.yaml is read only with --config\\)$`, 'm'));
	const report = JSON.parse(run.stdout) as { cluster: string | null; cni: { name: string } };
	t.is(report.cni.name, 'cilium');
	t.is(report.cluster, null, 'the name in ./cluster.yaml is not given to a cluster read through another file');
});
