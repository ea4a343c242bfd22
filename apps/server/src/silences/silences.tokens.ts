/** Injection token of the node's SilenceStore (Redis with the memory fallback, or memory). */
export const SILENCE_STORE = Symbol('SILENCE_STORE');
/** Injection token of the node's SilenceCache (query time and flush time share it). */
export const SILENCE_CACHE = Symbol('SILENCE_CACHE');
