// Pod networking of the simulated cluster (a test double): what a packet from one pod or node reaches,
// per node pair, from the datapath the applied manifests configure and the scenario's network faults.
// It plays the client pods of `kubestrap check`: their sh script runs `p ID COMMAND…` lines, where the
// commands are agnhost's `connect` and bind-tools' `nslookup`, and prints what they would print.
//
//   same node          always, while both pods run (the node's CNI agent serves them)
//   cross node         the CNI's transport between the two nodes: Cilium VXLAN udp/8472, Geneve udp/6081,
//                      native routing (any IP); Calico IPIP (IP protocol 4, routes from BGP tcp/179),
//                      VXLAN udp/4789, none (BGP tcp/179); crossSubnet: unencapsulated within a /24
//   ClusterIP          kube-proxy (info.json kubeProxy) or Cilium's replacement; internalTrafficPolicy Local
//                      picks the endpoint on the client's node
//   NodePort           the node address, tcp/<nodePort> between the nodes, then the endpoint on that node
//   names              CoreDNS: a Ready coredns pod the client's node reaches, unless the scenario says DNS is down
//
// Scenario (cluster/scenario.json) `network`: { blocked: [{ nodes: [a, b], protocol: 'udp'|'tcp'|'ipip'|'all',
// port? }], dnsDown: true, servicesDown: true }.

import { createHash } from 'node:crypto';

const PASS_MS = 20;
const REFUSED_MS = 5;
// Go's resolver (agnhost): 5 s per try, two tries; bind-tools nslookup: 5 s, three tries.
const GO_DNS_FAIL_MS = 10_000;
const NSLOOKUP_FAIL_MS = 15_000;
const SLEEP_BETWEEN_MS = 1000;

