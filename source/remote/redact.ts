// Secrets registered at run time (join token, certificate key, sudo password) are replaced in any text
// that leaves the process: streamed lines, collected output, error messages.

export const REDACTED = '[REDACTED]';

export interface Redactor {
	add(secret: string): void;
	redact(text: string): string;
}

export function createRedactor(initial: Iterable<string> = []): Redactor {
	const secrets = new Set<string>();
	// Longest first, so a secret that contains another one is replaced whole.
	let ordered: string[] = [];

	const add = (secret: string): void => {
		// Output is matched line by line, so a multi-line secret is also registered one line at a time.
		const parts = [secret, ...secret.split(/\r?\n/)].map((part) => part.trim() === '' ? '' : part);
		let changed = false;
		for (const part of parts) {
			if (part !== '' && !secrets.has(part)) {
				secrets.add(part);
				changed = true;
			}
		}
		if (changed) {
			ordered = [...secrets].sort((a, b) => b.length - a.length);
		}
	};

	const redact = (text: string): string => {
		let out = text;
		for (const secret of ordered) {
			if (out.includes(secret)) {
				out = out.split(secret).join(REDACTED);
			}
		}
		return out;
	};

	for (const secret of initial) {
		add(secret);
	}
	return { add, redact };
}
