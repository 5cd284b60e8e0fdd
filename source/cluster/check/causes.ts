// Maps failed probes to their likely cause and the fix. The rules follow the order a packet takes:
// a node whose own pods cannot talk has a broken CNI agent; same-node fine but cross-node failing is
// the tunnel (or routes) between those two nodes; pods fine but the ClusterIP failing is kube-proxy or
// its replacement; the Service fine but names failing is CoreDNS; pods that never ran in ENI mode are
// out of addresses. On AWS, with EC2's data about the two instances (read in cloud/), a failed pair names
// the security-group rule that is missing or the instance whose source/destination check is on.
import type { AwsFacts, Cause, Datapath, ProbeResult } from './types.js';

/** How pod traffic crosses from one node to another with this datapath, and what must be let through. */
export function transport(dp: Datapath): { what: string; allow: string } {
	if (dp.cni === 'cilium') {
		if (dp.mode === 'vxlan') return { what: 'Cilium VXLAN tunnel', allow: 'UDP port 8472' };
		if (dp.mode === 'geneve') return { what: 'Cilium Geneve tunnel', allow: 'UDP port 6081' };
		return { what: 'Cilium native routing (pod CIDRs routed between the nodes, no tunnel)', allow: 'all traffic to and from the pod CIDR, and routes to each node\'s pod CIDR (auto-direct-node-routes needs the nodes in one L2 segment)' };
	}
	const between = dp.crossSubnet ? ' between subnets (unencapsulated within a subnet, routes from BGP on TCP port 179)' : '';
	if (dp.mode === 'ipip') return { what: `Calico IPIP tunnel${between}`, allow: dp.crossSubnet ? 'IP protocol 4 (IPIP) and TCP port 179 (BGP)' : 'IP protocol 4 (IPIP) and TCP port 179 (BGP, which distributes the routes)' };
	if (dp.mode === 'vxlan') return { what: `Calico VXLAN tunnel${dp.crossSubnet ? ' between subnets (unencapsulated within a subnet)' : ''}`, allow: 'UDP port 4789' };
	return { what: 'Calico without encapsulation (routes from BGP)', allow: 'TCP port 179 (BGP) and all traffic to and from the pod CIDR' };
}

/** The short name of what crosses between nodes, for the grid's header: "VXLAN 8472/udp". */
export function transportShort(dp: Datapath): string {
	if (dp.cni === 'cilium') return dp.mode === 'vxlan' ? 'Cilium VXLAN 8472/udp' : dp.mode === 'geneve' ? 'Cilium Geneve 6081/udp' : 'Cilium native routing';
	const cross = dp.crossSubnet ? ' (cross-subnet)' : '';
	return dp.mode === 'ipip' ? `Calico IPIP proto 4 + BGP 179/tcp${cross}` : dp.mode === 'vxlan' ? `Calico VXLAN 4789/udp${cross}` : 'Calico BGP 179/tcp, no encapsulation';
}

function awsNetworkFix(dp: Datapath, allow: string, a: string, b: string): string {
	const native = (dp.cni === 'cilium' && dp.mode === 'native') || (dp.cni === 'calico' && (dp.mode === 'none' || dp.crossSubnet));
	const sg = `let ${allow} in from the cluster's own security group on both instances (kubestrap install --aws-fix-security-groups adds the rule)`;
	const sdc = `turn the source/destination check off on the instances of ${a} and ${b} (kubestrap install --aws-fix-source-dest-check)`;
	return native ? `${sg}; unencapsulated pod traffic also needs: ${sdc}` : sg;
}

/** Whether pod traffic between the two instances leaves unencapsulated, which EC2 drops while source/dest check is on. */
function unencapsulated(dp: Datapath, sameSubnet: boolean): boolean {
	if (dp.cni === 'cilium') return dp.mode === 'native' && dp.ipam !== 'eni';
	return dp.mode === 'none' || (dp.crossSubnet && sameSubnet);
}

/**
 * A failed pair on AWS, from EC2's data: the missing security-group rules for the CNI's traffic between
 * the two instances, the instances with source/destination check on when the traffic is unencapsulated,
 * or, when EC2 lets everything through, what is left (network ACLs, host firewalls).
 */
