# Simulated `kubeadm upgrade plan|apply|node` (sourced by pkg/kubeadm; a test double, not kubeadm). It checks
# what kubeadm checks before it touches anything — root, a control plane's admin.conf, the version policy
# (one minor at a time, kubeadm not older than the target, the oldest control plane this kubeadm can
# manage) — prints kubeadm's lines, and moves the simulated cluster's versions through node/upgrade.mjs:
# `apply` the API server (info.json, /version, `kubectl version`) and this node's static pods, `node` the
# other control planes' static pods and every node's kubelet configuration. The kubelet's own version moves
# only when it restarts (see systemctl).
# Uses the variables and helpers of pkg/kubeadm: $version (this kubeadm's), $config, $force, $yes, yaml_value.

# "v1.36.2" or "1.36.2" → minor and patch numbers; empty when it is not a version.
ku_minor() { printf '%s' "${1#v}" | awk -F. 'NF == 3 && $1 == 1 && $2 ~ /^[0-9]+$/ { print $2 }'; }
ku_patch() { printf '%s' "${1#v}" | awk -F. 'NF == 3 && $3 ~ /^[0-9]+$/ { print $3 }'; }

# -1, 0 or 1 as version A is lower, equal or higher than version B.
ku_compare() {
	_a=$(ku_minor "$1")
	_b=$(ku_minor "$2")
	if [ "$_a" -ne "$_b" ]; then [ "$_a" -lt "$_b" ] && echo -1 || echo 1; return; fi
	_a=$(ku_patch "$1")
	_b=$(ku_patch "$2")
	if [ "$_a" -eq "$_b" ]; then echo 0; elif [ "$_a" -lt "$_b" ]; then echo -1; else echo 1; fi
}

ku_cluster_version() {
	sed -n 's/.*"version":"\([^"]*\)".*/\1/p' "$CLUSTER/info.json" 2>/dev/null
}

ku_not_root() {
	sim_is_root || sim_die 1 "[preflight] Running pre-flight checks." "[preflight] Some fatal errors occurred:" "	[ERROR IsPrivilegedUser]: user is not running as root" \
		"[preflight] If you know what you are doing, you can make a check non-fatal with \`--ignore-preflight-errors=...\`" \
		"error execution phase preflight: [preflight] Some fatal errors occurred:" "	[ERROR IsPrivilegedUser]: user is not running as root" \
		"To see the stack trace of this error execute with --v=5 or higher"
}

# plan and apply talk to the cluster as its admin: only a control plane has admin.conf.
ku_need_admin() {
	[ -f /etc/kubernetes/admin.conf ] || sim_die 1 "[upgrade/config] FATAL: failed to create a Kubernetes client from file \"/etc/kubernetes/admin.conf\": failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: no such file or directory" \
		"To see the stack trace of this error execute with --v=5 or higher"
}

# kubeadm's cluster health check before plan and apply (ignorable with --ignore-preflight-errors).
ku_health() {
	echo "[upgrade] Running cluster health checks"
	_down=$(sim_upgrade_state not-ready-control-planes)
	[ -n "$_down" ] || return 0
	case ",$(printf '%s' "$ignore" | tr 'A-Z' 'a-z')," in *,all,* | *,controlplanenodesready,*) echo "	[WARNING ControlPlaneNodesReady]: there are NotReady control-planes in the cluster: [$_down]" >&2; return 0 ;; esac
	printf '[upgrade/health] FATAL: [preflight] Some fatal errors occurred:\n\t[ERROR ControlPlaneNodesReady]: there are NotReady control-planes in the cluster: [%s]\n[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`\nTo see the stack trace of this error execute with --v=5 or higher\n' "$_down" >&2
	exit 1
}

ku_reading_config() {
	echo "[upgrade/config] Loading the kubeadm configuration from the \"kubeadm-config\" ConfigMap in namespace \"kube-system\"..."
	echo "[upgrade/config] Use 'kubeadm init phase upload-config --config your-config-file' to re-upload it."
}

