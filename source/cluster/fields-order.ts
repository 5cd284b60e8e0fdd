// Key placement in a map whose order people read (cilium-config): a new key goes next to its
// relatives instead of at the end, the way the Cilium chart would have printed it.
import type { Fields } from './objects.js';

/** Sets `key`; a key not yet present is placed right after `anchor` (or last when `anchor` is absent). */
export function setAfter(fields: Fields, anchor: string, key: string, value: unknown): void {
	if (Object.hasOwn(fields, key) || !Object.hasOwn(fields, anchor)) {
		fields[key] = value;
		return;
	}
	const entries = Object.entries(fields);
	for (const [existing] of entries) delete fields[existing];
	for (const [existing, existingValue] of entries) {
		fields[existing] = existingValue;
		if (existing === anchor) fields[key] = value;
	}
}

/** Sets several keys in order after `anchor`. */
export function setAllAfter(fields: Fields, anchor: string, values: Readonly<Record<string, unknown>>): void {
	let previous = anchor;
	for (const [key, value] of Object.entries(values)) {
		setAfter(fields, previous, key, value);
		previous = key;
	}
}
