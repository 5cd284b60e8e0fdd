// Durations on the command line ("10m", "90s", "1h30m", or a plain number of seconds) and the
// "1m05s" text kubestrap prints them back as.
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000 };

/** Milliseconds, or a message naming the flag and the accepted forms. */
export function parseDuration(value: string, flag: string): number | string {
	const text = value.trim();
	if (/^\d{1,6}$/.test(text)) return Number(text) * 1000;
	const parts = [...text.matchAll(/(\d{1,6})([hms])/g)];
	if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return `${flag} ${JSON.stringify(value)} is not a duration; use e.g. 10m, 90s or 1h30m`;
	const ms = parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] ?? 's'] ?? 1000), 0);
	return ms > 0 ? ms : `${flag} must be longer than 0s`;
}

/** "1m05s"-style text for elapsed times and timeouts, like kubectl's ages but to the second. */
export function formatDuration(ms: number): string {
	const total = Math.max(0, Math.round(ms / 1000));
	const h = Math.floor(total / 3600);
	const m = Math.floor((total % 3600) / 60);
	const s = total % 60;
	if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${String(s).padStart(2, '0')}s`;
	if (m > 0) return `${m}m${String(s).padStart(2, '0')}s`;
	return `${s}s`;
}
