# Shared helpers of the simulated node programs used by kubestrap's tests (POSIX sh, sourced).
# These are test doubles, not real tools: each records its call and answers from the host's scenario and
# state. Layout inside a test host (see sshd-hosts.ts):
#   /opt/kubestrap-sim/bin       on PATH (and sudo's secure_path); package binaries are linked in on install
#   /opt/kubestrap-sim/pkg       binaries that appear in bin when their package is installed
#   /opt/kubestrap-sim/state     this host's state: calls.jsonl, packages/, services/, modules/, sysctl/, ...
#   /opt/kubestrap-sim/scenario  what the test asked for: faults, kernel, arch, ...
#   /opt/kubestrap-sim/cluster   shared by all hosts of one harness: what the API server would know

SIM=/opt/kubestrap-sim
STATE=$SIM/state
SCEN=$SIM/scenario
CLUSTER=$SIM/cluster
SIM_PROG=${0##*/}
SIM_STDIN=false

# JSON array of the arguments (awk sees them as ARGV; a BEGIN-only program never opens them as files).
sim_json_args() {
	awk 'BEGIN {
		out = "["
		for (i = 1; i < ARGC; i++) {
			s = ARGV[i]
			gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s)
			gsub(/\n/, "\\n", s); gsub(/\r/, "\\r", s); gsub(/\t/, "\\t", s)
			for (c = 1; c < 32; c++) {
				ch = sprintf("%c", c)
				if (index(s, ch) > 0) gsub(ch, sprintf("\\u%04x", c), s)
			}
			out = out (i > 1 ? "," : "") "\"" s "\""
		}
		print out "]"
	}' "$@"
}

# One JSON line per call: time, program, argv, uid, and whether stdin carried data (for programs that read it).
sim_record() {
	_json="{\"t\":$(/bin/date +%s%3N),\"prog\":\"$SIM_PROG\",\"argv\":$(sim_json_args "$@"),\"uid\":$(id -u),\"stdin\":$SIM_STDIN}"
	printf '%s\n' "$_json" >> "$STATE/calls.jsonl"
}

# Scenario faults: lines "id<TAB>times<TAB>exit<TAB>delay<TAB>glob" matched against "prog arg1 arg2 ...".
# times 0 = always; exit "-" = only delay/print, then behave normally.
sim_fault() {
	[ -s "$SCEN/faults" ] || return 0
	_cmd="$SIM_PROG $*"
	while IFS='	' read -r _id _times _code _delay _pattern; do
		# shellcheck disable=SC2254
		case $_cmd in
			$_pattern) ;;
			*) continue ;;
		esac
		if [ "$_times" -gt 0 ]; then
			_n=$(cat "$STATE/faults/$_id" 2>/dev/null || echo 0)
			[ "$_n" -ge "$_times" ] && continue
			echo $((_n + 1)) > "$STATE/faults/$_id"
		fi
		[ "$_delay" = 0 ] || sleep "$_delay"
		[ -f "$SCEN/faults.d/$_id.stdout" ] && cat "$SCEN/faults.d/$_id.stdout"
		[ -f "$SCEN/faults.d/$_id.stderr" ] && cat "$SCEN/faults.d/$_id.stderr" >&2
		[ "$_code" = - ] && return 0
		exit "$_code"
	done < "$SCEN/faults"
}

# Every simulator starts with this (programs that read stdin set SIM_STDIN first).
sim_begin() {
	sim_record "$@"
	sim_cni_sync
	sim_fault "$@"
}

# Reads stdin into a file and sets SIM_STDIN to whether anything came.
sim_read_stdin() {
	cat > "$1"
	if [ -s "$1" ]; then SIM_STDIN=true; else SIM_STDIN=false; fi
}

sim_is_root() { [ "$(id -u)" = 0 ]; }

sim_die() {
	_code=$1
	shift
	printf '%s\n' "$@" >&2
	exit "$_code"
}

sim_installed() { [ -f "$STATE/packages/$1" ]; }

sim_service_active() { [ -f "$STATE/services/$1.active" ]; }

sim_sysctl_get() {
	if [ -f "$STATE/sysctl/$1" ]; then
		cat "$STATE/sysctl/$1"
	else
		_path=/proc/sys/$(printf '%s' "$1" | tr . /)
		[ -r "$_path" ] && cat "$_path"
	fi
}

