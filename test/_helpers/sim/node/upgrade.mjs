// What an upgrade changes in the simulated cluster (a test double, not Kubernetes), called by the simulated
// kubeadm (`upgrade apply|node`) and systemctl (`restart kubelet`) as
//   node upgrade.mjs cluster-version vX.Y.Z           the API server's version (info.json), after `upgrade apply`
//   node upgrade.mjs control-plane NODE vX.Y.Z        that node's static pods now run vX.Y.Z
//   node upgrade.mjs kubelet-restart NODE vX.Y.Z      the node's kubelet restarted with the installed package
//   node upgrade.mjs not-ready-control-planes         prints the NotReady control planes (kubeadm's health check)
// The version a Node reports moves only when its kubelet restarts: a package change alone leaves the running
// kubelet old. A kubelet newer than the API server is not supported (version skew policy): it keeps failing
// to register, so the Node turns NotReady with its old version until the API server reaches that minor (the
// kubelet's unit restarts it all the time, as systemd's Restart=always does).

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { clusterAt, nodeObject, readCluster } from './model.mjs';

const SIM = process.env.KUBESTRAP_SIM_ROOT ?? '/opt/kubestrap-sim';
const CLUSTER = process.env.KUBESTRAP_SIM_CLUSTER || join(SIM, 'cluster');

function readJson(file) {
	return JSON.parse(readFileSync(file, 'utf8'));
}

function writeJson(file, value) {
	const temporary = `${file}.${process.pid}.tmp`;
	writeFileSync(temporary, `${JSON.stringify(value)}\n`);
	renameSync(temporary, file);
}

export function minorOf(version) {
	return Number(String(version).replace(/^v/, '').split('.')[1]);
}

function nodeInfoFile(node) {
	const file = join(CLUSTER, 'node-info', `${node}.json`);
	if (!existsSync(file)) throw new Error(`node ${node} is not known to the simulated cluster`);
	return file;
}

function clusterVersion(version) {
	const file = join(CLUSTER, 'info.json');
	const info = readJson(file);
	// The same version again rewrites nothing kube-proxy runs. Otherwise the version before and since when it
	// ran: the model rolls kube-proxy's pods from that template to the new one, one node at a time.
	if (info.version === version) return;
	// (Flat keys: the simulated kubeadm reads `"version":` from this file with sed.)
	writeJson(file, { ...info, version, upgradedAt: Date.now(), previousVersion: info.version, previousAt: info.upgradedAt ?? info.initAt });
}

function controlPlane(node, version) {
	const file = nodeInfoFile(node);
	writeJson(file, { ...readJson(file), controlPlaneVersion: version, controlPlaneAt: Date.now() });
}

function kubeletRestart(node, version) {
	const file = nodeInfoFile(node);
	const info = readJson(file);
	const api = readJson(join(CLUSTER, 'info.json')).version;
	const next = { ...info, kubeletRestartedAt: Date.now() };
	delete next.kubeletPending;
	delete next.kubeletPendingAt;
	if (minorOf(version) > minorOf(api)) Object.assign(next, { kubeletPending: version, kubeletPendingAt: Date.now() });
	else next.kubeletVersion = version;
	writeJson(file, next);
}

/** Names of the control-plane Nodes that are not Ready now, space separated. */
function notReadyControlPlanes() {
	const model = clusterAt(readCluster(CLUSTER), Date.now());
	const names = model.nodes.filter((n) => n.role === 'control-plane')
		.filter((n) => !nodeObject(n, model.ctx).status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'))
		.map((n) => n.name);
	process.stdout.write(names.join(' '));
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const [verb, ...args] = process.argv.slice(2);
	try {
		if (verb === 'cluster-version') clusterVersion(args[0]);
		else if (verb === 'control-plane') controlPlane(args[0], args[1]);
		else if (verb === 'kubelet-restart') kubeletRestart(args[0], args[1]);
		else if (verb === 'not-ready-control-planes') notReadyControlPlanes();
		else throw new Error(`unknown verb ${verb}`);
	} catch (error) {
		process.stderr.write(`simulated upgrade state: ${error.message}\n`);
		process.exit(1);
	}
}
