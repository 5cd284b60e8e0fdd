// Renders the whole wizard under ink-testing-library with recording callbacks, plus small steps for
// answering each kind of question once its screen is up.
import { render } from 'ink-testing-library';
import { mergeLayers } from '../../source/spec/merge.js';
import type { Tree } from '../../source/spec/load.js';
import type { Cluster, Role } from '../../source/spec/types.js';
import type { PortProbeResult } from '../../source/remote/port-probe.js';
import type { AwsDiscovery } from '../../source/session/aws-discovery.js';
import type { ConnectionTest } from '../../source/session/connection-test.js';
import { Wizard, type WizardOutcome } from '../../source/ui/wizard.js';
import { KEYS, press, screen, stroke, type } from '../_helpers/keys.js';

export interface WizardRun {
	app: ReturnType<typeof render>;
	outcomes: WizardOutcome[];
	saved: Array<{ path: string; text: string }>;
	installs: Cluster[];
	frame: () => string;
}

export interface WizardRunOptions {
	trees?: Tree[];
	probe?: (host: string, port: number) => Promise<PortProbeResult>;
	connectionTest?: ConnectionTest;
	awsDiscovery?: AwsDiscovery;
	onInstall?: boolean;
	existing?: readonly string[];
}

export function runWizardApp(options: WizardRunOptions = {}): WizardRun {
	const { cluster, provided } = mergeLayers(options.trees ?? []);
	const outcomes: WizardOutcome[] = [];
	const saved: Array<{ path: string; text: string }> = [];
	const installs: Cluster[] = [];
	const app = render(
		<Wizard
			cluster={cluster}
			provided={provided}
			color={false}
			probe={options.probe}
			connectionTest={options.connectionTest}
			awsDiscovery={options.awsDiscovery}
			schemaLocation="file:///kubestrap/schema/cluster.schema.json"
			onSave={async (path, text) => void saved.push({ path, text })}
			fileExists={async (path) => (options.existing ?? []).includes(path)}
			onInstall={options.onInstall ? (chosen) => void installs.push(chosen) : undefined}
			onFinish={(outcome) => void outcomes.push(outcome)}
		/>,
	);
	return { app, outcomes, saved, installs, frame: () => app.lastFrame() ?? '' };
}

/** Waits for a text question, optionally types after the prefilled value, and presses Enter. */
export async function text(run: WizardRun, prompt: RegExp, typed = ''): Promise<string> {
	const frame = await screen(run.app, prompt);
	if (typed !== '') await type(run.app.stdin, typed);
	await press(run.app.stdin, KEYS.enter);
	return frame;
}

/** Waits for a select, moves down `downs` times and presses Enter. */
export async function select(run: WizardRun, prompt: RegExp, downs = 0): Promise<string> {
	const frame = await screen(run.app, prompt);
	await stroke(run.app, KEYS.down, downs);
	await press(run.app.stdin, KEYS.enter);
	return frame;
}

/** Waits for a yes/no question and answers with a key ('y', 'n' or Enter for the default). */
export async function confirm(run: WizardRun, prompt: RegExp, key: string = KEYS.enter): Promise<string> {
	const frame = await screen(run.app, prompt);
	await press(run.app.stdin, key);
	return frame;
}

export interface HostAnswer {
	address: string;
	/** the role to add it as; default: what the list offers (a control plane first, then workers) */
	role?: Role;
	privateAddress?: string;
	name?: string;
}

const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Adds hosts (each with its optional private address and node name, or none) and ends the list. */
export async function hosts(run: WizardRun, entries: ReadonlyArray<string | HostAnswer>): Promise<string> {
	await screen(run.app, /Hosts:/);
	for (const entry of entries) {
		const host = typeof entry === 'string' ? { address: entry } : entry;
		const shown = /Address \((control-plane|worker)\):\s*$/m.exec(await screen(run.app, /Address \((control-plane|worker)\):\s*$/m))?.[1];
		if (host.role !== undefined && host.role !== shown) {
			await press(run.app.stdin, KEYS.tab);
			await screen(run.app, new RegExp(`Address \\(${host.role}\\):\\s*$`, 'm'));
		}
		await type(run.app.stdin, host.address);
		await press(run.app.stdin, KEYS.enter);
		for (const [label, value] of [['Private address', host.privateAddress], ['Node name', host.name]] as const) {
			await screen(run.app, new RegExp(`${label} of ${literal(host.address)} \\(optional\\):`));
			if (value !== undefined) await type(run.app.stdin, value);
			await press(run.app.stdin, KEYS.enter);
		}
	}
	const last = entries.at(-1);
	const address = typeof last === 'string' ? last : last?.address ?? '';
	const frame = await screen(run.app, new RegExp(`${literal(address)}[\\s\\S]*Address \\((control-plane|worker)\\):`));
	await press(run.app.stdin, KEYS.enter);
	return frame;
}
