// SSH host key fingerprints from an instance's console output. cloud-init prints them at first boot
// (write-ssh-key-fingerprints: a "-----BEGIN SSH HOST KEY FINGERPRINTS-----" block, its lines prefixed
// "ec2: ", and a "-----BEGIN SSH HOST KEY KEYS-----" block with the public keys). The console is written
// by the instance before anyone could reach it over the network, so a key that matches it can be trusted
// on first contact without asking the user to compare fingerprints by hand.
import { createHash } from 'node:crypto';
import { GetConsoleOutputCommand, type GetConsoleOutputCommandOutput } from '@aws-sdk/client-ec2';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { callEc2, type CallOptions } from './call.js';
import { AwsError } from './errors.js';

export interface ConsoleKey {
	/** ED25519 | ECDSA | RSA | DSA, as ssh-keygen -l prints it */
	type: string;
	/** SHA256:<base64 without padding> */
	fingerprint: string;
}

/** The ssh-keygen type name of a wire key type: ssh-ed25519 → ED25519, ecdsa-sha2-nistp256 → ECDSA. */
export function keyTypeName(keyType: string): string {
	if (keyType === 'ssh-ed25519') return 'ED25519';
	if (keyType.startsWith('ecdsa-')) return 'ECDSA';
	if (keyType === 'ssh-rsa' || keyType.startsWith('rsa-')) return 'RSA';
	if (keyType === 'ssh-dss') return 'DSA';
	return keyType.toUpperCase();
}

/** Strips what the console puts before cloud-init's text: kernel timestamps, "ec2: ", "cloud-init[123]: ". */
function clean(line: string): string {
	return line.replace(/\r$/, '').replace(/^\[\s*\d+\.\d+\]\s*/, '').replace(/^cloud-init\[\d+\]:\s*/, '').replace(/^ec2:\s?/, '').trim();
}

const FINGERPRINT = /^\d+\s+(SHA256:[A-Za-z0-9+/]{43})=?\s.*\((\w+)\)$/;
const PUBLIC_KEY = /^(ssh-ed25519|ecdsa-sha2-nistp(?:256|384|521)|ssh-rsa|ssh-dss)\s+([A-Za-z0-9+/]+={0,2})(?:\s|$)/;

/** Every SHA256 fingerprint the console output shows, from both blocks, without duplicates (MD5 ones are ignored). */
export function parseConsoleHostKeys(text: string): ConsoleKey[] {
	const keys = new Map<string, ConsoleKey>();
	let block: 'fingerprints' | 'keys' | undefined;
	for (const raw of text.split('\n')) {
		const line = clean(raw);
		if (/^-----BEGIN SSH HOST KEY FINGERPRINTS-----$/.test(line)) block = 'fingerprints';
		else if (/^-----BEGIN SSH HOST KEY KEYS-----$/.test(line)) block = 'keys';
		else if (/^-----END SSH HOST KEY (FINGERPRINTS|KEYS)-----$/.test(line)) block = undefined;
		else if (block === 'fingerprints') {
			const match = FINGERPRINT.exec(line);
			if (match) keys.set(match[1] as string, { type: (match[2] as string).toUpperCase(), fingerprint: match[1] as string });
		} else if (block === 'keys') {
			const match = PUBLIC_KEY.exec(line);
			if (!match) continue;
			const digest = createHash('sha256').update(Buffer.from(match[2] as string, 'base64')).digest('base64').replace(/=+$/, '');
			const fingerprint = `SHA256:${digest}`;
			keys.set(fingerprint, { type: keyTypeName(match[1] as string), fingerprint });
		}
	}
	return [...keys.values()];
}

export interface ConsoleKeys {
	keys: ConsoleKey[];
	/** why there are none, for a warning */
	note?: string;
}

/** Reads and parses one instance's console output. Not being allowed to read it is a note, not a failure: known_hosts still applies. */
export async function consoleHostKeys(client: EC2Client, instanceId: string, options: CallOptions): Promise<ConsoleKeys> {
	let output: GetConsoleOutputCommandOutput;
	try {
		output = await callEc2<GetConsoleOutputCommandOutput>(client, new GetConsoleOutputCommand({ InstanceId: instanceId }), options);
	} catch (error) {
		if (error instanceof AwsError && error.kind === 'denied') return { keys: [], note: `not allowed to read its console output (ec2:GetConsoleOutput)` };
		throw error;
	}
	if (!output.Output) return { keys: [], note: 'its console output is empty (it is kept for the last 64 KB and may not be there yet right after launch)' };
	const keys = parseConsoleHostKeys(Buffer.from(output.Output, 'base64').toString('utf8'));
	return keys.length > 0 ? { keys } : { keys, note: 'its console output shows no SSH host key fingerprints (cloud-init prints them at first boot)' };
}
