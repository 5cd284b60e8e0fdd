// Where a session's step events are shown: plain lines (CI, pipes, --verbose), or on a terminal the
// live step view, which gives way to the live pod table when a step starts watching the cluster's
// health (wait-ready). Views mount and unmount asynchronously, so events are handled in order
// through one queue; finish() waits for it and leaves the last frame on screen.
import type { StepEvent } from '../steps/types.js';
import { lineReporter } from './progress/lines.js';

export interface RunView {
	event(event: StepEvent): void;
	/** waits until every event is shown and the live views are unmounted */
	finish(): Promise<void>;
}

export interface RunViewOptions {
	/** writes one line to the log and the user (already redacting) */
	say(line: string): void;
	/** writes one line to the user only (redacting): the session logs notes and command output itself */
	show?(line: string): void;
	verbose: boolean;
	/** the terminal for the live views; plain lines without one */
	terminal?: NodeJS.WriteStream;
	color: boolean;
	/** the live pod table's title */
	title: string;
	/** the steps that watch the cluster's health and draw it themselves */
	watchSteps: readonly string[];
}

export async function runView(options: RunViewOptions): Promise<RunView> {
	const show = options.show ?? options.say;
	const lines = lineReporter(options.say, options.verbose, show);
	const terminal = options.terminal;
	if (!terminal || options.verbose) return { event: (event) => lines.event(event), finish: async () => undefined };
	const [{ mountProgress }, { mountLiveTable }] = await Promise.all([import('./progress/mount.js'), import('./health/live.js')]);
	let progress: ReturnType<typeof mountProgress> | undefined = mountProgress(terminal, options.color);
	let table: ReturnType<typeof mountLiveTable> | undefined;
	// Notes wait while the step view owns the screen, and print once it has closed.
	const notes: string[] = [];
	let queue: Promise<void> = Promise.resolve();
	const closeProgress = async (): Promise<void> => {
		if (!progress) return;
		const closing = progress;
		progress = undefined;
		await closing.finish();
		for (const note of notes.splice(0)) show(note);
	};
	const handle = async (event: StepEvent): Promise<void> => {
		if (event.kind === 'step' && options.watchSteps.includes(event.step)) {
			await closeProgress();
			return;
		}
		// A step after the watched one (the network check) prints its notes below the last pod table.
		if (event.kind === 'step' && table) {
			await table.finish();
			table = undefined;
		}
		if (event.kind === 'note') {
			if (progress) notes.push(event.line);
			else show(event.line);
			return;
		}
		if (event.kind === 'health') {
			await closeProgress();
			table ??= mountLiveTable(terminal, options.color, options.title);
			table.update(event.verdict, event.elapsedMs);
			return;
		}
		progress?.event(event);
	};
	return {
		event(event) {
			queue = queue.then(() => handle(event));
		},
		async finish() {
			await queue;
			await closeProgress();
			await table?.finish();
			table = undefined;
		},
	};
}
