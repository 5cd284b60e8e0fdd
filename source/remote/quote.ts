// The one quoting function for everything that reaches a remote shell.
// POSIX single quotes, because the remote /bin/sh may be dash: zx's quote emits bash-only $'…' strings.

// Words made only of these characters mean the same quoted or not, so they stay readable in plans and logs.
// '=' is left out on purpose: an unquoted NAME=value word in command position is an assignment.
const SAFE_WORD = /^[A-Za-z0-9_@%+:,./-]+$/;
// A flag such as --pod-network-cidr=10.244.0.0/16 can never be an assignment (names cannot start with '-').
const SAFE_FLAG = /^-[A-Za-z0-9_@%+:,./=-]*$/;

export function quote(arg: string): string {
	if (arg.includes('\0')) {
		throw new Error('a remote command argument cannot contain a NUL byte');
	}
	if (SAFE_WORD.test(arg) || SAFE_FLAG.test(arg)) {
		return arg;
	}
	// Inside single quotes nothing is special except the closing quote itself:
	// close, emit an escaped quote, reopen.
	return `'${arg.replaceAll("'", "'\\''")}'`;
}

export function commandLine(argv: readonly string[]): string {
	return argv.map(quote).join(' ');
}
