// What calico-node does in the simulated cluster (a test double), outside the pod timeline:
//
// - Its first start creates the default IP pool, as calico-node's startup does when no IPPool exists:
//   `default-ipv4-ippool` (crd.projectcalico.org/v1, the KDD storage of projectcalico.org/v3 IPPool) with
//   cidr CALICO_IPV4POOL_CIDR (else the cluster's pod subnet, as calico-node detects kubeadm's), ipipMode
//   CALICO_IPV4POOL_IPIP and vxlanMode CALICO_IPV4POOL_VXLAN (default Never; "Off" is Never),
//   natOutgoing CALICO_IPV4POOL_NAT_OUTGOING (default true), blockSize CALICO_IPV4POOL_BLOCK_SIZE (26),
//   nodeSelector CALICO_IPV4POOL_NODE_SELECTOR (all()); none with NO_DEFAULT_POOLS=true. The env is the
//   first started pod's, and the pool is created at that pod's start. Later env changes do nothing.
// - On its host: Felix enables IP-in-IP / VXLAN from the IP pools (and restarts itself when they change,
//   felix/calc/encapsulation_resolver.go), so the tunnel devices follow the pools while a calico-node runs
//   there: vxlan.calico exists while a pool has VXLAN on (Felix removes it otherwise); tunl0 appears
//   with IP-in-IP (the ipip module's fallback device: it stays while the module is loaded). Their MTU is
//   calico-config's veth_mtu as the running pod read it at its start (FELIX_IPINIPMTU/FELIX_VXLANMTU),
//   else what Calico detects on a 1500-byte NIC (1480 IP-in-IP, 1450 VXLAN). BIRD runs (its socket
//   /var/run/calico/bird.ctl) when that pod's calico_backend was "bird".
//
// `node calico.mjs host NODE` prints the host's state as shell assignments for lib.sh's sim_calico_tunnels.

import { join } from 'node:path';

import { clusterAt, readCluster } from './model.mjs';
import { IPPOOL_GROUP } from './ippool.mjs';
import { configMapDataAt, loadStore, seedObject, storedCrds } from './store.mjs';

const SIM = process.env.KUBESTRAP_SIM_ROOT ?? '/opt/kubestrap-sim';
const CLUSTER = process.env.KUBESTRAP_SIM_CLUSTER || join(SIM, 'cluster');
/** "nothing scheduled": the next check of the host waits for a change of the stored objects */
const NEVER = 9_999_999_999_999;

function isCalicoNode(pod) {
	return pod.workload.namespace === 'kube-system' && pod.workload.name === 'calico-node';
}

function envOf(pod) {
	const env = new Map();
	const container = (pod.spec.containers ?? []).find((c) => c.name === 'calico-node');
	for (const e of container?.env ?? []) if (typeof e.value === 'string') env.set(e.name, e.value);
	return env;
}

function poolMode(value) {
	if (value === undefined || value === 'Off' || value === 'off' || value === 'false') return 'Never';
	return value;
}

function isPool(rec) {
	return rec.kind === 'IPPool' && rec.group === IPPOOL_GROUP;
}

/** calico-node's default pool from its env (calico/node startup.go semantics, the fields it sets). */
export function defaultPool(env, podSubnet) {
	return {
		apiVersion: `${IPPOOL_GROUP}/v1`,
		kind: 'IPPool',
		metadata: { name: 'default-ipv4-ippool' },
		spec: {
			allowedUses: ['Workload', 'Tunnel'],
			assignmentMode: 'Automatic',
			blockSize: Number(env.get('CALICO_IPV4POOL_BLOCK_SIZE') ?? 26),
			cidr: env.get('CALICO_IPV4POOL_CIDR') ?? podSubnet ?? '192.168.0.0/16',
			ipipMode: poolMode(env.get('CALICO_IPV4POOL_IPIP')),
			natOutgoing: env.get('CALICO_IPV4POOL_NAT_OUTGOING') !== 'false',
			nodeSelector: env.get('CALICO_IPV4POOL_NODE_SELECTOR') ?? 'all()',
			vxlanMode: poolMode(env.get('CALICO_IPV4POOL_VXLAN')),
		},
	};
}

