// Secrets registered at run time (join token, certificate key, sudo password) are replaced in any text
// that leaves the process: streamed lines, collected output, error messages.

export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are replaced only as whole tokens. */
const SHORT = 6;

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

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
			if (!out.includes(secret)) continue;
			if (secret.length >= SHORT) {
				out = out.split(secret).join(REDACTED);
			} else {
				// A short secret (a 4-letter sudo password) also occurs inside ordinary words; it is replaced
				// only where it stands alone, not touching a letter or digit on either side.
				out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(secret)}(?![\\p{L}\\p{N}])`, 'gu'), REDACTED);
			}
		}
		return out;
	};

	for (const secret of initial) {
		add(secret);
	}
	return { add, redact };
}
