// The guided install on a terminal, and the list of missing answers for runs without one.
// Ink, React and the UI are imported inside runWizard, so `--help` and plain commands never load them.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Tree } from '../spec/load.js';
import { flagFor } from '../spec/flags.js';
import { mergeLayers } from '../spec/merge.js';
import { validateCluster } from '../spec/rules.js';
import type { Cluster, Problem } from '../spec/types.js';
import type { PortProbeResult } from '../remote/port-probe.js';
import type { ConnectionTest } from '../session/connection-test.js';
import type { AwsDiscovery, AwsFixOptions } from '../session/aws-discovery.js';
import type { WizardOutcome } from '../ui/wizard.js';
import type { Io } from './io.js';
import { schemaLocation, writeSchemaBeside } from './package-files.js';
import { writeFileAtomic } from '../session/write-file.js';

export type { WizardOutcome } from '../ui/wizard.js';

export type ProbeFunction = (host: string, port: number, timeoutMs: number, signal?: AbortSignal) => Promise<PortProbeResult>;

export interface RunWizardOptions {
	/** the config file and flag trees, lowest precedence first (as mergeLayers takes them) */
	initialTrees: readonly Tree[];
	/** paths already answered; defaults to what the trees gave */
	provided?: ReadonlySet<string>;
	io: Io;
	/** TCP check of a host's SSH port; defaults to probePort */
	probe?: ProbeFunction;
	/** the SSH step's per-host test; defaults to the real one over SSH (baremetal hosts only) */
	connectionTest?: ConnectionTest;
	/** finds and checks the AWS instances for the wizard's table; defaults to the real one over EC2 */
	awsDiscovery?: AwsDiscovery;
	/** the AWS fix flags install was given: their problems are shown as changes install will make */
	awsFixes?: AwsFixOptions;
	/** install will ask for the sudo password, so the test accepts hosts whose sudo needs one */
	sudoPasswordLater?: boolean;
	/** shows "Install now" on the review screen */
	onInstall?: (cluster: Cluster) => void;
	/** the terminal; defaults to the process's own stdin and stdout */
	terminal?: { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream };
}

/** Resize events come in bursts while a window is dragged: the full repaint waits for a pause this long. */
const RESIZE_SETTLE_MS = 80;

/** How long a host's SSH port may take to answer before it is shown as unreachable. */
export const PROBE_TIMEOUT_MS = 3000;

export async function runWizard(options: RunWizardOptions): Promise<WizardOutcome> {
	const [{ render }, { createElement }, { Wizard }] = await Promise.all([import('ink'), import('react'), import('../ui/wizard.js')]);
	const { io } = options;
	const merged = mergeLayers(options.initialTrees);
	const provided = options.provided ?? merged.provided;
	const probe = options.probe ?? (await import('../remote/port-probe.js')).probePort;
	const connectionTest = options.connectionTest ?? (await import('../session/connection-test.js')).sshConnectionTest({
		...(io.agent ? { agent: io.agent } : {}),
		...(io.home ? { home: io.home } : {}),
		sudoPasswordLater: options.sudoPasswordLater === true,
	});
	// The AWS SDK loads on the first discovery, not with the wizard: most runs never pick target aws.
	const awsDiscovery: AwsDiscovery = options.awsDiscovery ?? (async (cluster, signal) => (await import('../session/aws-discovery.js')).awsDiscovery((await import('./session-io.js')).awsPort(io), options.awsFixes)(cluster, signal));
	// Leaving the wizard cancels probes still waiting on a slow host, so the process can exit at once.
	const probes = new AbortController();
	let outcome: WizardOutcome = 'aborted';
	const repaintListeners = new Set<() => void>();
	const element = createElement(Wizard, {
		repaint: {
			subscribe: (listener: () => void) => {
				repaintListeners.add(listener);
				return () => void repaintListeners.delete(listener);
			},
		},
		cluster: merged.cluster,
		provided,
		color: io.ttyColor === true,
		probe: (host: string, port: number) => probe(host, port, PROBE_TIMEOUT_MS, probes.signal),
		connectionTest,
		awsDiscovery,
		onInstall: options.onInstall,
		awsRegion: io.awsRegion,
		schemaLocation: schemaLocation(),
		onSave: async (path: string, text: string) => {
			await writeFileAtomic(resolve(io.cwd, path), text, 0o600);
			await writeSchemaBeside(resolve(io.cwd, path));
		},
		fileExists: async (path: string) => {
			try {
				await stat(resolve(io.cwd, path));
				return true;
			} catch {
				return false;
			}
		},
		onFinish: (result: WizardOutcome) => {
			outcome = result;
		},
	});
	const terminal = options.terminal ?? { stdin: process.stdin, stdout: process.stdout };
	const instance = render(element, { stdin: terminal.stdin, stdout: terminal.stdout, exitOnCtrlC: false, patchConsole: false });
	// A terminal made narrower re-wraps or cuts the lines already drawn, so Ink's count of lines to
	// erase no longer matches the screen and pieces of old frames stay. Once the resizing stops, the
	// screen is cleared and the wizard drawn again whole at the new width.
	let columns = terminal.stdout.columns;
	let shrunk = false;
	let settle: NodeJS.Timeout | undefined;
	const onResize = (): void => {
		shrunk ||= terminal.stdout.columns < columns;
		columns = terminal.stdout.columns;
		clearTimeout(settle);
		settle = setTimeout(() => {
			if (!shrunk) return;
			shrunk = false;
			terminal.stdout.write('\u001B[2J\u001B[3J\u001B[H');
			instance.clear();
			for (const listener of repaintListeners) listener();
		}, RESIZE_SETTLE_MS);
	};
	terminal.stdout.on('resize', onResize);
	// In raw mode Ctrl-C arrives as a key (the wizard handles it); a SIGINT from elsewhere aborts io.signal.
	const interrupted = (): void => instance.unmount();
	io.signal?.addEventListener('abort', interrupted, { once: true });
	try {
		await instance.waitUntilExit();
	} finally {
		io.signal?.removeEventListener('abort', interrupted);
		terminal.stdout.off('resize', onResize);
		clearTimeout(settle);
		probes.abort();
	}
	return outcome;
}

/**
 * Problems at paths the file or flags gave. The wizard never asks those again, so it cannot fix them:
 * the caller reports them (exit 2) instead of starting it.
 */
export function blockingProblems(cluster: Cluster, provided: ReadonlySet<string>): Problem[] {
	return validateCluster(cluster).filter((problem) => provided.has(problem.path));
}

/** Problems a run could only fix by asking: required answers that neither the file nor a flag gave. */
function isMissing(problem: Problem, provided: ReadonlySet<string>): boolean {
	return problem.message.startsWith('required') && !provided.has(problem.path);
}

/**
 * Without a terminal nothing waits for input: one line per required answer still missing, naming the
 * flag or config key that gives it (the caller prints them and exits 2).
 */
export function missingAnswers(cluster: Cluster, provided: ReadonlySet<string>): string[] {
	const lines: string[] = [];
	for (const problem of validateCluster(cluster)) {
		if (!isMissing(problem, provided)) continue;
		const flag = flagFor(problem.path);
		const line = flag === undefined
			? `${problem.path}: required; set it in the config file`
			: `${problem.path}: required; add ${flag} or set it in the config file`;
		if (!lines.includes(line)) lines.push(line);
	}
	return lines;
}
