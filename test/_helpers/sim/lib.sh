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
