# Sourced by bash (the login user's ~/.bashrc) before every command an SSH session runs on a test host. A real
# node's CNI agent creates its links, rules and BPF pins as soon as it runs, long before anyone logs in;
# the simulation runs nothing in the background, so it catches up here, before the command sees the host.
# It is not a simulated program: nothing is recorded, and it stays silent.
if [ ! -f /opt/kubestrap-sim/state/net/cni-done ] && [ -s /opt/kubestrap-sim/state/node-name ] && [ -f /opt/kubestrap-sim/cluster/workloads.json ]; then
	sudo -n /bin/sh -c '. /opt/kubestrap-sim/lib.sh && sim_cni_sync' </dev/null >/dev/null 2>&1 || true
fi