# kubeadm's EnforceVersionPolicies: mandatory errors stop it; skippable ones stop it unless --force.
ku_version_policy() { # target cluster
	_mandatory=
	_skippable=
	_min="v1.$(($(ku_minor "$version") - 1)).0"
	if [ "$(ku_compare "$1" "$_min")" -lt 0 ]; then
		_mandatory="$_mandatory
	- Specified version to upgrade to \"$1\" is equal to or lower than the minimum supported version \"$_min\". Please specify a higher version to upgrade to"
	fi
	if [ "$(ku_minor "$1")" -gt $(($(ku_minor "$2") + 1)) ]; then
		_mandatory="$_mandatory
	- Specified version to upgrade to \"$1\" is too high; kubeadm can upgrade only 1 minor version at a time"
	fi
	if [ "$(ku_minor "$1")" -lt $(($(ku_minor "$2") - 1)) ]; then
		_mandatory="$_mandatory
	- Specified version to downgrade to \"$1\" is too low; kubeadm can downgrade only 1 minor version at a time"
	fi
	if [ "$(ku_compare "$version" "$1")" -lt 0 ]; then
		_line="
	- Specified version to upgrade to \"$1\" is higher than the kubeadm version \"$version\". Upgrade kubeadm first using the tool you used to install kubeadm"
		if [ "$(ku_minor "$version")" = "$(ku_minor "$1")" ]; then _skippable="$_skippable$_line"; else _mandatory="$_mandatory$_line"; fi
	fi
	if [ -n "$_mandatory" ]; then
		printf '[upgrade/version] FATAL: the --version argument is invalid due to these fatal errors:\n%s\n\nPlease fix the misalignments highlighted above and try upgrading again\nTo see the stack trace of this error execute with --v=5 or higher\n' "$_mandatory" >&2
		exit 1
	fi
	if [ -n "$_skippable" ] && ! $force; then
		printf '[upgrade/version] FATAL: the --version argument is invalid due to these errors:\n%s\n\nCan be bypassed if you pass the --force flag\nTo see the stack trace of this error execute with --v=5 or higher\n' "$_skippable" >&2
		exit 1
	fi
}

# Columns padded as kubeadm's tabwriter does ("-" is an empty cell).
ku_table() {
	awk '{ for (i = 1; i <= NF; i++) { cell[NR, i] = ($i == "-" ? "" : $i); if (length(cell[NR, i]) > w[i]) w[i] = length(cell[NR, i]) } n[NR] = NF }
		END { for (r = 1; r <= NR; r++) { line = ""; for (i = 1; i <= n[r]; i++) line = line (i < n[r] ? sprintf("%-" w[i] + 3 "s", cell[r, i]) : cell[r, i]); print line } }'
}

ku_node_names() { ls "$CLUSTER/nodes" 2>/dev/null; }
ku_node_role() { cat "$CLUSTER/nodes/$1" 2>/dev/null; }
ku_node_field() { # node field
	sed -n "s/.*\"$2\":\"\\([^\"]*\\)\".*/\\1/p" "$CLUSTER/node-info/$1.json" 2>/dev/null
}

# The static pod manifests of this control plane at VERSION, as kubeadm writes them.
ku_write_manifests() { # version
	for _component in kube-apiserver kube-controller-manager kube-scheduler; do
		[ -f "/etc/kubernetes/manifests/$_component.yaml" ] || continue
		sed -i "s|\(image: registry.k8s.io/$_component:\).*|\1$1|" "/etc/kubernetes/manifests/$_component.yaml"
		echo "[upgrade/staticpods] Moving new manifest to \"/etc/kubernetes/manifests/$_component.yaml\" and backing up old manifest to \"/etc/kubernetes/tmp/kubeadm-backup-manifests-2026-12-06-00-00-00/$_component.yaml\""
		echo "[upgrade/staticpods] Waiting for the kubelet to restart the component"
		echo "[upgrade/staticpods] Component \"$_component\" upgraded successfully!"
	done
}

ku_kubelet_config() { # version
	echo "[upgrade] Backing up kubelet config file to /etc/kubernetes/tmp/kubeadm-kubelet-config2026-12-06-00-00-00/config.yaml"
	mkdir -p /var/lib/kubelet
	printf 'kind: KubeletConfiguration\ncgroupDriver: systemd\n' > /var/lib/kubelet/config.yaml
	printf '%s\n' "$1" > "$STATE/kubelet-config-version"
	echo "[kubelet-start] Writing kubelet configuration to file \"/var/lib/kubelet/config.yaml\""
}

