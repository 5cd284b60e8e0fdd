// `~`, `~/x` and `~user/x` in paths the user gives (identity file, known_hosts, ssh_config entries),
// expanded the way the shell and ssh do. Another user's home comes from the passwd database; a user
// that is not there leaves the path as written, so the "does not exist" message shows what was given.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The home directory of a local user from /etc/passwd, or undefined. */
export function homeOf(user: string, passwd = '/etc/passwd'): string | undefined {
	let text: string;
	try {
		text = readFileSync(passwd, 'utf8');
	} catch {
		return undefined;
	}
	for (const line of text.split('\n')) {
		const fields = line.split(':');
		if (fields[0] === user && fields.length >= 7 && fields[5]) return fields[5];
	}
	return undefined;
}

export function expandTilde(path: string, home: string, lookup: (user: string) => string | undefined = homeOf): string {
	if (path === '~') return home;
	if (path.startsWith('~/')) return join(home, path.slice(2));
	const named = /^~([a-z_][a-z0-9_.-]*\$?)(\/.*)?$/i.exec(path);
	if (named === null) return path;
	const userHome = lookup(named[1] ?? '');
	return userHome === undefined ? path : join(userHome, (named[2] ?? '/').slice(1));
}
