/** Injection token of the clock sessions and login limits run on (a FakeClock in tests). */
export const AUTH_CLOCK = Symbol('AUTH_CLOCK');
/** Metadata key set by `@AdminOnly()`. */
export const ADMIN_ONLY = 'herald:admin-only';
