// Reading ~/.ssh/config with its Include lines expanded the way OpenSSH does: relative paths are resolved
// against ~/.ssh, globs (* ? [..]) are expanded in sorted order, a pattern that matches nothing is skipped,
// and includes nest at most 16 deep (OpenSSH's limit) so a file that includes itself ends with a message.
// Every file goes through the bounded reader, so an included FIFO or device cannot hang the run.
import { readdir } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

import SSHConfig from 'ssh-config';

import { LocalFileError, readBounded } from '../files/bounded-read.js';
import { expandTilde } from '../files/tilde.js';

/** OpenSSH's READCONF_MAX_DEPTH. */
export const MAX_INCLUDE_DEPTH = 16;

/**
 * A problem with one ssh config file: always names the file and says what to fix. A LocalFileError, so the
 * command line treats it like any other bad local file (one line, exit 2).
 */
export class SshConfigError extends LocalFileError {
	constructor(path: string, message: string) {
		super(path, 'ssh config file', 'invalid', message);
		this.name = 'SshConfigError';
	}
}

const INCLUDE = /^\s*include(?:\s*=\s*|\s+)(.+?)\s*$/i;
const SECTION = /^\s*(?:host|match)(?:\s*=\s*|\s+)\S/i;

/**
 * The text of `file` with every Include replaced by the included files' text. After included text that
 * opened its own Host/Match sections, the enclosing section is opened again, so the lines after the
 * Include keep applying to the hosts they applied to (OpenSSH restores that state the same way).
 */
export async function readConfigWithIncludes(file: string, home: string, depth = 0): Promise<string> {
	const text = (await readBounded(file, 'ssh config file')).toString('utf8');
	checkSyntax(text, file);
	const out: string[] = [];
	let section = 'Host *';
	for (const line of text.split(/\r?\n/)) {
		const include = INCLUDE.exec(line);
		if (include === null) {
			if (SECTION.test(line)) section = line.trim();
			out.push(line);
			continue;
		}
		if (depth + 1 > MAX_INCLUDE_DEPTH) {
			throw new SshConfigError(file, `Include nested more than ${MAX_INCLUDE_DEPTH} deep (a file that includes itself?); remove the Include loop`);
		}
		let spliced = false;
		for (const pattern of splitWords(include[1] ?? '')) {
			for (const path of await expandGlob(includePath(pattern, home))) {
				const included = await readIncluded(path, home, depth + 1);
				out.push(included);
				spliced ||= included.split(/\r?\n/).some((l) => SECTION.test(l));
			}
		}
		if (spliced) out.push(section);
	}
	return out.join('\n');
}

async function readIncluded(path: string, home: string, depth: number): Promise<string> {
	try {
		return await readConfigWithIncludes(path, home, depth);
	} catch (error) {
		// An Include of a file that is not there is skipped, as OpenSSH does; anything else (a directory,
		// a FIFO, a syntax error) is an error that names the included file.
		if (error instanceof LocalFileError && error.problem === 'missing') return '';
		throw error;
	}
}

function checkSyntax(text: string, file: string): void {
	try {
		SSHConfig.parse(text);
	} catch (error) {
		throw new SshConfigError(file, `cannot be parsed (${(error as Error).message}); fix that line (a quote left open?) or remove it`);
	}
}

/** Words of an Include line; double quotes keep a path with spaces together. */
function splitWords(value: string): string[] {
	return [...value.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '').filter((w) => w !== '');
}

/** `~` expanded; a relative path is under ~/.ssh, as OpenSSH resolves Include in a user's config. */
export function includePath(pattern: string, home: string): string {
	const expanded = expandTilde(pattern, home);
	return isAbsolute(expanded) ? expanded : join(home, '.ssh', expanded);
}

const GLOB = /[*?[]/;

/** Paths matching an absolute glob, sorted per directory level like glob(3); a plain path is returned as is. */
export async function expandGlob(pattern: string): Promise<string[]> {
	if (!GLOB.test(pattern)) return [pattern];
	const parts = pattern.split('/').filter((p) => p !== '');
	let bases = ['/'];
	for (const part of parts) {
		if (!GLOB.test(part)) {
			bases = bases.map((base) => join(base, part));
			continue;
		}
		const matcher = globRegExp(part);
		const next: string[] = [];
		for (const base of bases) {
			let names: string[];
			try {
				names = await readdir(base);
			} catch {
				continue;
			}
			// Like the shell, a wildcard does not match a leading dot.
			next.push(...names.filter((name) => !name.startsWith('.') && matcher.test(name)).sort().map((name) => join(base, name)));
		}
		bases = next;
	}
	return bases;
}

function globRegExp(part: string): RegExp {
	let source = '';
	for (let i = 0; i < part.length; i++) {
		const c = part[i] ?? '';
		if (c === '*') source += '[^/]*';
		else if (c === '?') source += '[^/]';
		else if (c === '[') {
			const end = part.indexOf(']', i + 1);
			if (end < 0) source += '\\[';
			else {
				const body = part.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
				source += `[${body}]`;
				i = end;
			}
		} else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
	}
	return new RegExp(`^${source}$`);
}
