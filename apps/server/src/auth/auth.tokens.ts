/** Metadata key set by `@AdminOnly()`. */
export const ADMIN_ONLY = 'herald:admin-only';