ku_plan() { # [version]
	ku_not_root
	ku_need_admin
	_cluster=$(ku_cluster_version)
	_target=${1:-}
	[ -n "$_target" ] || _target=$(yaml_value kubernetesVersion)
	[ -n "$_target" ] || _target=$version
	case $_target in v*) ;; *) _target=v$_target ;; esac
	[ -n "$(ku_minor "$_target")" ] || sim_die 1 "[upgrade/versions] FATAL: couldn't parse version \"$_target\": could not parse \"$_target\" as version"
	ku_reading_config
	echo "[preflight] Running pre-flight checks."
	ku_health
	ku_version_policy "$_target" "$_cluster"
	echo "[upgrade] Fetching available versions to upgrade to"
	echo "[upgrade/versions] Cluster version: $_cluster"
	echo "[upgrade/versions] kubeadm version: $version"
	echo "[upgrade/versions] Target version: $_target"
	echo "[upgrade/versions] Latest version in the v1.$(ku_minor "$_cluster") series: $_cluster"
	echo
	if [ "$(ku_compare "$_target" "$_cluster")" -le 0 ]; then
		echo "Awesome, you're up-to-date! Enjoy!"
		return 0
	fi
	echo "Components that must be upgraded manually after you have upgraded the control plane with 'kubeadm upgrade apply':"
	{
		echo "COMPONENT NODE CURRENT TARGET"
		for _n in $(ku_node_names); do echo "kubelet $_n $(ku_node_field "$_n" kubeletVersion) $_target"; done
	} | ku_table
	echo
	echo "Upgrade to the latest stable version:"
	echo
	{
		echo "COMPONENT NODE CURRENT TARGET"
		for _component in kube-apiserver kube-controller-manager kube-scheduler; do
			for _n in $(ku_node_names); do
				[ "$(ku_node_role "$_n")" = control-plane ] || continue
				_current=$(ku_node_field "$_n" controlPlaneVersion)
				echo "$_component $_n ${_current:-$_cluster} $_target"
			done
		done
		echo "kube-proxy - ${_cluster#v} $_target"
		echo "CoreDNS - v1.12.1 v1.12.1"
		for _n in $(ku_node_names); do [ "$(ku_node_role "$_n")" = control-plane ] && echo "etcd $_n 3.6.5-0 3.6.5-0"; done
	} | ku_table
	echo
	echo "You can now apply the upgrade by executing the following command:"
	echo
	echo "	kubeadm upgrade apply $_target"
	echo
	echo "_____________________________________________________________________"
}

ku_apply() { # [version]
	ku_not_root
	_target=${1:-}
	if [ -n "$config" ]; then
		[ -z "$_target" ] || sim_die 1 "can not mix '--config' with arguments [$_target]" "To see the stack trace of this error execute with --v=5 or higher"
		_target=$(yaml_value kubernetesVersion)
		[ "$(yaml_value forceUpgrade)" = true ] && force=true
	fi
	[ -n "$_target" ] || sim_die 1 "missing one or more required arguments. Required arguments: [version]" "To see the stack trace of this error execute with --v=5 or higher"
	case $_target in v*) ;; *) _target=v$_target ;; esac
	[ -n "$(ku_minor "$_target")" ] || sim_die 1 "[upgrade/version] FATAL: couldn't parse version \"$_target\"" "To see the stack trace of this error execute with --v=5 or higher"
	ku_need_admin
	_cluster=$(ku_cluster_version)
	ku_reading_config
	echo "[preflight] Running pre-flight checks."
	ku_health
	echo "[upgrade/preflight] You have chosen to upgrade the cluster version to \"$_target\""
	echo "[upgrade/versions] Cluster version: $_cluster"
	echo "[upgrade/versions] kubeadm version: $version"
	ku_version_policy "$_target" "$_cluster"
	if ! $yes; then
		printf '[upgrade] Are you sure you want to proceed? [y/N]: '
		read -r _answer || _answer=
		case $_answer in y | Y) ;; *) echo; sim_die 1 "won't proceed; the user didn't answer (Y|y) in order to continue" "To see the stack trace of this error execute with --v=5 or higher" ;; esac
	fi
	echo "[upgrade/preflight] Pulling images required for setting up a Kubernetes cluster"
	echo "[upgrade/preflight] This might take a minute or two, depending on the speed of your internet connection"
	echo "[upgrade/control-plane] Upgrading your static Pod-hosted control plane to version \"$_target\" (timeout: 5m0s)..."
	echo "[upgrade/staticpods] Writing new Static Pod manifests to \"/etc/kubernetes/tmp/kubeadm-upgraded-manifests2026-12-06-00-00-00\""
	ku_write_manifests "$_target"
	sim_upgrade_state cluster-version "$_target" || exit 1
	sim_upgrade_state control-plane "$(cat "$STATE/node-name")" "$_target" || exit 1
	echo "[upgrade/control-plane] The control plane instance for this node was successfully upgraded!"
	ku_kubelet_config "$_target"
	echo "[upgrade/kubelet-config] The kubelet configuration for this node was successfully upgraded!"
	echo "[upgrade/bootstrap-token] Configuring bootstrap token and cluster-info RBAC rules"
	echo "[addons] Applied essential addon: CoreDNS"
	echo "[addons] Applied essential addon: kube-proxy"
	echo
	echo "[upgrade] SUCCESS! A control plane node of your cluster was upgraded to \"$_target\"."
	echo
	echo "[upgrade] Now please proceed with upgrading the rest of the nodes by following the right order."
}

