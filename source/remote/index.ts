// The remote layer's public surface: the only module in kubestrap that talks SSH.

export { connect, type ConnectOptions } from './connection.js';
export type { Remote, RemoteStats, ExecOptions, ExecResult, UploadOptions, DownloadOptions, OutputStream } from './remote.js';
export { RemoteError, HostKeyError, commandName, type RemoteErrorKind, type KeyFingerprint, type HostKeyProblem } from './errors.js';
export { commandFailed } from './exec.js';
export { quote, commandLine } from './quote.js';
export { createRedactor, REDACTED, type Redactor } from './redact.js';
export {
	parseKnownHosts,
	readKnownHosts,
	lookup,
	fingerprint,
	appendKnownHost,
	hostEntryName,
	type KnownHostEntry,
	type KnownHosts,
	type LookupResult,
	type LookupStatus,
} from './known-hosts.js';
export type { HostKeyPolicy, TrustedHostKeys, UnknownHostKeyInfo } from './host-key-check.js';
export type { PassphraseCallback } from './auth.js';
export type { JumpHost } from './ssh-config-file.js';
