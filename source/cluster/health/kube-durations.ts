// Durations as kubectl prints them (AGE, "3 (45s ago)"): apimachinery's HumanDuration, which keeps
// two units while the smaller one still says something and one unit after that.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function pair(big: number, bigUnit: string, small: number, smallUnit: string): string {
	return small === 0 ? `${big}${bigUnit}` : `${big}${bigUnit}${small}${smallUnit}`;
}

/** HumanDuration of a span in milliseconds: 45s, 2m5s, 12m, 3h4m, 10h, 5d, 3d4h, 400d, 2y30d. */
export function humanDuration(ms: number): string {
	const seconds = Math.trunc(ms / SECOND);
	// Up to two seconds into the future passes as "now": clocks of the API server and this machine differ.
	if (seconds < -1) return '<invalid>';
	if (seconds < 0) return '0s';
	if (seconds < 120) return `${seconds}s`;
	const minutes = Math.trunc(ms / MINUTE);
	if (minutes < 10) return pair(minutes, 'm', seconds % 60, 's');
	if (minutes < 180) return `${minutes}m`;
	const hours = Math.trunc(ms / HOUR);
	if (hours < 8) return pair(hours, 'h', minutes % 60, 'm');
	if (hours < 48) return `${hours}h`;
	const days = Math.trunc(ms / DAY);
	if (hours < 24 * 8) return pair(days, 'd', hours % 24, 'h');
	if (hours < 24 * 365 * 2) return `${days}d`;
	const years = Math.trunc(days / 365);
	if (hours < 24 * 365 * 8) return pair(years, 'y', days % 365, 'd');
	return `${years}y`;
}

/** kubectl's translateTimestampSince: the age of an RFC 3339 time, "<unknown>" without one. */
export function ageSince(time: number | undefined, now: number): string {
	return time === undefined ? '<unknown>' : humanDuration(now - time);
}

/** A stopwatch for the summary line: 12s, 1m12s, 1h2m5s (every unit, so it visibly advances). */
export function elapsed(ms: number): string {
	const total = Math.max(0, Math.floor(ms / SECOND));
	const h = Math.floor(total / 3600);
	const m = Math.floor((total % 3600) / 60);
	const s = total % 60;
	if (h > 0) return `${h}h${m}m${s}s`;
	if (m > 0) return `${m}m${s}s`;
	return `${s}s`;
}