function awsPairCause(dp: Datapath, aws: AwsFacts, a: string, b: string, base: string, allow: string, addresses: ReadonlyMap<string, string>): { cause: string; fix: string } | undefined {
	const fa = aws.nodes.get(a);
	const fb = aws.nodes.get(b);
	if (!fa || !fb) {
		const lost = [a, b].filter((n) => !aws.nodes.has(n)).map((n) => `${n} (${addresses.get(n) ?? '?'})`);
		return { cause: `${base}; ${lost.join(' and ')} ${lost.length === 1 ? 'matches' : 'match'} none of the instances spec.aws finds (by private IP or DNS name), so EC2's rules could not be read for this pair`, fix: awsNetworkFix(dp, allow, a, b) };
	}
	const sameSubnet = fa.subnet !== '' && fa.subnet === fb.subnet;
	const bare = unencapsulated(dp, sameSubnet);
	const label = (n: string): string => `${aws.nodes.get(n)?.instanceId ?? '?'} (${n})`;
	const key = [a, b].sort().join('\u0000');
	const rules = aws.missing.filter((m) => m.pair.join('\u0000') === key && !(bare && m.encapsulation));
	const checkOn = bare ? [a, b].filter((n) => aws.nodes.get(n)?.sourceDestCheck !== false) : [];
	const within = dp.cni === 'calico' && dp.crossSubnet && sameSubnet ? ` (both in ${fa.subnet}, where Calico cross-subnet sends pod traffic unencapsulated)` : '';
	if (rules.length === 0 && checkOn.length === 0) {
		const groups = [...new Set([...fa.securityGroups, ...fb.securityGroups])].join(', ');
		const subnets = [...new Set([fa.subnet, fb.subnet])].filter((x) => x !== '').join(' and ');
		const elsewhere = `in the network ACLs of ${subnets || 'their subnets'} and in the host firewalls of both nodes`;
		if (!bare && aws.checked.length > 0) {
			return {
				cause: `${base}; EC2 lets it through (security groups ${groups || 'none'} admit ${aws.checked.join(' and ')} between the two instances), so it is dropped after EC2: a network ACL or a host firewall`,
				fix: `let ${allow} through between ${addresses.get(a) ?? a} and ${addresses.get(b) ?? b} ${elsewhere}`,
			};
		}
		// Unencapsulated (or ENI) pod traffic carries pod addresses, which a group-to-group rule does not
		// describe: EC2's data cannot settle it, so say what was seen and what is left to look at.
		return {
			cause: `${base}; in EC2: ${bare ? 'source/destination check is off on both instances; ' : ''}pod traffic between them carries pod addresses, which the security groups (${groups || 'none'}) and network ACLs must admit`,
			fix: `let ${allow} through between the two instances: in security groups ${groups || 'of the instances'}, ${elsewhere}`,
		};
	}
	const reasons = [
		...rules.map((m) => `security group ${m.groupId} of ${m.nodes.map(label).join(' and ')} does not let ${m.traffic} (${m.purpose}) in from ${m.source}`),
		...(checkOn.length > 0 ? [`source/destination check is on for ${checkOn.map(label).join(' and ')}${within}, so EC2 drops pod traffic that is not addressed to the instance itself`] : []),
	];
	const fixes = [
		...[...new Set(rules.map((m) => m.command))].map((command) => `add the rule: ${command}`),
		...checkOn.map((n) => `turn the check off: aws ec2 modify-instance-attribute --region ${aws.region} --instance-id ${aws.nodes.get(n)?.instanceId ?? '?'} --no-source-dest-check`),
	];
	const flags = [...(rules.length > 0 ? ['--aws-fix-security-groups'] : []), ...(checkOn.length > 0 ? ['--aws-fix-source-dest-check'] : [])];
	return { cause: `${base}; in EC2: ${reasons.join('; ')}`, fix: `${fixes.join('; ')} (kubestrap install ${flags.join(' ')} makes ${fixes.length === 1 ? 'this change' : 'these changes'})` };
}

