// The CNI manifests for a cluster: the pinned upstream release, parsed into objects, edited for the
// spec and printed again. Pure apart from reading manifests/: the same spec gives the same bytes.
import type { Cluster } from '../spec/types.js';
import { CALICO_VERSION, CILIUM_VERSION } from '../spec/versions.js';
import { calicoManifestFile, renderCalico } from './calico.js';
import { renderCilium } from './cilium.js';
import { applyUpgradeCompatibility } from './cni/compat.js';
import { nodeCounts } from './counts.js';
import type { HubbleTls } from './hubble-tls.js';
import { MANIFEST_FILES } from './manifests.js';
import { commentValue, printStream, type KubeObject } from './yaml-stream.js';

export type { HubbleTls } from './hubble-tls.js';

export interface RenderOptions {
	/** Hubble server TLS material (install passes it); without it the Secrets are left out. */
	hubbleTls?: HubbleTls;
	/**
	 * Cilium: the minor the cluster was first installed with (the chart's upgradeCompatibility), recorded
	 * on cilium-config; install and upgrade pass it, so an upgrade keeps the defaults the cluster started with.
	 */
	ciliumUpgradeCompatibility?: string;
}

export interface RenderedManifests {
	cni: 'cilium' | 'calico';
	/** the CNI release, e.g. "Cilium 1.20.1" */
	release: string;
	/** the objects in apply order */
	documents: KubeObject[];
	/** the objects as one multi-document YAML stream, with a comment header */
	text: string;
}

function header(release: string, cluster: Cluster, file: string): string[] {
	return [
		`kubestrap: ${release} CNI manifests for cluster ${commentValue(cluster.metadata.name)}`,
		`Edited from the pinned upstream manifests/${file} (see manifests/PROVENANCE.md).`,
	];
}

export function renderManifests(cluster: Cluster, options: RenderOptions = {}): RenderedManifests {
	const counts = nodeCounts(cluster);
	if (cluster.spec.network.cni === 'calico') {
		const release = `Calico ${CALICO_VERSION}`;
		const documents = renderCalico(cluster, counts);
		const lines = header(release, cluster, calicoManifestFile(cluster, counts));
		return { cni: 'calico', release, documents, text: printStream(lines, documents) };
	}
	const release = `Cilium ${CILIUM_VERSION}`;
	const { objects: documents, withHubbleSecrets } = renderCilium(cluster, counts, options.hubbleTls);
	if (options.ciliumUpgradeCompatibility !== undefined) applyUpgradeCompatibility(documents, options.ciliumUpgradeCompatibility);
	const lines = header(release, cluster, MANIFEST_FILES.cilium);
	if (cluster.spec.network.cilium.hubble) {
		lines.push(
			withHubbleSecrets
				? 'Includes the Hubble TLS Secrets cilium-ca and hubble-server-certs generated for this install.'
				: 'The Hubble TLS Secrets cilium-ca and hubble-server-certs are not printed: kubestrap install generates them.',
		);
	}
	return { cni: 'cilium', release, documents, text: printStream(lines, documents) };
}
