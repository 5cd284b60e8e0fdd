// A pause between two polls that ends early when the run is interrupted.
export function pause(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		if (signal.aborted) return resolve();
		const stop = (): void => { clearTimeout(timer); resolve(); };
		const timer = setTimeout(() => { signal.removeEventListener('abort', stop); resolve(); }, ms);
		signal.addEventListener('abort', stop, { once: true });
	});
}
