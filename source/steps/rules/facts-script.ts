// Facts about a host, read by one fixed script (no value is interpolated into it) and parsed here:
// one command per host, which is also all the wizard's connection test runs on it.
import type { Facts } from '../types.js';

const OS_AND_KERNEL = [
	'. /etc/os-release 2>/dev/null; echo "os_id=$ID"; echo "os_version=$VERSION_ID"',
	'echo "kernel=$(uname -r)"; echo "arch=$(uname -m)"; echo "hostname=$(hostname)"',
];

export const FACTS_SCRIPT = [
	...OS_AND_KERNEL,
	'if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then echo cgroup=2; else echo cgroup=1; fi',
	'if [ -n "$(tail -n +2 /proc/swaps 2>/dev/null)" ]; then echo swap=on; else echo swap=off; fi',
	'if command -v apt-get >/dev/null 2>&1; then echo pkg=apt; elif command -v dnf >/dev/null 2>&1; then echo pkg=dnf; else echo pkg=unknown; fi',
	'if command -v kubeadm >/dev/null 2>&1; then echo "kubeadm=$(kubeadm version -o short 2>/dev/null)"; fi',
	'if [ -f /etc/kubernetes/admin.conf ]; then echo admin_conf=yes; fi',
	'if [ -f /etc/kubernetes/kubelet.conf ]; then echo kubelet_conf=yes; fi',
	'if systemctl is-active --quiet firewalld 2>/dev/null; then echo firewalld=active; fi',
	`echo "listening=$(ss -ltnH 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -un | tr '\\n' ',')"`,
	'echo "epoch=$(date +%s)"',
	// sudo's exit status and its last line say whether it works without a password, and why not.
	'sudo_out=$(sudo -n true 2>&1 </dev/null); echo "sudo=$?"',
	'printf \'sudo_error=%s\\n\' "$(printf \'%s\\n\' "$sudo_out" | tail -n 1)"',
].join('\n');

function keyValues(output: string): (key: string) => string {
	const values = new Map<string, string>();
	for (const line of output.split('\n')) {
		const at = line.indexOf('=');
		if (at > 0) values.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
	}
	return (key) => values.get(key) ?? '';
}

export function parseFacts(output: string): Facts {
	const get = keyValues(output);
	const pkg = get('pkg');
	return {
		osId: get('os_id').toLowerCase(),
		osVersion: get('os_version'),
		kernel: get('kernel'),
		arch: get('arch'),
		hostname: get('hostname'),
		cgroupVersion: get('cgroup') === '2' ? 2 : 1,
		swapOn: get('swap') === 'on',
		packageManager: pkg === 'apt' || pkg === 'dnf' ? pkg : 'unknown',
		...(get('kubeadm') ? { kubeadmVersion: get('kubeadm') } : {}),
		hasAdminConf: get('admin_conf') === 'yes',
		hasKubeletConf: get('kubelet_conf') === 'yes',
		...(get('firewalld') === 'active' ? { firewalldActive: true } : {}),
		listening: get('listening').split(',').filter(Boolean).map(Number).filter(Number.isInteger),
		epochSeconds: Number(get('epoch')) || 0,
		sudoStatus: Number.isInteger(Number.parseInt(get('sudo'), 10)) ? Number.parseInt(get('sudo'), 10) : 1,
		sudoError: get('sudo_error'),
	};
}