# Binaries a package puts on PATH, and the systemd unit it ships.
sim_pkg_bins() {
	case $1 in
		kubeadm) echo kubeadm ;;
		kubelet) echo kubelet ;;
		kubectl) echo kubectl ;;
		cri-tools) echo crictl ;;
		containerd | containerd.io) echo containerd ctr ;;
	esac
}

sim_pkg_unit() {
	case $1 in
		kubelet) echo kubelet ;;
		containerd | containerd.io) echo containerd ;;
	esac
}

# Packages that only the Kubernetes repository (pkgs.k8s.io) provides.
sim_k8s_pkg() {
	case $1 in
		kubeadm | kubelet | kubectl | cri-tools | kubernetes-cni) return 0 ;;
		*) return 1 ;;
	esac
}

sim_pkg_install() { # name version
	printf '%s\n' "$2" > "$STATE/packages/$1"
	for _bin in $(sim_pkg_bins "$1"); do
		ln -sf "../pkg/$_bin" "$SIM/bin/$_bin"
	done
	_unit=$(sim_pkg_unit "$1")
	[ -z "$_unit" ] || : > "$STATE/units/$_unit"
}

sim_pkg_remove() {
	rm -f "$STATE/packages/$1" "$STATE/held/$1"
	for _bin in $(sim_pkg_bins "$1"); do
		rm -f "$SIM/bin/$_bin"
	done
	_unit=$(sim_pkg_unit "$1")
	[ -z "$_unit" ] || rm -f "$STATE/units/$_unit" "$STATE/services/$_unit.active" "$STATE/services/$_unit.enabled"
}

sim_random() { # length charset
	LC_ALL=C tr -dc "$2" < /dev/urandom | head -c "$1"
}

# The Kubernetes minor configured in an apt/yum repository file, e.g. 1.35.
sim_repo_minor() {
	sed -n 's|.*pkgs\.k8s\.io/core:/stable:/v\([0-9]*\.[0-9]*\)/.*|\1|p' "$@" 2>/dev/null | head -n 1
}

# The simulated API server endpoint (node/apiserver.mjs): https on the addresses listed in
# state/apiserver.listen, started by kubeadm init / control-plane join and again when the host restarts
# (setup of the host), as the kubelet would restart the kube-apiserver static pod. It waits until the
# server has tried its addresses, so /readyz answers as soon as kubeadm returns.
sim_start_apiserver() {
	[ -s "$STATE/apiserver.listen" ] || return 0
	sim_stop_apiserver
	rm -f /run/kubestrap-sim-apiserver.ready
	read -r _node < "$SIM/node-path"
	setsid "$_node" "$SIM/node/apiserver.mjs" < /dev/null >> "$STATE/apiserver.log" 2>&1 &
	echo $! > /run/kubestrap-sim-apiserver.pid
	_i=0
	while [ ! -f /run/kubestrap-sim-apiserver.ready ] && [ $_i -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
}

sim_stop_apiserver() {
	[ -f /run/kubestrap-sim-apiserver.pid ] || return 0
	_pid=$(cat /run/kubestrap-sim-apiserver.pid)
	kill "$_pid" 2>/dev/null || true
	# Until it is gone its ports are still bound.
	_i=0
	while kill -0 "$_pid" 2>/dev/null && [ $_i -lt 40 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	rm -f /run/kubestrap-sim-apiserver.pid /run/kubestrap-sim-apiserver.ready
}

# The newest patch pkgs.k8s.io publishes for a minor (scenario repoPatches, else the releases seen last):
# the repository offers 1.XX.0 … 1.XX.<newest>, as the real per-minor repositories do.
sim_newest_patch() {
	_p=$(awk -v m="$1" '$1 == m { print $2 }' "$SCEN/repo-patches" 2>/dev/null | head -n 1)
	if [ -z "$_p" ]; then
		case $1 in
			1.34) _p=11 ;; 1.35) _p=8 ;; 1.36) _p=4 ;; 1.37) _p=1 ;; *) _p=0 ;;
		esac
	fi
	echo "$_p"
}

# Whether VERSION (1.XX.Y or 1.XX.Y-REV) is published in the minor's repository.
sim_patch_published() { # minor version
	_v=${2%%-*}
	case $_v in "$1".*) ;; *) return 1 ;; esac
	_n=${_v#"$1".}
	case $_n in '' | *[!0-9]*) return 1 ;; esac
	[ "$_n" -le "$(sim_newest_patch "$1")" ]
}