function serviceLayer(dp: Datapath): string {
	if (dp.cni === 'cilium' && dp.kubeProxyReplacement) return "Cilium's kube-proxy replacement (cilium-config kube-proxy-replacement: \"true\", and k8sServiceHost/Port reaching the API server)";
	if (dp.kubeProxy) return 'kube-proxy (DaemonSet kube-system/kube-proxy)';
	return 'nothing: there is no kube-proxy and no kube-proxy replacement';
}

export interface CauseInput {
	results: readonly ProbeResult[];
	datapath: Datapath;
	/** node name → InternalIP */
	addresses: ReadonlyMap<string, string>;
	/** client or echo pods that never ran, with the scheduler's or kubelet's reason */
	stuck: ReadonlyArray<{ pod: string; node: string; reason: string }>;
	/** target aws: the instances under the nodes and the rules missing between failed pairs */
	aws?: AwsFacts;
}

function failed(results: readonly ProbeResult[], path: string, from?: string): ProbeResult[] {
	return results.filter((r) => r.outcome === 'fail' && r.probe.path === path && (from === undefined || r.probe.from === from));
}

function passed(results: readonly ProbeResult[], path: string, from?: string): boolean {
	return results.some((r) => r.outcome === 'pass' && r.probe.path === path && (from === undefined || r.probe.from === from));
}

