// Exit codes shared by every command (documented in --help and the README).
export const EXIT = { ok: 0, failed: 1, invalid: 2, interrupted: 130 } as const;
