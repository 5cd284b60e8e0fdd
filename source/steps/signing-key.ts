// The Kubernetes package repositories' signing key, pinned. pkgs.k8s.io serves it per minor
// (deb: …/deb/Release.key, rpm: …/rpm/repodata/repomd.xml.key); every minor's repository is signed by the
// same key, "isv:kubernetes OBS Project <isv:kubernetes@build.opensuse.org>", fingerprint
// DE15 B144 86CD 377B 9E87 6E1A 2346 54DA 9A29 6436. Source: the key as gpg prints it in
// https://github.com/kubernetes/kubernetes/issues/128609 (the Release.key of several minors) and the key
// id 234654DA9A296436 in https://github.com/kubernetes/release/issues/3818. When upstream rotates the
// key, this pin changes with a kubestrap release (the README says so).
// The key is downloaded on the host, its fingerprint read with `gpg --show-keys --with-colons` there and
// compared with the pin before it is installed; another key is refused naming the host and both prints.

export const KUBERNETES_KEY_FINGERPRINT = 'DE15B14486CD377B9E876E1A234654DA9A296436';

/**
 * Docker's RPM repository key ("Docker Release (CE rpm) <docker@docker.com>", key id 621E9F35), which signs
 * containerd.io on download.docker.com/linux/{centos,rhel,fedora}: the fingerprint Docker's install pages
 * for CentOS, RHEL and Fedora tell users to check before accepting it.
 */
export const DOCKER_RPM_KEY_FINGERPRINT = '060A61C51B558A7F742B77AAC52FEB6B621E9F35';

/** A pinned repository key: what it is called in messages and its fingerprint. */
export interface PinnedKey {
	label: string;
	fingerprint: string;
}

export const KUBERNETES_KEY: PinnedKey = { label: 'Kubernetes package signing key', fingerprint: KUBERNETES_KEY_FINGERPRINT };
export const DOCKER_RPM_KEY: PinnedKey = { label: 'Docker RPM repository key', fingerprint: DOCKER_RPM_KEY_FINGERPRINT };

/** The primary keys' fingerprints in `gpg --show-keys --with-colons` output (the fpr record after each pub). */
export function primaryFingerprints(colons: string): string[] {
	const prints: string[] = [];
	let afterPub = false;
	for (const line of colons.split('\n')) {
		const fields = line.split(':');
		if (fields[0] === 'pub') afterPub = true;
		else if (fields[0] === 'fpr' && afterPub) {
			prints.push((fields[9] ?? '').toUpperCase());
			afterPub = false;
		} else if (fields[0] === 'sub' || fields[0] === 'uid') afterPub = false;
	}
	return prints.filter((print) => print !== '');
}

/** Groups of four, as gpg prints a fingerprint for people. */
export function spacedFingerprint(print: string): string {
	return print.match(/.{1,4}/g)?.join(' ') ?? print;
}

export class SigningKeyRefusal extends Error {
	constructor(host: string, step: string, url: string, found: readonly string[], key: PinnedKey = KUBERNETES_KEY) {
		super(`${host}: step "${step}" refused: the ${key.label} from ${url} has fingerprint ${found.length > 0 ? found.map(spacedFingerprint).join(', ') : '(none: not an OpenPGP key)'}, expected ${spacedFingerprint(key.fingerprint)}; nothing was installed from it. A proxy or mirror on the host's path may be serving another key: check what the host reaches as ${new URL(url).host}`);
	}
}

/** Whether the key is exactly the pinned one: a single primary key with the pinned fingerprint (no extra keys slipped in). */
export function checkFingerprints(found: readonly string[], expected: string = KUBERNETES_KEY_FINGERPRINT): boolean {
	return found.length === 1 && found[0] === expected;
}
