// The small external store the live views read with useSyncExternalStore: the watch loop sets a new
// value, every subscribed view re-renders once.
export interface Store<T> {
	get(): T;
	set(value: T): void;
	subscribe(listener: () => void): () => void;
}

export function createStore<T>(initial: T): Store<T> {
	let value = initial;
	const listeners = new Set<() => void>();
	return {
		get: () => value,
		set(next) {
			value = next;
			for (const listener of listeners) listener();
		},
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
	};
}
