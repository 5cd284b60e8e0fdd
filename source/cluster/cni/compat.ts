// Cilium's `upgradeCompatibility` (pure): the chart gates some defaults on the release a cluster was
// first installed with, so an upgrade does not change them under a running cluster (Documentation/
// operations/upgrade.rst; chart 1.20 templates/_helpers.tpl and cilium-configmap.yaml). kubestrap renders
// from the pinned chart output, so it edits those defaults back by hand. Between 1.8 and 1.19 every gate
// of the 1.20 chart is already on; the one left is Envoy's xDS mode: "ads" for new 1.20 installs, the
// 1.19 behaviour (no `envoy-xds-mode` key: the agent's default, split xDS per resource type) when
// upgradeCompatibility is below 1.20.
import { configMapData, ensureFields, findObject, isFields, objectIndex, type Fields } from '../objects.js';
import type { KubeObject } from '../yaml-stream.js';

/** The annotation on cilium-config that records the minor a cluster was first installed with. */
export const FIRST_INSTALLED = 'kubestrap.dev/cilium-upgrade-compatibility';

function minorNumber(minor: string): number {
	return Number(minor.split('.')[1]);
}

/** ADS → the separate CDS/LDS gRPC sources the 1.19 bootstrap used, by editing the parsed bootstrap. */
function legacyXds(bootstrap: Fields): void {
	const dynamic = bootstrap['dynamicResources'];
	if (!isFields(dynamic) || !isFields(dynamic['adsConfig'])) return;
	const source = dynamic['adsConfig'];
	delete dynamic['adsConfig'];
	for (const key of ['cdsConfig', 'ldsConfig']) {
		const config = dynamic[key];
		if (!isFields(config)) continue;
		const { ads: _ads, ...rest } = config;
		dynamic[key] = { apiConfigSource: structuredClone(source), ...rest };
	}
}

export function applyUpgradeCompatibility(objects: readonly KubeObject[], firstMinor: string): void {
	const config = findObject(objects, 'ConfigMap', 'cilium-config');
	ensureFields(ensureFields(config, 'metadata'), 'annotations')[FIRST_INSTALLED] = firstMinor;
	if (minorNumber(firstMinor) >= 20) return;
	delete configMapData(objects, 'cilium-config')['envoy-xds-mode'];
	if (objectIndex(objects, 'ConfigMap', 'cilium-envoy-config') === -1) return;
	const data = configMapData(objects, 'cilium-envoy-config');
	const text = data['bootstrap-config.json'];
	if (typeof text !== 'string') return;
	const bootstrap = JSON.parse(text) as Fields;
	legacyXds(bootstrap);
	data['bootstrap-config.json'] = JSON.stringify(bootstrap);
}
