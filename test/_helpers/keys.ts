// Key presses for Ink component tests: the byte sequences a terminal sends, and writes that wait a
// moment so React has rendered before the next key (Ink reads stdin in chunks, as a terminal would).

export const KEYS = {
	up: '\u001B[A',
	down: '\u001B[B',
	right: '\u001B[C',
	left: '\u001B[D',
	enter: '\r',
	escape: '\u001B',
	tab: '\t',
	backspace: '\u007F',
	ctrlC: '\u0003',
} as const;

export interface KeyTarget {
	write: (data: string) => void;
}

/** Enough for a render and an effect; a lone Esc is also flushed by Ink on the next turn. */
export const TICK_MS = 15;

/**
 * Waits `ms`, then lets queued setImmediate work run: React attaches key handlers in effects it runs
 * from setImmediate, in slices when the machine is busy, and a timer alone can fire between slices.
 */
export async function tick(ms = TICK_MS): Promise<void> {
	await new Promise((resolve) => setTimeout(resolve, ms));
	for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

export async function press(stdin: KeyTarget, key: string, times = 1): Promise<void> {
	for (let i = 0; i < times; i++) {
		stdin.write(key);
		await tick();
	}
}

/** Types text as one chunk, like a paste: the field splits it into key presses. */
export async function type(stdin: KeyTarget, text: string): Promise<void> {
	stdin.write(text);
	await tick();
}

/** Types text and presses Enter. */
export async function answer(stdin: KeyTarget, text: string): Promise<void> {
	if (text !== '') await type(stdin, text);
	await press(stdin, KEYS.enter);
}

/** Polls until the predicate holds (a new screen, a probe result); fails after timeoutMs. */
export async function until(predicate: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!predicate()) {
		if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
		await tick(5);
	}
}

export interface FrameSource {
	lastFrame: () => string | undefined;
}

/**
 * Waits for a screen to show `pattern`, then a tick more: a component draws before its key handler
 * is attached, and a key sent in between would go nowhere (as a key typed ahead would in a terminal).
 */
export async function screen(app: FrameSource, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
	await until(() => pattern.test(app.lastFrame() ?? ''), timeoutMs, `screen ${pattern}`).catch((error: Error) => {
		throw new Error(`${error.message}; last frame:\n${app.lastFrame() ?? ''}`);
	});
	await tick();
	return app.lastFrame() ?? '';
}

/**
 * Presses a key `times` times, each time waiting for the screen to change: a field reads its
 * value from the last render, so an edit key sent before that render would act on stale text.
 */
export async function stroke(app: FrameSource & { stdin: KeyTarget }, key: string, times = 1, timeoutMs = 10_000): Promise<void> {
	for (let i = 0; i < times; i++) {
		const before = app.lastFrame();
		app.stdin.write(key);
		await until(() => app.lastFrame() !== before, timeoutMs, `a change after key ${JSON.stringify(key)}`);
		await tick();
	}
}