# ---------------------------------------------------------------- the host's network state (simulated)
# Links, iptables rules and nftables tables of a test host live in $STATE/net, never in the machine's kernel:
#   net/links                 one link a line: "name kind [peer]" (kinds: loopback ether veth vxlan geneve ipip-fallback)
#   net/ipt4/<table>/chains   "NAME POLICY" (policy "-" for user chains), in order
#   net/ipt4/<table>/rules    "-A CHAIN ..." lines, in order (net/ipt6 likewise for ip6tables)
#   net/nft                   "family name" of native nftables tables (iptables-nft tables are derived from ipt4/ipt6)
# BPF pins live in the host's own bpf dir, bind-mounted at /sys/fs/bpf inside the host (see sshd-hosts.ts).
NET=$STATE/net

sim_builtin_chains() { # table
	case $1 in
		filter) echo INPUT FORWARD OUTPUT ;;
		nat) echo PREROUTING INPUT OUTPUT POSTROUTING ;;
		mangle) echo PREROUTING INPUT FORWARD OUTPUT POSTROUTING ;;
		raw) echo PREROUTING OUTPUT ;;
		security) echo INPUT FORWARD OUTPUT ;;
	esac
}

# Adds chains and rules to a table as a program on the host would (iptables -N / -A): family table "chains" "rules"
sim_ipt_add() {
	_dir=$NET/ipt$1/$2
	if [ ! -d "$_dir" ]; then
		mkdir -p "$_dir"
		for _c in $(sim_builtin_chains "$2"); do echo "$_c ACCEPT"; done > "$_dir/chains"
		: > "$_dir/rules"
	fi
	for _c in $3; do
		grep -q "^$_c " "$_dir/chains" || echo "$_c -" >> "$_dir/chains"
	done
	[ -z "$4" ] || printf '%s\n' "$4" | while IFS= read -r _r; do
		[ -z "$_r" ] || grep -qxF -- "$_r" "$_dir/rules" || printf '%s\n' "$_r" >> "$_dir/rules"
	done
}

sim_link_add() { # name kind [peer]
	mkdir -p "$NET"
	touch "$NET/links"
	grep -q "^$1 " "$NET/links" || echo "$1 $2${3:+ $3}" >> "$NET/links"
}

# What the kubelet and kube-proxy put on a node when it joins (iptables mode, kube-proxy's default).
sim_kube_net() {
	sim_ipt_add 4 mangle 'KUBE-IPTABLES-HINT KUBE-KUBELET-CANARY' ''
	grep -q '"kubeProxy":false' "$CLUSTER/info.json" 2>/dev/null && return 0
	sim_ipt_add 4 mangle 'KUBE-PROXY-CANARY' ''
	sim_ipt_add 4 filter 'KUBE-EXTERNAL-SERVICES KUBE-FIREWALL KUBE-FORWARD KUBE-KUBELET-CANARY KUBE-NODEPORTS KUBE-PROXY-CANARY KUBE-PROXY-FIREWALL KUBE-SERVICES' \
'-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A INPUT -j KUBE-FIREWALL
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -j KUBE-FIREWALL
-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name  ct_state_invalid_dropped_pkts -j DROP'
	sim_ipt_add 4 nat 'KUBE-KUBELET-CANARY KUBE-MARK-MASQ KUBE-NODEPORTS KUBE-POSTROUTING KUBE-PROXY-CANARY KUBE-SERVICES' \
'-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS'
}