export function mapCauses(input: CauseInput): Cause[] {
	const { results, datapath: dp } = input;
	const causes: Cause[] = [];
	const brokenNodes = new Set<string>();
	const addr = (node: string): string => `${node} (${input.addresses.get(node) ?? '?'})`;

	// 1. A node whose pods cannot reach a pod next to them: its CNI agent is not serving it.
	for (const r of failed(results, 'same-node')) {
		brokenNodes.add(r.probe.from);
		const agent = dp.cni === 'cilium' ? 'the cilium agent (kube-system/cilium pod)' : 'calico-node (kube-system/calico-node pod)';
		causes.push({ paths: [r.probe.id], nodes: [r.probe.from, r.probe.from], cause: `pods on ${addr(r.probe.from)} cannot reach a pod on the same node (${r.detail}): ${agent} on that node is not serving its pods`, fix: `look at ${agent} on ${r.probe.from}: kubectl -n kube-system logs <pod> and kubestrap status` });
	}

	// 2. Cross-node and node-to-pod failures, grouped by the unordered node pair.
	const pairs = new Map<string, ProbeResult[]>();
	for (const r of [...failed(results, 'cross-node'), ...failed(results, 'node-to-pod')]) {
		const to = r.probe.to as string;
		if (brokenNodes.has(r.probe.from) || brokenNodes.has(to)) continue;
		const key = [r.probe.from, to].sort().join('\u0000');
		pairs.set(key, [...(pairs.get(key) ?? []), r]);
	}
	const { what, allow } = transport(dp);
	for (const [key, list] of pairs) {
		const [a, b] = key.split('\u0000') as [string, string];
		const onlyHost = list.every((r) => r.probe.path === 'node-to-pod');
		if (onlyHost) {
			causes.push({
				paths: list.map((r) => r.probe.id), nodes: [a, b],
				cause: `pods reach each other between ${addr(a)} and ${addr(b)}, but the node itself cannot reach the other node's pod: a host firewall on the nodes, or missing routes from the host to the pod CIDR${dp.cni === 'cilium' && dp.mode === 'native' ? ' (Cilium native routing: auto-direct-node-routes or the nodes\' routing)' : ''}`,
				fix: `allow the node addresses to reach the pod CIDR on ${a} and ${b} (host firewall: iptables/nftables rules)`,
			});
			continue;
		}
		const base = `pods on ${addr(a)} and ${addr(b)} cannot reach each other while pods on each node work: the ${what} between these two nodes is blocked (${allow})`;
		const fromEc2 = dp.target === 'aws' && input.aws ? awsPairCause(dp, input.aws, a, b, base, allow, input.addresses) : undefined;
		const fix = dp.target === 'aws'
			? awsNetworkFix(dp, allow, a, b)
			: `let ${allow} through between ${input.addresses.get(a) ?? a} and ${input.addresses.get(b) ?? b}, in both directions (host firewalls and anything between the two hosts)`;
		causes.push({ paths: list.map((r) => r.probe.id), nodes: [a, b], cause: fromEc2?.cause ?? base, fix: fromEc2?.fix ?? fix });
	}

	// 3. The ClusterIP: the service layer, when the pods themselves are reachable.
	const svc = failed(results, 'cluster-ip').filter((r) => !brokenNodes.has(r.probe.from));
	if (svc.length > 0) {
		causes.push({
			paths: svc.map((r) => r.probe.id),
			cause: `pods answer on their own IP but not through the Service's ClusterIP (from ${svc.map((r) => r.probe.from).join(', ')}): ClusterIPs are served by ${serviceLayer(dp)}, which is not translating them`,
			fix: dp.cni === 'cilium' && dp.kubeProxyReplacement ? 'look at the cilium agents (kubectl -n kube-system exec ds/cilium -- cilium-dbg service list) and that cilium-config has kube-proxy-replacement "true"' : 'look at the kube-proxy pods: kubectl -n kube-system logs ds/kube-proxy (and that the DaemonSet runs on every node)',
		});
	}
	const nodePort = failed(results, 'node-port').filter((r) => !brokenNodes.has(r.probe.from));
	if (nodePort.length > 0) {
		causes.push({
			paths: nodePort.map((r) => r.probe.id),
			cause: `the echo NodePort does not answer on ${[...new Set(nodePort.map((r) => addr(r.probe.to as string)))].join(', ')}: NodePorts are served by ${serviceLayer(dp)}, or TCP ports 30000-32767 are blocked between the nodes`,
			fix: dp.target === 'aws' ? 'let TCP 30000-32767 in from the cluster\'s security group, and check the service layer named above' : 'let TCP 30000-32767 through between the nodes, and check the service layer named above',
		});
	}

	// 4. Names: CoreDNS, when the Service itself answers by IP.
	const dns = [...failed(results, 'kubernetes-dns'), ...failed(results, 'service-dns').filter((r) => r.detail.startsWith('DNS') || !failed(results, 'cluster-ip', r.probe.from).length)]
		.filter((r) => !brokenNodes.has(r.probe.from));
	if (dns.length > 0) {
		const byIp = passed(results, 'cluster-ip');
		causes.push({
			paths: dns.map((r) => r.probe.id),
			cause: `names do not resolve in pods (${dns[0]?.detail || 'lookup failed'})${byIp ? ' while the Service answers on its ClusterIP' : ''}: CoreDNS (kube-system/coredns behind the kube-dns Service) is not answering`,
			fix: 'look at CoreDNS: kubectl -n kube-system get pods -l k8s-app=kube-dns and kubectl -n kube-system logs -l k8s-app=kube-dns; check the upstream servers in the nodes\' /etc/resolv.conf',
		});
	}

	const external = failed(results, 'external');
	if (external.length > 0) {
		causes.push({ paths: external.map((r) => r.probe.id), cause: `pods cannot reach ${external[0]?.probe.target} outside the cluster (${external[0]?.detail})`, fix: 'check masquerading (SNAT) for pod traffic leaving the nodes and the site\'s egress firewall or proxy' });
	}

	// 5. Pods that never ran.
	if (input.stuck.length > 0) {
		const eni = dp.cni === 'cilium' && dp.ipam === 'eni';
		const ipExhausted = input.stuck.some((s) => /Too many pods|Insufficient .*pods|failed to assign an IP|no IP addresses|unable to allocate IP/i.test(s.reason));
		causes.push({
			paths: results.filter((r) => r.outcome === 'pending').map((r) => r.probe.id),
			cause: eni && (ipExhausted || input.stuck.every((s) => /Pending|Unschedulable|ContainerCreating/i.test(s.reason)))
				? `pods stay Pending on ${[...new Set(input.stuck.map((s) => s.node))].join(', ')} in ENI mode (${input.stuck[0]?.reason}): the instances are out of ENI addresses for pods`
				: `check pods did not run: ${input.stuck.map((s) => `${s.pod} on ${s.node}: ${s.reason}`).join('; ')}`,
			fix: eni
				? 'use instance types with more ENIs/addresses per ENI, lower maxPods, or add nodes; kubestrap sets kubelet maxPods from the instance type at install'
				: 'see why with kubectl describe pod in the check namespace (run the check again with --keep to keep it)',
		});
	}
	return causes;
}
