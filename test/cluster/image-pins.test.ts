// Every image a render can produce is pinned by digest, or listed as tag-only (with why) in
// source/cluster/image-pins.ts and in the README. A new image without a digest, or a list the README does
// not show, fails here.
import { readFileSync } from 'node:fs';
import test from 'ava';
import { CHECK_IMAGE } from '../../source/cluster/check/objects.js';
import { pinnedByDigest, TAG_ONLY_IMAGES } from '../../source/cluster/image-pins.js';
import { renderManifests } from '../../source/cluster/render.js';
import type { Cluster } from '../../source/spec/types.js';
import { ROOT } from '../e2e/_install.js';
import { clusterFixture, eniFixture, manyHosts } from './_fixtures.js';

function imagesIn(value: unknown, into: Set<string>): Set<string> {
	if (Array.isArray(value)) for (const item of value) imagesIn(item, into);
	else if (typeof value === 'object' && value !== null) {
		for (const [key, item] of Object.entries(value)) {
			if (key === 'image' && typeof item === 'string') into.add(item);
			else imagesIn(item, into);
		}
	}
	return into;
}

const VARIANTS: Array<[string, Cluster]> = [
	['cilium defaults', clusterFixture()],
	['cilium native routing, kube-proxy replacement, no Hubble', clusterFixture({ spec: { kubernetes: { controlPlaneEndpoint: '192.0.2.10:6443' }, network: { cilium: { tunnel: 'disabled', nativeRoutingCIDR: '10.244.0.0/16', kubeProxyReplacement: true, hubble: false } } } })],
	['cilium ENI on AWS', eniFixture()],
	['calico IPIP', clusterFixture({ spec: { network: { cni: 'calico' } } })],
	['calico VXLAN', clusterFixture({ spec: { network: { cni: 'calico', calico: { encapsulation: 'vxlan' } } } })],
	['calico with Typha (60 nodes)', clusterFixture({ spec: { hosts: manyHosts(60), network: { cni: 'calico' } } })],
];

function renderedImages(): Map<string, string[]> {
	const seen = new Map<string, string[]>();
	for (const [name, cluster] of VARIANTS) {
		for (const image of imagesIn(renderManifests(cluster).documents, new Set())) seen.set(image, [...(seen.get(image) ?? []), name]);
	}
	seen.set(CHECK_IMAGE, ['the network check']);
	return seen;
}

test('every rendered image is pinned by digest or listed as tag-only with a reason', (t) => {
	const images = renderedImages();
	t.true(images.size >= 8, [...images.keys()].join('\n'));
	const unlisted = [...images.keys()].filter((image) => !pinnedByDigest(image) && TAG_ONLY_IMAGES[image] === undefined);
	t.deepEqual(unlisted, [], `images with neither a digest nor a place in TAG_ONLY_IMAGES: ${unlisted.map((i) => `${i} (${images.get(i)?.join(', ')})`).join('; ')}`);
	// The list holds nothing a render no longer produces.
	t.deepEqual(Object.keys(TAG_ONLY_IMAGES).filter((image) => !images.has(image)), []);
});

test('Cilium ENI mode runs operator-aws pinned by the digest of its release notes', (t) => {
	t.true(renderedImages().has('quay.io/cilium/operator-aws:v1.20.1@sha256:7cf0cb0e6584f72ca8de951a1be03829f69fcaeba69dc6c7856fc4470545acd7'));
});

test('the README lists every tag-only image', (t) => {
	const readme = readFileSync(`${ROOT}README.md`, 'utf8');
	for (const image of Object.keys(TAG_ONLY_IMAGES)) t.true(readme.includes(`\`${image}\``), `${image} is not in the README`);
});