function nthAddress(cidr, n) {
	const [base] = cidr.split('/');
	const value = base.split('.').reduce((acc, part) => acc * 256 + Number(part), 0) + n;
	return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

function envOf(workload) {
	const env = new Map();
	for (const c of workload?.object?.spec?.template?.spec?.containers ?? []) for (const e of c.env ?? []) if (typeof e.value === 'string') env.set(e.name, e.value);
	return env;
}

/** The datapath the applied CNI configures. */
export function datapath(input) {
	const config = input.ciliumConfig;
	if (config) {
		const native = config['routing-mode'] === 'native' || config.tunnel === 'disabled';
		const protocol = config['tunnel-protocol'] === 'geneve' ? 'geneve' : 'vxlan';
		return { cni: 'cilium', mode: native ? 'native' : protocol, kpr: config['kube-proxy-replacement'] === 'true', crossSubnet: false };
	}
	const calico = input.workloads.find((w) => w.kind === 'DaemonSet' && w.namespace === 'kube-system' && w.name === 'calico-node');
	if (calico) {
		// Felix follows the IP pool (calico-node made it from the env at its first start; it may have been edited since).
		const env = envOf(calico);
		const pool = input.ipPools?.[0]?.spec;
		const ipip = pool ? pool.ipipMode ?? 'Never' : env.get('CALICO_IPV4POOL_IPIP') ?? 'Always';
		const vxlan = pool ? pool.vxlanMode ?? 'Never' : env.get('CALICO_IPV4POOL_VXLAN') ?? 'Never';
		const mode = ipip !== 'Never' ? 'ipip' : vxlan !== 'Never' ? 'vxlan' : 'none';
		return { cni: 'calico', mode, kpr: false, crossSubnet: (mode === 'ipip' ? ipip : vxlan) === 'CrossSubnet' };
	}
	return { cni: 'none', mode: 'none', kpr: false, crossSubnet: false };
}

function sameSubnet(a, b) {
	return a.split('.').slice(0, 3).join('.') === b.split('.').slice(0, 3).join('.');
}

/** What pod traffic between nodes a and b needs to get through: [{ protocol, port? }]. */
export function transportNeeds(dp, a, b) {
	if (dp.cni === 'cilium') {
		if (dp.mode === 'vxlan') return [{ protocol: 'udp', port: 8472 }];
		if (dp.mode === 'geneve') return [{ protocol: 'udp', port: 6081 }];
		return [{ protocol: 'ip' }];
	}
	if (dp.cni === 'calico') {
		const encapsulated = !dp.crossSubnet || !sameSubnet(a.address, b.address);
		if (encapsulated && dp.mode === 'ipip') return [{ protocol: 'ipip' }, { protocol: 'tcp', port: 179 }];
		if (encapsulated && dp.mode === 'vxlan') return [{ protocol: 'udp', port: 4789 }];
		return [{ protocol: 'ip' }, { protocol: 'tcp', port: 179 }];
	}
	return [{ protocol: 'ip' }];
}

function blockedBetween(scenario, a, b, need) {
	return (scenario.network?.blocked ?? []).some((rule) => {
		const nodes = rule.nodes ?? [];
		const between = nodes.includes(a.name) && nodes.includes(b.name) && a.name !== b.name;
		if (!between) return false;
		if (rule.protocol === 'all') return true;
		if (need.protocol === 'ip') return false;
		return rule.protocol === need.protocol && (rule.port === undefined || rule.port === need.port);
	});
}

/** Whether pod (or node) traffic from node a reaches a pod on node b. */
function podPathOpen(net, a, b) {
	if (a === b) return true;
	return !transportNeeds(net.dp, a, b).some((need) => blockedBetween(net.scenario, a, b, need));
}

function runningAt(pod, t) {
	return pod.readyAt !== undefined && pod.readyAt <= t && (pod.goneAt === undefined || pod.goneAt > t);
}

function ephemeralPort(...parts) {
	return 32768 + (createHash('sha256').update(parts.join('\0')).digest().readUInt16BE(0) % 28000);
}

/** What a name resolves to: an IP, or an error text as Go / nslookup print it. */
function resolve(net, client, name, t) {
	const dnsIp = nthAddress(net.serviceSubnet, 10);
	const coredns = net.pods.filter((p) => p.workload.namespace === 'kube-system' && p.workload.name === 'coredns' && p.node && runningAt(p, t));
	const reachable = !net.scenario.network?.dnsDown && !net.scenario.network?.servicesDown && net.serviceLayer && coredns.some((p) => podPathOpen(net, client.node, p.node));
	if (!reachable) return { timeout: true, dnsIp };
	const fqdn = name.endsWith('.cluster.local') ? name : `${name.replace(/\.$/, '')}${name.split('.').length >= 3 && name.endsWith('.svc') ? '.cluster.local' : name.split('.').length === 2 ? '.svc.cluster.local' : ''}`;
	const match = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(fqdn);
	if (!match) return { nx: true, dnsIp, fqdn };
	const [, svc, ns] = match;
	if (svc === 'kubernetes' && ns === 'default') return { ip: nthAddress(net.serviceSubnet, 1), dnsIp, fqdn };
	const service = net.services.find((s) => s.metadata.name === svc && s.metadata.namespace === ns);
	return service?.spec?.clusterIP ? { ip: service.spec.clusterIP, dnsIp, fqdn } : { nx: true, dnsIp, fqdn };
}

function endpointsOf(net, service, t) {
	const selector = service.spec?.selector ?? {};
	return net.pods.filter((p) => p.workload.namespace === service.metadata.namespace && Object.entries(selector).every(([k, v]) => p.labels?.[k] === v) && p.node && runningAt(p, t) && p.ip);
}

/** One TCP connection attempt from the client: 'ok' | 'timeout' | 'refused'. */
function connect(net, client, ip, port, t) {
	const target = net.pods.find((p) => p.ip === ip && !p.spec.hostNetwork && p.node);
	if (target) {
		if (!runningAt(target, t)) return 'timeout';
		if (!podPathOpen(net, client.node, target.node)) return 'timeout';
		const listens = (target.spec.containers ?? []).some((c) => (c.ports ?? []).some((p) => p.containerPort === port) || (c.args ?? []).includes(`--http-port=${port}`));
		return listens ? 'ok' : 'refused';
	}
	const service = net.services.find((s) => s.spec?.clusterIP === ip);
	if (service) {
		if (!net.serviceLayer || net.scenario.network?.servicesDown) return 'timeout';
		const sp = (service.spec.ports ?? []).find((p) => p.port === port);
		if (!sp) return 'timeout';
		let endpoints = endpointsOf(net, service, t);
		if (service.spec.internalTrafficPolicy === 'Local') endpoints = endpoints.filter((p) => p.node === client.node);
		const backend = endpoints.find((p) => podPathOpen(net, client.node, p.node)) ?? endpoints[0];
		if (!backend) return 'timeout';
		return podPathOpen(net, client.node, backend.node) ? 'ok' : 'timeout';
	}
	const node = net.nodes.find((n) => n.address === ip);
	if (node) {
		const np = net.services.flatMap((s) => (s.spec?.ports ?? []).filter((p) => p.nodePort === port).map((p) => ({ s, p })))[0];
		if (!np) return 'refused';
		if (node !== client.node && blockedBetween(net.scenario, client.node, node, { protocol: 'tcp', port })) return 'timeout';
		if (!net.serviceLayer || net.scenario.network?.servicesDown) return 'refused';
		let endpoints = endpointsOf(net, np.s, t);
		if (np.s.spec.externalTrafficPolicy === 'Local') endpoints = endpoints.filter((p) => p.node === node);
		const backend = endpoints.find((p) => podPathOpen(net, node, p.node));
		return backend ? 'ok' : 'timeout';
	}
	// Nothing in the simulated cluster has that address (and the test machines have no internet).
	return 'timeout';
}

function agnhostConnect(net, client, args, t) {
	const timeoutArg = args.find((a) => a.startsWith('--timeout='));
	const timeoutMs = timeoutArg ? Number.parseFloat(timeoutArg.slice('--timeout='.length)) * 1000 : 5000;
	const dest = args.find((a) => !a.startsWith('-'));
	const m = dest ? /^(?:\[(.+)\]|([^:]+)):(\d+)$/.exec(dest) : undefined;
	if (!m) return { ok: false, output: `OTHER: dial tcp: address ${dest ?? ''}: missing port in address`, ms: REFUSED_MS };
	const host = m[1] ?? m[2];
	const port = Number(m[3]);
	let ip = host;
	if (!/^\d+\.\d+\.\d+\.\d+$/.test(host)) {
		const r = resolve(net, client, host, t);
		if (r.timeout) return { ok: false, output: `DNS: lookup ${host} on ${r.dnsIp}:53: read udp ${client.ip}:${ephemeralPort(client.uid, host)}->${r.dnsIp}:53: i/o timeout`, ms: GO_DNS_FAIL_MS };
		if (r.nx) return { ok: false, output: `DNS: lookup ${host} on ${r.dnsIp}:53: no such host`, ms: PASS_MS };
		ip = r.ip;
	}
	const result = connect(net, client, ip, port, t);
	if (result === 'ok') return { ok: true, output: '', ms: PASS_MS };
	if (result === 'refused') return { ok: false, output: 'REFUSED', ms: REFUSED_MS };
	return { ok: false, output: 'TIMEOUT', ms: timeoutMs };
}

function nslookup(net, client, name, t) {
	const r = resolve(net, client, name, t);
	if (r.timeout) return { ok: false, output: ';; connection timed out; no servers could be reached', ms: NSLOOKUP_FAIL_MS };
	if (r.nx) return { ok: false, output: `Server:\t\t${r.dnsIp}\nAddress:\t${r.dnsIp}#53\n\n** server can't find ${name}: NXDOMAIN`, ms: PASS_MS };
	return { ok: true, output: `Server:\t\t${r.dnsIp}\nAddress:\t${r.dnsIp}#53\n\nName:\t${r.fqdn}\nAddress: ${r.ip}`, ms: PASS_MS };
}

function runCommand(net, client, words, t) {
	if (words[0] === '/agnhost' && words[1] === 'connect') return agnhostConnect(net, client, words.slice(2), t);
	if (words[0] === 'nslookup' && words[1]) return nslookup(net, client, words[1], t);
	return { ok: false, output: `sh: ${words[0]}: not found (not played by the simulated kubestrap test hosts)`, ms: REFUSED_MS };
}

/** The script of a client pod, if it is one the simulation plays (an sh -c script with `p ID …` lines). */
export function probeScript(pod) {
	const c = pod.spec.containers?.[0];
	const argv = [...(c?.command ?? []), ...(c?.args ?? [])];
	if (argv[0] !== '/bin/sh' || argv[1] !== '-c' || typeof argv[2] !== 'string') return undefined;
	const script = argv[2];
	if (!/^p\(\) \{/m.test(script)) return undefined;
	return script;
}

/**
 * Plays a client pod's script from `start` (ms): each `p ID CMD` line is tried up to the script's attempt
 * count with a 1 s sleep between, and prints `<prefix> ID pass` or `<prefix> ID fail <output>` at the time
 * it finishes; a last `echo "<prefix> done"` line ends it. Returns { lines: [{ at, text }], end }.
 */
export function playScript(net, client, script, start) {
	const attempts = Number(/-ge "?(\d+)"?/.exec(script)?.[1] ?? 1);
	const prefix = /(?:echo|r) "(\S+) \$id pass"/.exec(script)?.[1] ?? 'result';
	// `r` (if the script defines it) also appends the line to the termination message file.
	const toMessage = /^r\(\) \{.*>> \/dev\/termination-log/m.test(script);
	let t = start;
	const lines = [];
	for (const raw of script.split('\n')) {
		const line = raw.trim();
		let m;
		if ((m = /^p (\S+) (.+)$/.exec(line))) {
			const words = m[2].split(/\s+/);
			let outcome;
			for (let i = 0; i < attempts; i++) {
				outcome = runCommand(net, client, words, t);
				t += outcome.ms / net.speed;
				if (outcome.ok) break;
				if (i + 1 < attempts) t += SLEEP_BETWEEN_MS / net.speed;
			}
			lines.push({ at: t, text: outcome.ok ? `${prefix} ${m[1]} pass` : `${prefix} ${m[1]} fail ${outcome.output.replace(/\n/g, ' ')} `, message: toMessage });
		} else if ((m = /^(echo|r) "(.*)"$/.exec(line))) {
			lines.push({ at: t, text: m[2], message: m[1] === 'r' && toMessage });
		}
	}
	// The kubelet reads the termination message file when the container exits (at most 4096 bytes).
	const message = lines.filter((l) => l.message).map((l) => `${l.text}\n`).join('');
	return { lines, end: t + PASS_MS / net.speed, message: message.length > 4096 ? message.slice(-4096) : message };
}
