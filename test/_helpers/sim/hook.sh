# Sourced by bash (the login user's ~/.bashrc) before every command an SSH session runs on a test host. A real
# node's CNI agent creates its links, rules and BPF pins as soon as it runs, long before anyone logs in;
# the simulation runs nothing in the background, so it catches up here, before the command sees the host.
# It is not a simulated program: nothing is recorded, and it stays silent.
# Calico's tunnels are looked at again when the stored objects or pod deletions changed, or when the last
# look said a calico-node would start or leave by now (lib.sh sim_calico_due, inlined to stay cheap).
_s=/opt/kubestrap-sim/state/net
_c=/opt/kubestrap-sim/cluster
if { [ ! -f $_s/cni-done ] && [ -s /opt/kubestrap-sim/state/node-name ] && [ -f $_c/workloads.json ]; } || { [ -f $_s/calico-watch ] && [ -s /opt/kubestrap-sim/state/node-name ] && { [ "$(stat -c %y $_c/objects.json $_c/pod-deletions.jsonl 2>/dev/null)" != "$(cat $_s/calico-stamp 2>/dev/null)" ] || [ "$(/bin/date +%s%3N)" -ge "$(cat $_s/calico-next 2>/dev/null || echo 0)" ]; }; }; then
	sudo -n /bin/sh -c '. /opt/kubestrap-sim/lib.sh && sim_cni_sync' </dev/null >/dev/null 2>&1 || true
fi
unset _s _c
