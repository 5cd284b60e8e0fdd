// Calico's IPPool custom resource (crd.projectcalico.org/v1) as the simulated API server validates it:
// the checks of the CRD schema that Calico v3.32.1's manifests install — the mode enums and the
// x-kubernetes-validations rule "ipipMode and vxlanMode cannot both be enabled", which a real API server
// (Kubernetes >= 1.29, CEL rules GA) enforces on every create, apply and patch — with the API server's
// messages. Other schema checks are not simulated.

export const IPPOOL_GROUP = 'crd.projectcalico.org';
const MODES = ['Never', 'Always', 'CrossSubnet'];

function enabled(mode) {
	return typeof mode === 'string' && mode !== '' && mode !== 'Never';
}

/** The API server's "is invalid" message for an IPPool, or undefined when it is valid. */
export function ippoolInvalid(object) {
	const name = object?.metadata?.name ?? '';
	const spec = object?.spec ?? {};
	const causes = [];
	for (const field of ['ipipMode', 'vxlanMode']) {
		const value = spec[field];
		if (value !== undefined && !MODES.includes(value)) causes.push(`spec.${field}: Unsupported value: ${JSON.stringify(value)}: supported values: ${MODES.map((m) => `"${m}"`).join(', ')}`);
	}
	if (enabled(spec.ipipMode) && enabled(spec.vxlanMode)) causes.push('spec: Forbidden: ipipMode and vxlanMode cannot both be enabled');
	if (causes.length === 0) return undefined;
	return `The IPPool "${name}" is invalid: ${causes.length === 1 ? causes[0] : `\n* ${causes.join('\n* ')}`}`;
}

/** Validation of the custom kinds the simulation knows (by resource), else undefined. */
export function customInvalid(resource, object) {
	if (resource.kind === 'IPPool' && resource.group === IPPOOL_GROUP) return ippoolInvalid(object);
	return undefined;
}
