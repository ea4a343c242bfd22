/** Tenancy and authentication: secret hashes, sessions, API keys, login limits, tenant contexts. */
export * from './api-key.verifier';
export * from './client-address';
export * from './login-limiter';
export * from './memory-session.store';
export * from './redis-session.store';
export * from './secret-hash';
export * from './session.manager';
export * from './session.store';
export * from './tenant-context';
