// Simulated `cilium-dbg` inside a Cilium agent pod (a test double, not Cilium): `config [--all]` and
// `status` answer from the agent's running configuration — the cilium-config data the agent read when its
// container started (kubectl.mjs picks that version from the ConfigMap's history). A ConfigMap changed
// after the start shows only once the pod was replaced, as with the real agent.

const READ_WRITE = [
	['ConntrackAccounting', 'Disabled'], ['ConntrackLocal', 'Disabled'], ['Debug', 'Disabled'], ['DebugLB', 'Disabled'],
	['DebugPolicy', 'Disabled'], ['DropNotification', 'Enabled'], ['MonitorAggregationLevel', 'Medium'], ['PolicyAccounting', 'Enabled'],
	['PolicyAuditMode', 'Disabled'], ['PolicyTracing', 'Disabled'], ['PolicyVerdictNotification', 'Enabled'], ['SourceIPVerification', 'Enabled'],
	['TraceNotification', 'Enabled'], ['MonitorNumPages', '64'],
];

function truthy(value) {
	return String(value).toLowerCase() === 'true';
}

function aligned(rows, width = 34) {
	return rows.map(([key, value]) => `${key.padEnd(width)}: ${value}\n`).join('');
}

/** The read-only part of `config --all`: the DaemonConfig fields the cilium-config keys set. */
function readOnly(data) {
	return [
		['ClusterName', data['cluster-name'] ?? 'default'],
		['EnableHubble', String(truthy(data['enable-hubble']))],
		['EnableIPv4Masquerade', String(truthy(data['enable-ipv4-masquerade'] ?? 'true'))],
		['EnablePolicy', data['enable-policy'] ?? 'default'],
		['IPAM', data.ipam ?? 'cluster-pool'],
		['KubeProxyReplacement', data['kube-proxy-replacement'] ?? 'false'],
		['MTU', data.mtu ?? '0'],
		['RoutingMode', data['routing-mode'] ?? 'tunnel'],
		['TunnelProtocol', data['routing-mode'] === 'native' ? '' : data['tunnel-protocol'] ?? 'vxlan'],
	];
}

/** `cilium-dbg status` puts the colon right after the name: `Hubble:   Ok …`. */
function statusLines(rows, width) {
	return rows.map(([key, value]) => `${`${key}:`.padEnd(width)}${value}\n`).join('');
}

function status(data) {
	const hubble = truthy(data['enable-hubble'])
		? 'Ok   Current/Max Flows: 0/4095 (0.00%), Flows/s: 0.00   Metrics: Disabled'
		: 'Disabled';
	const native = data['routing-mode'] === 'native';
	const masquerade = truthy(data['enable-ipv4-masquerade'] ?? 'true') ? 'Enabled' : 'Disabled';
	return statusLines([
		['KVStore', 'Disabled'],
		['Kubernetes', 'Ok'],
		['KubeProxyReplacement', truthy(data['kube-proxy-replacement']) ? 'True' : 'False'],
		['Cilium', 'Ok'],
		['IPAM', `IPv4: 2/254 allocated (${data.ipam ?? 'cluster-pool'})`],
		['Routing', `Network: ${native ? 'Native' : `Tunnel [${data['tunnel-protocol'] ?? 'vxlan'}]`}   Host: Legacy`],
		['Masquerading', `IPTables [IPv4: ${masquerade}, IPv6: Disabled]`],
		['Hubble', hubble],
		['Policy enforcement', data['enable-policy'] ?? 'default'],
	], 25);
}

/** Returns { text } or { error } for `cilium-dbg ARGS…` given the agent's running cilium-config data. */
export function ciliumDbg(args, data) {
	const [verb, ...rest] = args;
	if (verb === 'config') {
		const all = rest.includes('--all') || rest.includes('-a');
		const rw = [...READ_WRITE, ['PolicyEnforcement', data['enable-policy'] ?? 'default']];
		let text = `##### Read-write configurations #####\n${aligned(rw)}`;
		if (all) text += `##### Read-only configurations #####\n${aligned(readOnly(data))}`;
		return { text };
	}
	if (verb === 'status') return { text: status(data) };
	return { error: `Error: unknown command "${verb ?? ''}" for "cilium-dbg" (the kubestrap test hosts simulate config and status)` };
}
