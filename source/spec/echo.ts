// Values echoed back in messages are capped, so a hostile or pasted-by-mistake value of megabytes
// cannot flood the terminal or the log: the first 80 characters, then the length.
export function echoValue(value: string, max = 80): string {
	return value.length > max ? `${JSON.stringify(value.slice(0, max))}… (${value.length} characters)` : JSON.stringify(value);
}