sim_cilium_net() {
	_tunnel=vxlan
	grep -q '"routing-mode":"native"' "$CLUSTER/objects.json" && _tunnel=
	grep -q '"tunnel-protocol":"geneve"' "$CLUSTER/objects.json" && _tunnel=geneve
	sim_link_add cilium_net veth cilium_host
	sim_link_add cilium_host veth cilium_net
	[ -z "$_tunnel" ] || sim_link_add "cilium_$_tunnel" "$_tunnel"
	sim_link_add lxc_health veth
	sim_link_add "lxc$(sim_random 12 0-9a-f)" veth
	sim_ipt_add 4 filter 'CILIUM_FORWARD CILIUM_INPUT CILIUM_OUTPUT' \
'-A INPUT -m comment --comment "cilium-feeder: CILIUM_INPUT" -j CILIUM_INPUT
-A FORWARD -m comment --comment "cilium-feeder: CILIUM_FORWARD" -j CILIUM_FORWARD
-A OUTPUT -m comment --comment "cilium-feeder: CILIUM_OUTPUT" -j CILIUM_OUTPUT
-A CILIUM_FORWARD -o cilium_host -m comment --comment "cilium: any->cluster on cilium_host forward accept" -j ACCEPT
-A CILIUM_FORWARD -i lxc+ -m comment --comment "cilium: cluster->any on lxc+ forward accept" -j ACCEPT
-A CILIUM_INPUT -m mark --mark 0x200/0xf00 -m comment --comment "cilium: ACCEPT for proxy traffic" -j ACCEPT
-A CILIUM_OUTPUT -m mark --mark 0xa00/0xe00 -m comment --comment "cilium: ACCEPT for proxy traffic" -j ACCEPT'
	sim_ipt_add 4 nat 'CILIUM_OUTPUT_nat CILIUM_POST_nat CILIUM_PRE_nat' \
'-A PREROUTING -m comment --comment "cilium-feeder: CILIUM_PRE_nat" -j CILIUM_PRE_nat
-A OUTPUT -m comment --comment "cilium-feeder: CILIUM_OUTPUT_nat" -j CILIUM_OUTPUT_nat
-A POSTROUTING -m comment --comment "cilium-feeder: CILIUM_POST_nat" -j CILIUM_POST_nat
-A CILIUM_POST_nat -s 10.244.0.0/24 ! -d 10.244.0.0/16 ! -o cilium_+ -m comment --comment "cilium masquerade non-cluster" -j MASQUERADE'
	sim_ipt_add 4 mangle 'CILIUM_POST_mangle CILIUM_PRE_mangle' \
'-A PREROUTING -m comment --comment "cilium-feeder: CILIUM_PRE_mangle" -j CILIUM_PRE_mangle
-A POSTROUTING -m comment --comment "cilium-feeder: CILIUM_POST_mangle" -j CILIUM_POST_mangle'
	sim_ipt_add 4 raw 'CILIUM_OUTPUT_raw CILIUM_PRE_raw' \
'-A PREROUTING -m comment --comment "cilium-feeder: CILIUM_PRE_raw" -j CILIUM_PRE_raw
-A OUTPUT -m comment --comment "cilium-feeder: CILIUM_OUTPUT_raw" -j CILIUM_OUTPUT_raw
-A CILIUM_PRE_raw -m mark --mark 0x200/0xf00 -m comment --comment "cilium: NOTRACK for proxy traffic" -j CT --notrack'
	# Pinned maps and links as the agent leaves them on bpffs.
	mkdir -p /sys/fs/bpf/tc/globals /sys/fs/bpf/cilium/devices/cilium_host/links /sys/fs/bpf/cilium/socketlb/links/cgroup
	for _map in cilium_calls_overlay_2 cilium_ct4_global cilium_ct_any4_global cilium_events cilium_ipcache_v2 cilium_lb4_backends_v3 \
		cilium_lb4_services_v2 cilium_lxc cilium_metrics cilium_node_map_v2 cilium_policy_v2_00123 cilium_tunnel_map; do
		: > "/sys/fs/bpf/tc/globals/$_map"
	done
	: > /sys/fs/bpf/cilium/devices/cilium_host/links/cil_to_host
	: > /sys/fs/bpf/cilium/socketlb/links/cgroup/cil_sock4_connect
	mkdir -p /etc/cni/net.d /opt/cni/bin /run/cilium/state
	printf '{\n  "cniVersion": "0.3.1",\n  "name": "cilium",\n  "plugins": [\n    {\n       "type": "cilium-cni",\n       "enable-debug": false\n    }\n  ]\n}\n' > /etc/cni/net.d/05-cilium.conflist
	printf 'simulated cilium-cni\n' > /opt/cni/bin/cilium-cni
	: > /run/cilium/state/.simulated
}

