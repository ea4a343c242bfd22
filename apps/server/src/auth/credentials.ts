import type { FastifyRequest } from 'fastify';
import type { TenantContext } from '@herald/sessions';

/** A request after authentication: the guard stores the tenant context here, once per request. */
export interface AuthedRequest extends FastifyRequest {
  heraldTenant?: TenantContext;
  /** The session token the request came with (logout needs it); never logged. */
  heraldSessionToken?: string;
}

/**
 * The secret in an `Authorization` header: `Bearer <secret>` (Prometheus `authorization`) or
 * `Basic base64(user:secret)` (Alertmanager `http_config.basic_auth`, the password is the key).
 */
export function presentedSecret(header: string | undefined): string | null {
  if (!header) return null;
  const sp = header.indexOf(' ');
  if (sp < 0) return null;
  const scheme = header.slice(0, sp).toLowerCase();
  const value = header.slice(sp + 1).trim();
  if (!value) return null;
  if (scheme === 'bearer') return value;
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const secret = colon < 0 ? '' : decoded.slice(colon + 1);
    return secret || null;
  }
  return null;
}
