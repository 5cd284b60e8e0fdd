// Limits on config input, kept apart from the loader so callers can check sizes without loading YAML.
export const MAX_CONFIG_BYTES = 1024 * 1024;
export const MAX_DEPTH = 32;
export const MAX_ALIASES = 100;