sim_calico_net() {
	# At first what the calico-node env makes the pool (cheap: no model run on the readiness polls); then the
	# tunnel devices follow the IP pools while a calico-node runs here: sim_calico_tunnels.
	if grep -q '"name":"CALICO_IPV4POOL_VXLAN","value":"\(Always\|CrossSubnet\)"' "$CLUSTER/objects.json"; then
		sim_link_add vxlan.calico vxlan
	fi
	if grep -q '"name":"CALICO_IPV4POOL_IPIP","value":"\(Always\|CrossSubnet\)"' "$CLUSTER/objects.json"; then
		: > "$STATE/modules/ipip"
		sim_link_add tunl0 ipip-fallback
	fi
	mkdir -p /run/calico
	if grep -q '"calico_backend":"bird"' "$CLUSTER/objects.json"; then : > /run/calico/bird.ctl; fi
	: > "$NET/calico-watch"
	sim_link_add "cali$(sim_random 11 0-9a-f)" veth
	sim_ipt_add 4 filter 'cali-FORWARD cali-INPUT cali-OUTPUT cali-cidr-block cali-from-hep-forward cali-to-hep-forward' \
'-A INPUT -m comment --comment "cali:Cz_u1IQiXIMmKD4c" -j cali-INPUT
-A FORWARD -m comment --comment "cali:wUHhoiAYhphO9Mso" -j cali-FORWARD
-A OUTPUT -m comment --comment "cali:tVnHkvAo15HuiPy0" -j cali-OUTPUT
-A cali-FORWARD -m comment --comment "cali:vjrMJCRpqwy5oRoX" -j MARK --set-xmark 0x0/0xe0000
-A cali-FORWARD -m comment --comment "cali:A_sPAO0mcxbT9mOV" -j cali-from-hep-forward
-A cali-FORWARD -m comment --comment "cali:5Z67OUUpTOM7Xa1a" -j cali-to-hep-forward'
	sim_ipt_add 4 nat 'cali-OUTPUT cali-POSTROUTING cali-PREROUTING cali-fip-dnat cali-fip-snat cali-nat-outgoing' \
'-A PREROUTING -m comment --comment "cali:6gwbT8clXdHdC1b1" -j cali-PREROUTING
-A OUTPUT -m comment --comment "cali:tVnHkvAo15HuiPy0" -j cali-OUTPUT
-A POSTROUTING -m comment --comment "cali:O3lYWMrLQYEMJtB5" -j cali-POSTROUTING
-A cali-POSTROUTING -m comment --comment "cali:Z-c7XtVd2Bq7s_hA" -j cali-fip-snat
-A cali-POSTROUTING -m comment --comment "cali:nYKhEzDlr11Jccal" -j cali-nat-outgoing'
	sim_ipt_add 4 mangle 'cali-POSTROUTING cali-PREROUTING' \
'-A PREROUTING -m comment --comment "cali:6gwbT8clXdHdC1b1" -j cali-PREROUTING
-A POSTROUTING -m comment --comment "cali:O3lYWMrLQYEMJtB5" -j cali-POSTROUTING'
	sim_ipt_add 4 raw 'cali-OUTPUT cali-PREROUTING' \
'-A PREROUTING -m comment --comment "cali:6gwbT8clXdHdC1b1" -j cali-PREROUTING
-A OUTPUT -m comment --comment "cali:tVnHkvAo15HuiPy0" -j cali-OUTPUT'
	mkdir -p /etc/cni/net.d /opt/cni/bin /var/lib/calico /run/calico
	printf '{\n  "name": "k8s-pod-network",\n  "cniVersion": "0.3.1",\n  "plugins": [\n    { "type": "calico", "datastore_type": "kubernetes" },\n    { "type": "portmap", "snat": true, "capabilities": {"portMappings": true} }\n  ]\n}\n' > /etc/cni/net.d/10-calico.conflist
	printf 'apiVersion: v1\nkind: Config\n# simulated calico-kubeconfig\n' > /etc/cni/net.d/calico-kubeconfig
	chmod 600 /etc/cni/net.d/calico-kubeconfig
	printf 'simulated calico\n' > /opt/cni/bin/calico
	printf 'simulated calico-ipam\n' > /opt/cni/bin/calico-ipam
	cat "$STATE/node-name" > /var/lib/calico/nodename
	: > /run/calico/.simulated
}

sim_link_del() { # name
	[ -f "$NET/links" ] && grep -q "^$1 " "$NET/links" || return 0
	grep -v "^$1 " "$NET/links" > "$NET/links.tmp" || true
	mv "$NET/links.tmp" "$NET/links"
}

sim_link_mtu() { # name mtu: what `ip link` shows instead of the kind's default
	touch "$NET/mtu"
	{ grep -v "^$1 " "$NET/mtu" || true; echo "$1 $2"; } > "$NET/mtu.tmp"
	mv "$NET/mtu.tmp" "$NET/mtu"
}

# Whether the host's Calico state may have moved since the last look: the stored objects or the pod
# deletions changed, or the time the last look said something would change (a pod starting or leaving) passed.
sim_calico_due() {
	[ -f "$NET/calico-watch" ] && [ -s "$STATE/node-name" ] || return 1
	[ "$(stat -c %y "$CLUSTER/objects.json" "$CLUSTER/pod-deletions.jsonl" 2>/dev/null)" != "$(cat "$NET/calico-stamp" 2>/dev/null)" ] && return 0
	[ "$(/bin/date +%s%3N)" -ge "$(cat "$NET/calico-next" 2>/dev/null || echo 0)" ]
}

