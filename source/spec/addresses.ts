// Address and CIDR checks. IPv4 only for pod/service subnets: kubestrap installs single-stack IPv4
// clusters. IPv4 is checked by a strict dotted-quad pattern (node's parser would accept forms such as
// 010.1.1.1 elsewhere); IPv6 by node:net.
import { isIPv6 as nodeIsIPv6 } from 'node:net';

export interface Cidr {
	/** network address as a 32-bit unsigned integer */
	base: number;
	prefix: number;
	text: string;
}

const IPV4_STRICT = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Dotted-quad IPv4 only: no octal, hex, or short forms that inet_aton would accept. */
export function isIPv4(value: string): boolean {
	return IPV4_STRICT.test(value);
}

export function isIPv6(value: string): boolean {
	return nodeIsIPv6(value) && !/[%\s]/.test(value);
}

export function isIP(value: string): boolean {
	return isIPv4(value) || isIPv6(value);
}

const LABEL = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const DNS_NAME = new RegExp(`^${LABEL}(\\.${LABEL})*\\.?$`);

/** A host name SSH can connect to: RFC 1123 labels, at most 253 characters, not all-numeric. */
export function isDnsName(value: string): boolean {
	return value.length <= 253 && DNS_NAME.test(value) && !/^[\d.]+$/.test(value);
}

function toInt(address: string): number {
	return address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function toText(value: number): string {
	return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export type CidrResult = { ok: true; cidr: Cidr } | { ok: false; message: string };

/** Parses an IPv4 CIDR and refuses host bits, saying which network was probably meant. */
export function parseCidr(value: string): CidrResult {
	const slash = value.indexOf('/');
	if (slash === -1) {
		if (isIPv4(value)) return { ok: false, message: `"${value}" has no prefix length; did you mean "${value}/32"?` };
		return { ok: false, message: `"${value}" is not an IPv4 CIDR such as 10.244.0.0/16` };
	}
	const address = value.slice(0, slash);
	const prefixText = value.slice(slash + 1);
	if (isIPv6(address)) return { ok: false, message: `"${value}" is IPv6; kubestrap installs IPv4 clusters, use an IPv4 CIDR such as 10.244.0.0/16` };
	if (!isIPv4(address) || !/^(3[0-2]|[12]?\d)$/.test(prefixText)) {
		return { ok: false, message: `"${value}" is not an IPv4 CIDR such as 10.244.0.0/16` };
	}
	const prefix = Number(prefixText);
	const size = 2 ** (32 - prefix);
	const raw = toInt(address);
	const base = raw - (raw % size);
	if (base !== raw) {
		return { ok: false, message: `"${value}" has host bits set; did you mean "${toText(base)}/${prefix}"?` };
	}
	return { ok: true, cidr: { base, prefix, text: value } };
}

export function cidrSize(cidr: Cidr): number {
	return 2 ** (32 - cidr.prefix);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
	return a.base < b.base + cidrSize(b) && b.base < a.base + cidrSize(a);
}

/** True when `outer` contains all of `inner`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
	return outer.prefix <= inner.prefix && inner.base >= outer.base && inner.base + cidrSize(inner) <= outer.base + cidrSize(outer);
}

export function cidrContainsAddress(cidr: Cidr, address: string): boolean {
	if (!isIPv4(address)) return false;
	const value = toInt(address);
	return value >= cidr.base && value < cidr.base + cidrSize(cidr);
}

/** Splits "host:port", "[v6]:port", "host" into parts; port is undefined when absent. */
export function splitHostPort(value: string): { host: string; port?: string } {
	const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(value);
	if (bracketed) return bracketed[2] === undefined ? { host: bracketed[1] ?? '' } : { host: bracketed[1] ?? '', port: bracketed[2] };
	const colons = value.split(':').length - 1;
	if (colons === 1) {
		const index = value.indexOf(':');
		return { host: value.slice(0, index), port: value.slice(index + 1) };
	}
	return { host: value };
}
