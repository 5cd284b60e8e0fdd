#!/usr/bin/env node
// A stand-in for kubectl in front of a large cluster, for the scale benchmark only (not the test
// simulator): it answers from files the benchmark wrote (bench/scale-watch.ts), so serving costs
// nearly nothing and the figures are kubestrap's own. It plays the API server's answers:
// - `get nodes,pods,daemonsets,deployments -A -o json`: the whole cluster (the polling route);
// - `get --raw PATH`: lists in pages (limit/continue, resourceVersion) and watch streams, one JSON
//   event a line; the kube-system pod watch flips one pod's readiness every second and appends the
//   moment to flips.log, so the benchmark can time the change to kubestrap's output.
import { appendFileSync, createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DATA = process.env.KUBESTRAP_BENCH_DATA;
const args = process.argv.slice(2);
const rawAt = args.indexOf('--raw');
const out = (text) => new Promise((resolve) => process.stdout.write(text, resolve));
process.stdout.on('error', () => process.exit(0));

if (args.includes('nodes,pods,daemonsets,deployments')) {
	createReadStream(join(DATA, 'full-list.json')).pipe(process.stdout);
} else if (args.includes('configmap') || args[args.indexOf('get') - 1] === 'logs' || args.includes('logs')) {
	process.exit(0);
} else if (rawAt >= 0) {
	const url = new URL(args[rawAt + 1], 'https://api.invalid');
	const name = url.pathname;
	const file = join(DATA, `${name.replaceAll('/', '_')}.json`);
	const items = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
	if (items === undefined) {
		process.stderr.write('Error from server (NotFound): the server could not find the requested resource\n');
		process.exit(1);
	}
	const rv = 1000;
	if (url.searchParams.get('watch') !== '1') {
		const limit = Number(url.searchParams.get('limit') ?? 0);
		const start = Number(url.searchParams.get('continue') || 0);
		const page = limit > 0 ? items.slice(start, start + limit) : items.slice(start);
		const more = start + page.length < items.length;
		const metadata = { resourceVersion: String(rv), ...(more ? { continue: String(start + page.length), remainingItemCount: items.length - start - page.length } : {}) };
		await out(`${JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata, items: page })}\n`);
		process.exit(0);
	}
	let version = Number(url.searchParams.get('resourceVersion')) || rv;
	const flip = name === '/api/v1/namespaces/kube-system/pods' ? items.find((p) => p.metadata.name.startsWith('coredns-')) : undefined;
	let ready = true;
	for (;;) {
		await new Promise((resolve) => setTimeout(resolve, 1000));
		if (!flip) continue;
		ready = !ready;
		version++;
		const object = structuredClone(flip);
		object.metadata.resourceVersion = String(version);
		for (const c of object.status.conditions) if (c.type === 'Ready' || c.type === 'ContainersReady') c.status = ready ? 'True' : 'False';
		for (const c of object.status.containerStatuses) c.ready = ready;
		appendFileSync(join(DATA, 'flips.log'), `${Date.now()} ${ready}\n`);
		await out(`${JSON.stringify({ type: 'MODIFIED', object })}\n`);
	}
} else {
	process.stderr.write(`error: the benchmark's kubectl does not play: ${args.join(' ')}\n`);
	process.exit(1);
}