# What calico-node does on this host (node/calico.mjs host): the default IP pool at its first start, tunl0 /
# vxlan.calico following the pools and their MTU, BIRD's socket with the bird backend.
sim_calico_tunnels() {
	stat -c %y "$CLUSTER/objects.json" "$CLUSTER/pod-deletions.jsonl" 2>/dev/null > "$NET/calico-stamp" || true
	read -r _node < "$SIM/node-path"
	_state=$("$_node" "$SIM/node/calico.mjs" host "$(cat "$STATE/node-name")") || { echo 0 > "$NET/calico-next"; return 0; }
	_calico_agent=0 _calico_next=0
	eval "$_state"
	echo "$_calico_next" > "$NET/calico-next"
	[ "$_calico_agent" = 1 ] || return 0
	if [ "$_calico_vxlan" = 1 ]; then
		sim_link_add vxlan.calico vxlan
		sim_link_mtu vxlan.calico "$_calico_vxlanmtu"
	else
		sim_link_del vxlan.calico
	fi
	if [ "$_calico_ipip" = 1 ]; then
		: > "$STATE/modules/ipip"
		sim_link_add tunl0 ipip-fallback
		sim_link_mtu tunl0 "$_calico_ipipmtu"
	fi
	mkdir -p /run/calico
	if [ "$_calico_bird" = 1 ]; then : > /run/calico/bird.ctl; else rm -f /run/calico/bird.ctl; fi
}

# What the CNI agent does on this node once its DaemonSet exists and the node has joined: links, rules,
# pins and files, created once (the simulation runs nothing in the background, so it happens at the next
# simulated program run as root on the host); Calico's tunnels are looked at again whenever they may have
# moved. After `kubeadm reset`, nothing is recreated.
sim_cni_sync() {
	sim_is_root || return 0
	if [ -f "$STATE/net/cni-done" ]; then
		# kubectl sees nothing of the host's links: its calls (the readiness polls) are not slowed by this.
		[ "${SIM_PROG:-}" = kubectl ] || ! sim_calico_due || sim_calico_tunnels
		return 0
	fi
	[ -s "$STATE/node-name" ] && [ -f "$STATE/services/kubelet.active" ] || return 0
	[ -f "$CLUSTER/nodes/$(cat "$STATE/node-name")" ] || return 0
	[ -f "$CLUSTER/workloads.json" ] || return 0
	if grep -q '"kind":"DaemonSet","group":"apps","namespace":"kube-system","name":"cilium"' "$CLUSTER/workloads.json"; then
		: > "$STATE/net/cni-done"
		sim_cilium_net
	elif grep -q '"kind":"DaemonSet","group":"apps","namespace":"kube-system","name":"calico-node"' "$CLUSTER/workloads.json"; then
		: > "$STATE/net/cni-done"
		sim_calico_net
	fi
}

# The etcd members of the cluster (harness-wide): "hex-id name peer-url client-url" per line.
sim_etcd_add() { # name address
	mkdir -p "$CLUSTER/etcd"
	_id=$(sim_random 16 0-9a-f)
	case $_id in 0*) _id=8${_id#0} ;; esac
	echo "$_id $1 https://$2:2380 https://$2:2379" >> "$CLUSTER/etcd/members"
}

# ---------------------------------------------------------------- upgrades (node/upgrade.mjs)
# The version of the simulated cluster's parts moves only through what moves it for real: `kubeadm upgrade
# apply|node` (the API server, a node's static pods) and a kubelet restart (the version the Node reports).

sim_upgrade_state() { # verb args… (see node/upgrade.mjs)
	read -r _node < "$SIM/node-path"
	"$_node" "$SIM/node/upgrade.mjs" "$@"
}

# `systemctl restart kubelet` (or a start of a stopped one) on a joined node: the running kubelet is now the
# installed package's. A package change alone leaves the running kubelet (and the Node's version) old.
sim_kubelet_restarted() {
	[ -s "$STATE/node-name" ] && sim_installed kubelet || return 0
	_v=$(cat "$STATE/packages/kubelet")
	sim_upgrade_state kubelet-restart "$(cat "$STATE/node-name")" "v${_v%%-*}"
}