/** Creates the default pool if a calico-node has started by `now` and no pool exists (once). */
export function ensureDefaultPool(dir = CLUSTER, now = Date.now(), model = undefined) {
	const store = loadStore(dir);
	const objects = Object.values(store.objects);
	if (objects.some(isPool)) return false;
	if (!storedCrds(store).some((crd) => crd.spec?.group === IPPOOL_GROUP && crd.spec?.names?.kind === 'IPPool')) return false;
	if (!objects.some((rec) => rec.kind === 'DaemonSet' && rec.namespace === 'kube-system' && rec.name === 'calico-node')) return false;
	const m = model ?? clusterAt(readCluster(dir), now);
	const first = m.ctx.pods.filter((p) => isCalicoNode(p) && p.m0 !== undefined && p.m0 <= now).sort((a, b) => a.m0 - b.m0)[0];
	if (!first) return false;
	const env = envOf(first);
	if (env.get('NO_DEFAULT_POOLS') === 'true') return false;
	const result = seedObject(dir, defaultPool(env, m.ctx.podSubnet), Math.floor(first.m0), { manager: 'calico-node', unless: (s) => Object.values(s.objects).some(isPool) });
	return result.changed;
}

/** What calico-node has made of this host at `now`, and when that changes next without a write. */
export function hostState(dir, nodeName, now = Date.now()) {
	const model = clusterAt(readCluster(dir), now);
	ensureDefaultPool(dir, now, model);
	const pods = model.ctx.pods.filter((p) => isCalicoNode(p) && p.node?.name === nodeName);
	const upcoming = pods.flatMap((p) => [p.createdAt, p.m0, p.deletedAt, p.goneAt]).filter((t) => typeof t === 'number' && Number.isFinite(t) && t > now);
	const next = upcoming.length > 0 ? Math.ceil(Math.min(...upcoming)) : NEVER;
	const running = pods.filter((p) => p.m0 !== undefined && p.m0 <= now && p.createdAt <= now && (p.deletedAt === undefined || p.deletedAt > now)).sort((a, b) => b.m0 - a.m0)[0];
	if (!running) return { agent: 0, next };
	const store = loadStore(dir);
	const pools = Object.values(store.objects).filter(isPool).map((rec) => rec.object.spec ?? {});
	// Before any pool exists Felix has none to follow; the pod's env is what the pool will be made of.
	const modes = pools.length > 0 ? pools : [defaultPool(envOf(running), model.ctx.podSubnet).spec];
	const config = configMapDataAt(store.objects['ConfigMap./kube-system/calico-config'], running.m0) ?? {};
	const mtu = Number(config.veth_mtu ?? 0) || 0;
	return {
		agent: 1,
		ipip: modes.some((p) => poolMode(p.ipipMode) !== 'Never') ? 1 : 0,
		vxlan: modes.some((p) => poolMode(p.vxlanMode) !== 'Never') ? 1 : 0,
		bird: (config.calico_backend ?? 'bird') === 'bird' ? 1 : 0,
		ipipmtu: mtu || 1480,
		vxlanmtu: mtu || 1450,
		next,
	};
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const [verb, node] = process.argv.slice(2);
	try {
		if (verb !== 'host' || !node) throw new Error(`usage: calico.mjs host NODE (got ${verb ?? ''})`);
		const state = hostState(CLUSTER, node);
		process.stdout.write(`${Object.entries(state).map(([k, v]) => `_calico_${k}=${Number(v)}`).join(' ')}\n`);
	} catch (error) {
		process.stderr.write(`simulated calico-node: ${error.message}\n`);
		process.exit(1);
	}
}