ku_node() {
	ku_not_root
	[ $# -eq 0 ] || sim_die 1 "unknown command \"$1\" for \"kubeadm upgrade node\"" "To see the stack trace of this error execute with --v=5 or higher"
	[ -f /etc/kubernetes/kubelet.conf ] && [ -s "$STATE/node-name" ] || sim_die 1 "couldn't create a Kubernetes client from file \"/etc/kubernetes/kubelet.conf\": failed to load admin kubeconfig: open /etc/kubernetes/kubelet.conf: no such file or directory" \
		"To see the stack trace of this error execute with --v=5 or higher"
	_cluster=$(ku_cluster_version)
	_node=$(cat "$STATE/node-name")
	echo "[upgrade] Reading configuration from the \"kubeadm-config\" ConfigMap in namespace \"kube-system\"..."
	echo "[upgrade] Use 'kubeadm init phase upload-config --config your-config-file' to re-upload it."
	# The version comes from the cluster (what `upgrade apply` recorded); this kubeadm must be able to deploy it.
	_min="v1.$(($(ku_minor "$version") - 1)).0"
	if [ "$(ku_compare "$_cluster" "$_min")" -lt 0 ]; then
		sim_die 1 "this version of kubeadm only supports deploying clusters with the control plane version >= ${_min#v}. Current version: $_cluster" "To see the stack trace of this error execute with --v=5 or higher"
	fi
	echo "[preflight] Running pre-flight checks"
	if [ -f /etc/kubernetes/manifests/kube-apiserver.yaml ]; then
		echo "[preflight] Pulling images required for setting up a Kubernetes cluster"
		echo "[upgrade/control-plane] Upgrading your Static Pod-hosted control plane instance to version \"$_cluster\"..."
		ku_write_manifests "$_cluster"
		sim_upgrade_state control-plane "$_node" "$_cluster" || exit 1
		echo "[upgrade/control-plane] The control plane instance for this node was successfully upgraded!"
	else
		echo "[preflight] Skipping prepull. Not a control plane node."
		echo "[upgrade/control-plane] Skipping phase. Not a control plane node."
	fi
	ku_kubelet_config "$_cluster"
	echo "[upgrade/kubelet-config] The kubelet configuration for this node was successfully upgraded!"
	[ -f /etc/kubernetes/manifests/kube-apiserver.yaml ] || echo "[upgrade/addon] Skipping the addon/coredns phase. Not a control plane node."
	echo
	echo "[upgrade] The configuration for this node was successfully upgraded!"
	echo "[upgrade] Now you should go ahead and upgrade the kubelet package using your package manager."
}

kubeadm_upgrade() { # plan|apply|node [version]
	_verb=${1:-}
	[ $# -gt 0 ] && shift
	case $_verb in
		plan) ku_plan "$@" ;;
		apply) ku_apply "$@" ;;
		node) ku_node "$@" ;;
		diff) sim_die 1 "kubeadm upgrade diff is not played by the simulated kubeadm of the kubestrap test hosts" ;;
		*) sim_die 1 "Upgrade your cluster smoothly to a newer version with this command" "" "Usage:" "  kubeadm upgrade [flags]" "  kubeadm upgrade [command]" ;;
	esac
}
