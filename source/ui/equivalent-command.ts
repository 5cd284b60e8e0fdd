// The non-interactive commands that do what the wizard's answers say: the config-file form and the
// flag form, built from the field table's flags so every answer has its flag.
import { FIELDS } from '../spec/fields.js';
import { flagFor } from '../spec/flags.js';
import { getPath } from '../spec/merge.js';
import type { Cluster } from '../spec/types.js';
import { quote } from '../remote/quote.js';

function applies(when: ((c: Cluster) => boolean) | undefined, cluster: Cluster): boolean {
	try {
		return when ? when(cluster) : true;
	} catch {
		return false;
	}
}

/** Flag and value groups, one per answer (a repeated flag gives one group per item). */
export function flagGroups(cluster: Cluster): string[][] {
	const groups: string[][] = [];
	for (const field of FIELDS) {
		if (field.kind.type === 'object-list') {
			// --control-plane and --worker are the host flags (flagFor('spec.hosts') names both).
			for (const role of ['control-plane', 'worker'] as const) {
				for (const host of cluster.spec.hosts) if (host.role === role) groups.push([`--${role}`, host.address]);
			}
			continue;
		}
		const flag = flagFor(field.path);
		if (flag === undefined || field.path.includes('[]') || !applies(field.when, cluster)) continue;
		const value = getPath(cluster, field.path);
		if (value === undefined || value === '') continue;
		if (field.kind.type === 'boolean') groups.push([value === true ? flag : flag.replace(/^--/, '--no-')]);
		else if (Array.isArray(value)) for (const item of value) groups.push([flag, String(item)]);
		else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) groups.push([flag, `${key}=${String(item)}`]);
		else groups.push([flag, String(value)]);
	}
	return groups;
}

/** Host details that no flag carries (private address, node name) need the config file. */
export function needsConfigFile(cluster: Cluster): boolean {
	return cluster.spec.hosts.some((host) => host.privateAddress !== undefined || host.name !== undefined);
}

export function configCommand(file = 'cluster.yaml'): string {
	return `kubestrap install --config ${quote(file)} --yes`;
}

/** What the wizard's closing line tells to run: ./cluster.yaml is read without --config. */
export function savedInstallCommand(savedPath: string): string {
	return /^(\.\/)?cluster\.yaml$/.test(savedPath) ? 'kubestrap install --yes (reads ./cluster.yaml)' : configCommand(savedPath);
}

/** The flag form, broken into shell continuation lines no wider than `width`. */
export function flagCommandLines(cluster: Cluster, width = 76): string[] {
	const lines: string[] = [];
	let line = 'kubestrap install';
	for (const words of [...flagGroups(cluster), ['--yes']]) {
		const text = words.map(quote).join(' ');
		if (line.length + 1 + text.length + 2 > width) {
			lines.push(`${line} \\`);
			line = `  ${text}`;
		} else {
			line = `${line} ${text}`;
		}
	}
	lines.push(line);
	return lines;
}
