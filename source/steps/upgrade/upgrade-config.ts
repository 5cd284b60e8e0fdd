// kubeadm's v1beta4 UpgradeConfiguration (the only kind `kubeadm upgrade apply/node --config` accepts
// since 1.31), built as an object. Nodes whose kubelet had a patch at init/join get the patches directory
// again, or kubeadm would drop the customisation on upgrade.
import { stringify } from 'yaml';
import { PATCHES_DIR } from '../kubeadm-config.js';
import type { Host } from '../../spec/types.js';

export const UPGRADE_CONFIG = '/etc/kubestrap/kubeadm-upgrade.yaml';

export function upgradeConfig(version: string, host: Host): string {
	const patches = host.maxPods === undefined ? {} : { patches: { directory: PATCHES_DIR } };
	return stringify({
		apiVersion: 'kubeadm.k8s.io/v1beta4',
		kind: 'UpgradeConfiguration',
		apply: { kubernetesVersion: `v${version}`, certificateRenewal: true, etcdUpgrade: true, ...patches },
		node: { certificateRenewal: true, etcdUpgrade: true, ...patches },
	}, { lineWidth: 0 });
}
