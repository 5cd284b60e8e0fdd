// What an active host firewall (firewalld, on by default on RHEL-family servers) must let through between the
// nodes, from the Kubernetes "Ports and Protocols" page and the CNIs' firewall requirements: pure, so the
// preflight warning is a table test. kubeadm itself only warns about 6443 and 10250.
import type { Cluster, Role } from '../../spec/types.js';

/** The ports and protocols a node of this role needs open, in firewall-cmd's words (`6443/tcp`, `ipip` for IP protocol 4). */
export function firewallOpenings(role: Role, network: Cluster['spec']['network']): string[] {
	const kubernetes = role === 'control-plane'
		? ['6443/tcp', '2379-2380/tcp', '10250/tcp', '10257/tcp', '10259/tcp']
		: ['10250/tcp', '10256/tcp', '30000-32767/tcp'];
	if (network.cni === 'cilium') {
		const { tunnel, hubble } = network.cilium;
		return [...kubernetes, '4240/tcp', ...(tunnel === 'vxlan' ? ['8472/udp'] : tunnel === 'geneve' ? ['6081/udp'] : []), ...(hubble ? ['4244/tcp'] : [])];
	}
	const { encapsulation } = network.calico;
	return [...kubernetes, ...(encapsulation === 'vxlan' ? ['4789/udp'] : ['179/tcp']), ...(encapsulation === 'ipip' ? ['ipip'] : [])];
}

/** The warning for a host whose firewalld is active: what to open, or to stop it. */
export function firewalldWarning(host: string, role: Role, network: Cluster['spec']['network']): string {
	const openings = firewallOpenings(role, network);
	const ports = openings.filter((o) => o !== 'ipip');
	const commands = [...ports.map((p) => `--add-port=${p}`), ...(openings.includes('ipip') ? ['--add-protocol=ipip'] : [])];
	return `warning: firewalld is active on ${host}: the other nodes must reach ${openings.join(', ')} there, or joins and pod traffic fail; open them (firewall-cmd --permanent ${commands.join(' ')} && firewall-cmd --reload) or stop firewalld`;
}
