// The user's ~/.ssh/config (with its Include files), read for the fields kubestrap honours: HostName, User,
// Port, IdentityFile, ProxyJump and ProxyCommand. Explicit kubestrap values always win; the config only
// fills what was left unset.

import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';

import SSHConfig from 'ssh-config';

import { LocalFileError } from '../files/bounded-read.js';
import { expandTilde } from '../files/tilde.js';
import { readConfigWithIncludes, SshConfigError } from './ssh-config-include.js';

export interface JumpHost {
	host: string;
	port?: number;
	user?: string;
}

export interface SshConfigValues {
	hostName?: string;
	user?: string;
	port?: number;
	identityFiles: string[];
	/** Hops in the order they are connected, first one reached directly. */
	proxyJump?: JumpHost[];
	/** As written, tokens (%h %p %r %n %%) not yet substituted; `none` gives undefined. */
	proxyCommand?: string;
}

export interface ExpandContext {
	home: string;
	localUser: string;
	host: string;
	remoteUser?: string;
}

export function defaultSshConfigPath(home = homedir()): string {
	return join(home, '.ssh', 'config');
}

/** The config text with Include files spliced in, or undefined when the file does not exist. */
export async function readSshConfig(file: string, home = homedir()): Promise<string | undefined> {
	try {
		return await readConfigWithIncludes(file, home);
	} catch (error) {
		if (error instanceof LocalFileError && error.problem === 'missing' && error.path === file) return undefined;
		throw error;
	}
}

/**
 * Values for one host alias. `Match exec` lines are never run: reading a config must not execute commands
 * (a ProxyCommand is run only when kubestrap connects, as ssh does). `file` names the config in messages.
 */
export function sshConfigFor(text: string, alias: string, home = homedir(), file = '~/.ssh/config'): SshConfigValues {
	const computed = SSHConfig.parse(text).compute(alias, { ignoreCase: true, matchExec: false });
	const first = (key: string): string | undefined => {
		const value = computed[key];
		return Array.isArray(value) ? value[0] : value;
	};
	const all = (key: string): string[] => {
		const value = computed[key];
		return value === undefined ? [] : Array.isArray(value) ? value : [value];
	};

	const hostName = first('hostname');
	const user = first('user');
	const portText = first('port');
	const port = portText === undefined ? undefined : Number(portText);
	if (port !== undefined && (!/^\d+$/.test(portText ?? '') || port < 1 || port > 65535)) {
		throw new SshConfigError(file, `Port "${portText}" for host ${alias} is not a number from 1 to 65535; fix the Port line`);
	}
	const context: ExpandContext = {
		home,
		localUser: safeLocalUser(),
		host: hostName ?? alias,
		...(user === undefined ? {} : { remoteUser: user }),
	};
	const identityFiles = all('identityfile')
		.filter((file) => file.toLowerCase() !== 'none')
		.map((file) => expandPath(file, context));
	const jumpText = first('proxyjump');
	const proxyJump = jumpText === undefined || jumpText.toLowerCase() === 'none' ? undefined : parseJumpList(jumpText);
	const commandText = first('proxycommand')?.trim();
	const proxyCommand = commandText === undefined || commandText === '' || commandText.toLowerCase() === 'none' ? undefined : commandText;
	// OpenSSH uses whichever of the two it read first; the order is lost once the config is computed, so
	// both for one host is refused rather than guessed.
	if (proxyJump !== undefined && proxyCommand !== undefined) {
		throw new SshConfigError(file, `host ${alias} has both ProxyJump and ProxyCommand; keep one of them (or set ProxyCommand none)`);
	}

	return {
		identityFiles,
		...(hostName === undefined ? {} : { hostName: expandTokens(hostName, { ...context, host: alias }) }),
		...(user === undefined ? {} : { user }),
		...(port === undefined ? {} : { port }),
		...(proxyJump === undefined ? {} : { proxyJump }),
		...(proxyCommand === undefined ? {} : { proxyCommand }),
	};
}

/** `[user@]host[:port]` or `ssh://[user@]host[:port]`, comma separated; IPv6 hosts in brackets. */
export function parseJumpList(value: string): JumpHost[] {
	return value.split(',').map((item) => item.trim()).filter((item) => item !== '').map(parseJump);
}

function parseJump(spec: string): JumpHost {
	const text = spec.startsWith('ssh://') ? spec.slice('ssh://'.length) : spec;
	const at = text.lastIndexOf('@');
	const user = at >= 0 ? text.slice(0, at) : undefined;
	const rest = at >= 0 ? text.slice(at + 1) : text;
	let host = rest;
	let port: number | undefined;
	const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
	if (bracketed !== null) {
		host = bracketed[1] ?? rest;
		port = bracketed[2] === undefined ? undefined : Number(bracketed[2]);
	} else {
		const colon = rest.lastIndexOf(':');
		if (colon > 0 && rest.indexOf(':') === colon && /^\d+$/.test(rest.slice(colon + 1))) {
			host = rest.slice(0, colon);
			port = Number(rest.slice(colon + 1));
		}
	}
	if (host === '') {
		throw new Error(`ProxyJump entry "${spec}" has no host`);
	}
	return { host, ...(port === undefined ? {} : { port }), ...(user === undefined || user === '' ? {} : { user }) };
}

/** `~` and the ssh_config tokens that make sense for a path (%d %u %h %r %%). */
export function expandPath(path: string, context: ExpandContext): string {
	const tilde = expandTilde(path, context.home);
	return expandTokens(tilde, context);
}

function expandTokens(text: string, context: ExpandContext): string {
	return text.replace(/%([%dhur])/g, (_match, token: string) => {
		switch (token) {
			case 'd':
				return context.home;
			case 'u':
				return context.localUser;
			case 'h':
				return context.host;
			case 'r':
				return context.remoteUser ?? context.localUser;
			default:
				return '%';
		}
	});
}

export function safeLocalUser(): string {
	try {
		return userInfo().username;
	} catch {
		return 'root';
	}
}
