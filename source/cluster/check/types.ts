// The shapes of a network check: the nodes it covers, the probes the client pods run, their results
// and the causes a failure is mapped to. Pure data; the JSON report (`check -o json`) is built from these.

/** What one probe tests. The names are part of the `-o json` contract (README "kubestrap check"). */
export type PathKind =
	| 'same-node' // pod → echo pod on the same node
	| 'cross-node' // pod → echo pod on another node (the tunnel or the routes between the two nodes)
	| 'node-to-pod' // hostNetwork pod → echo pod on another node
	| 'cluster-ip' // pod → the echo Service's ClusterIP (kube-proxy or its replacement)
	| 'service-dns' // pod → echo.<namespace>.svc by name (CoreDNS, then the Service)
	| 'kubernetes-dns' // pod resolves kubernetes.default (CoreDNS)
	| 'node-port' // pod → the echo NodePort on another node's InternalIP
	| 'external'; // pod → a host outside the cluster (--external only)

export const PATH_KINDS: readonly PathKind[] = ['same-node', 'cross-node', 'node-to-pod', 'cluster-ip', 'service-dns', 'kubernetes-dns', 'node-port', 'external'];

export interface CheckNode {
	name: string;
	/** the node's InternalIP */
	address: string;
}

export interface Probe {
	/** `<path>/<from>[/<to>]`, unique in one check */
	id: string;
	path: PathKind;
	from: string;
	/** the other node of a pair, when the path has one */
	to?: string;
	/** `host:port` for a connection, a name for a DNS lookup */
	target: string;
	how: 'connect' | 'dns';
	/** run from a hostNetwork pod (node-to-pod) */
	hostNetwork: boolean;
}

export type Outcome = 'pass' | 'fail' | 'pending';

export interface ProbeResult {
	probe: Probe;
	outcome: Outcome;
	/** what the probe printed on failure (agnhost's TIMEOUT/REFUSED/DNS…, nslookup's error), or why it did not run */
	detail: string;
}

/** How pod traffic crosses between nodes, from the spec or read from the cluster. */
export interface Datapath {
	cni: 'cilium' | 'calico';
	/** cilium: vxlan | geneve | native; calico: ipip | vxlan | none */
	mode: 'vxlan' | 'geneve' | 'native' | 'ipip' | 'none';
	/** calico: encapsulate only between subnets */
	crossSubnet: boolean;
	kubeProxyReplacement: boolean;
	/** the kube-proxy DaemonSet runs */
	kubeProxy: boolean;
	/** cilium ipam (eni: IP exhaustion leaves pods Pending) */
	ipam?: string;
	target: 'baremetal' | 'aws' | 'unknown';
}

export interface Cause {
	/** the probe ids this cause explains */
	paths: string[];
	/** the node pair, when the cause lies between two nodes */
	nodes?: [string, string];
	cause: string;
	fix: string;
}

/** What EC2 says about the instance under a node: read in cloud/, mapped to causes in causes.ts. */
export interface AwsNodeFacts {
	instanceId: string;
	subnet: string;
	/** undefined when EC2 did not say */
	sourceDestCheck?: boolean;
	securityGroups: string[];
}

/** A security-group rule EC2 lacks for the CNI's traffic between two nodes. */
export interface AwsMissingRule {
	/** the node pair it was found for, sorted */
	pair: [string, string];
	/** the nodes whose instances do not let the traffic in */
	nodes: string[];
	/** "8472/udp", "IP protocol 4 (IP-in-IP)" */
	traffic: string;
	/** what needs it: "Cilium VXLAN", "Calico BGP (BIRD)" */
	purpose: string;
	/** tunnel traffic (which Calico cross-subnet does not send within one subnet), as opposed to BGP */
	encapsulation: boolean;
	groupId: string;
	/** the source the rule names: a security group, or the other instance's /32 */
	source: string;
	/** the AWS CLI command that adds the rule */
	command: string;
}

export interface AwsFacts {
	region: string;
	/** node name → its instance; a node missing here matched no instance found by spec.aws */
	nodes: ReadonlyMap<string, AwsNodeFacts>;
	/** the rules missing between the node pairs asked about */
	missing: readonly AwsMissingRule[];
	/** the CNI traffic the security groups were checked for, e.g. "8472/udp (Cilium VXLAN)"; empty without a tunnel */
	checked: readonly string[];
}
