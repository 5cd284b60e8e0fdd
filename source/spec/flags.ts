// Flags from the field table: one flag per field, plus --control-plane/--worker for hosts.
// Values are read as text and checked here, so a bad flag gets the same path-and-message
// treatment as a bad config key (commander's own choices() would print its own wording).
import { Option, type Command } from 'commander';
import { FIELDS, type Field } from './fields.js';
import type { Tree } from './load.js';
import type { Problem } from './types.js';
import { closest } from './suggest.js';

function camel(flag: string): string {
	return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function collect(value: string, previous: string[] | undefined): string[] {
	return [...(previous ?? []), value];
}

function flagFields(): Field[] {
	return FIELDS.filter((field) => field.flag !== undefined);
}

/** Adds every spec flag to a command. No commander defaults: an absent flag stays undefined. */
export function addSpecOptions(command: Command): Command {
	command.addOption(new Option('--control-plane <address>', 'control-plane host address (repeat for several)').argParser(collect));
	command.addOption(new Option('--worker <address>', 'worker host address (repeat for several)').argParser(collect));
	for (const field of flagFields()) {
		const flag = field.flag as string;
		const kind = field.kind;
		const choices = kind.type === 'enum' ? ` (${kind.choices.join(' | ')})` : '';
		const help = `${field.help}${choices} [${field.path}]`;
		if (kind.type === 'boolean') {
			command.addOption(new Option(`--${flag}`, help));
			command.addOption(new Option(`--no-${flag}`, `turn off: ${field.label}`));
		} else if (kind.type === 'string-list' || kind.type === 'string-map') {
			command.addOption(new Option(`--${flag} <${kind.type === 'string-map' ? 'key=value' : 'value'}>`, help).argParser(collect));
		} else {
			command.addOption(new Option(`--${flag} <${kind.type === 'integer' ? 'n' : 'value'}>`, help));
		}
	}
	return command;
}

function setPath(tree: Tree, path: string, value: unknown): void {
	const keys = path.split('.');
	const last = keys.pop() as string;
	let node = tree;
	for (const key of keys) node = (node[key] ??= {}) as Tree;
	node[last] = value;
}

function flagValue(field: Field, raw: unknown, problems: Problem[]): unknown {
	const flag = `--${field.flag}`;
	const kind = field.kind;
	switch (kind.type) {
		case 'boolean':
			return raw === true;
		case 'integer': {
			const text = String(raw);
			if (!/^\d{1,6}$/.test(text) || Number(text) < kind.min || Number(text) > kind.max) {
				problems.push({ path: field.path, message: `${flag} ${JSON.stringify(text)} must be a whole number from ${kind.min} to ${kind.max}` });
				return undefined;
			}
			return Number(text);
		}
		case 'enum': {
			const text = String(raw);
			if (kind.choices.includes(text)) return text;
			const guess = closest(text, kind.choices);
			problems.push({ path: field.path, message: `${flag} ${JSON.stringify(text)} is not one of ${kind.choices.join(', ')}${guess ? `; did you mean "${guess}"?` : ''}` });
			return undefined;
		}
		case 'string-list':
			return raw as string[];
		case 'string-map': {
			const map: Record<string, string> = {};
			for (const pair of raw as string[]) {
				const at = pair.indexOf('=');
				if (at <= 0) {
					problems.push({ path: field.path, message: `${flag} ${JSON.stringify(pair)} must be KEY=VALUE` });
					continue;
				}
				map[pair.slice(0, at)] = pair.slice(at + 1);
			}
			return map;
		}
		default:
			return String(raw);
	}
}

/** Turns commander's parsed options into a config-shaped tree holding only the flags given. */
export function flagsToTree(options: Record<string, unknown>): { tree: Tree; problems: Problem[] } {
	const tree: Tree = {};
	const problems: Problem[] = [];
	for (const field of flagFields()) {
		const raw = options[camel(field.flag as string)];
		if (raw === undefined) continue;
		const value = flagValue(field, raw, problems);
		if (value !== undefined) setPath(tree, field.path, value);
	}
	const controlPlanes = (options.controlPlane as string[] | undefined) ?? [];
	const workers = (options.worker as string[] | undefined) ?? [];
	if (controlPlanes.length + workers.length > 0) {
		setPath(tree, 'spec.hosts', [
			...controlPlanes.map((address) => ({ address, role: 'control-plane' })),
			...workers.map((address) => ({ address, role: 'worker' })),
		]);
	}
	return { tree, problems };
}

/** The flag that sets a config path, for messages that tell a user what to add. */
export function flagFor(path: string): string | undefined {
	if (path === 'spec.hosts') return '--control-plane ADDR / --worker ADDR';
	const field = FIELDS.find((f) => f.path === path);
	return field?.flag ? `--${field.flag}` : undefined;
}
