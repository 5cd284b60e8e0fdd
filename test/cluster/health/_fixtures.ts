// kubectl output captured as files under test/cluster/health/fixtures/ (read from the source tree:
// the tests run from dist/). All of them were printed at NOW.
import { readFileSync } from 'node:fs';
import { assess, parseSnapshot, type Cni, type Verdict } from '../../../source/cluster/health/index.js';

const DIR = new URL('../../../../test/cluster/health/fixtures/', import.meta.url);

export const NOW = Date.parse('2026-08-01T12:00:00Z');

export type FixtureName = 'cilium-healthy' | 'cilium-before-cni' | 'cilium-troubled' | 'calico-healthy' | 'calico-troubled';

export function fixtureText(file: string): string {
	return readFileSync(new URL(file, DIR), 'utf8');
}

export function fixtureVerdict(name: FixtureName, nodeNames?: string[]): Verdict {
	const cni: Cni = name.startsWith('calico') ? 'calico' : 'cilium';
	return assess(parseSnapshot(fixtureText(`${name}.json`)), { cni, now: NOW, nodeNames });
}

/** The raw List of a fixture, for tests that edit an object before parsing. */
export function fixtureList(name: FixtureName): { kind: string; items: Array<Record<string, any>> } {
	return JSON.parse(fixtureText(`${name}.json`));
}
