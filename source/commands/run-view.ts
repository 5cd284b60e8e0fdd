// Where a session's step events are shown: plain lines (CI, pipes, --verbose), or on a terminal the
// live step view, which gives way to the live pod table when a step starts watching the cluster's
// health (wait-ready). Views mount and unmount asynchronously, so events are handled in order
// through one queue; finish() waits for it and leaves the last frame on screen.
import type { StepEvent } from '../steps/types.js';
import { lineReporter } from './progress-lines.js';

export interface RunView {
	event(event: StepEvent): void;
	/** waits until every event is shown and the live views are unmounted */
	finish(): Promise<void>;
}

export interface RunViewOptions {
	/** writes one line to the log and the user (already redacting) */
	say(line: string): void;
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
	const lines = lineReporter(options.say, options.verbose);
	const terminal = options.terminal;
	if (!terminal || options.verbose) return { event: (event) => lines.event(event), finish: async () => undefined };
	const [{ mountProgress }, { mountLiveTable }] = await Promise.all([import('../ui/progress/mount.js'), import('../ui/health/live.js')]);
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
		for (const note of notes.splice(0)) options.say(note);
	};
	const handle = async (event: StepEvent): Promise<void> => {
		if (event.kind === 'step' && options.watchSteps.includes(event.step)) {
			await closeProgress();
			return;
		}
		if (event.kind === 'note') {
			if (progress) notes.push(event.line);
			else options.say(event.line);
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
