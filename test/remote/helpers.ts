// Shared by the remote tests that run against the sshd test hosts.

import type { ConnectOptions } from '../../source/remote/connection.js';
import type { TestHost, TestHosts } from '../_helpers/sshd-hosts.js';

export function hostAt(hosts: TestHosts, index: number): TestHost {
	const host = hosts.hosts[index];
	if (host === undefined) {
		throw new Error(`no test host ${index}`);
	}
	return host;
}

/** Options for one test host: pinned known_hosts, the harness key, no agent and no ~/.ssh/config of root's. */
export function connectOptions(hosts: TestHosts, index: number, extra: Partial<ConnectOptions> = {}): ConnectOptions {
	const host = hostAt(hosts, index);
	return {
		host: host.address,
		port: host.port,
		user: hosts.user,
		identityFile: hosts.identityFile,
		knownHostsFile: hosts.knownHostsFile,
		extraKnownHostsFiles: [],
		hostKeyPolicy: 'strict',
		sshConfigFile: null,
		agent: false,
		deadlineMs: 5_000,
		...extra,
	};
}
