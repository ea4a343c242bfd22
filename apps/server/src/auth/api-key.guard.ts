import { Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { ApiKeyVerifier, SessionManager, TenantContext, VerifierBusyError } from '@herald/sessions';
import { HeraldHttpError } from '../http/http-error';
import { AuthService } from './auth.service';
import { presentedSecret, type AuthedRequest } from './credentials';

/** What a route of the Alertmanager-compatible API needs beyond reading (`@ApiNeeds(…)`). */
export type ApiRight = 'read' | 'ingest' | 'admin';
const API_NEEDS = 'herald:api-needs';

/** Marks an API-key route as needing more than `read`: `ingest` (post alerts) or `admin` (write silences). */
export const ApiNeeds = (right: ApiRight) => SetMetadata(API_NEEDS, right);

// A session token's shape (`<tenant>.<43 base64url chars>`): only such secrets are looked up as sessions.
const SESSION_TOKEN = /^[a-z0-9][a-z0-9_-]{0,62}\.[A-Za-z0-9_-]{43}$/;

/**
 * Resolves the tenant of an ingest or Alertmanager API v2 request, once per request. Zero-config (no
 * tenants configured): every request belongs to `herald.default_tenant` with every right, as an
 * Alertmanager without authentication. With tenants: an API key (its role from the config: `ingest`,
 * `viewer` or `admin`) or, except for ingest, a dashboard session token (its user's role) — so amtool
 * with a key and the dashboard with a session both work; no credential or an unknown one is 401, a
 * role without the route's right (`@ApiNeeds`) 403.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly zeroConfig: TenantContext | null;

  constructor(
    @Inject(HERALD_CONFIG) config: HeraldConfig,
    private readonly verifier: ApiKeyVerifier,
    private readonly sessions: SessionManager,
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
  ) {
    this.zeroConfig =
      config.herald.tenants.length === 0 ? TenantContext.anonymous(config.herald.defaultTenant) : null;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const needs =
      this.reflector.getAllAndOverride<ApiRight>(API_NEEDS, [context.getHandler(), context.getClass()]) ??
      'read';
    const ctx = this.zeroConfig ?? (await this.identify(req, needs !== 'ingest'));
    if (needs === 'ingest' && !ctx.canIngest)
      throw new HeraldHttpError(403, {
        error: 'this key may only read (role viewer)',
        field: 'Authorization',
      });
    if (needs === 'admin' && !ctx.isAdmin)
      throw new HeraldHttpError(403, {
        error: 'this action needs an admin API key or an admin session',
        field: 'Authorization',
      });
    req.heraldTenant = ctx;
    return true;
  }

  /** The caller's context; `sessions`: whether a dashboard session may stand in for a key (not for ingest). */
  private async identify(req: AuthedRequest, sessions: boolean): Promise<TenantContext> {
    const key = presentedSecret(req.headers.authorization);
    if (!key) {
      throw new HeraldHttpError(401, {
        error:
          'an API key is required: tenants are configured (herald.tenants), so every sender and API client ' +
          "(Prometheus: alerting.alertmanagers[].authorization or basic_auth) must send one of its tenant's keys: " +
          'Authorization: Bearer <key>, or basic auth with the key as password',
        field: 'Authorization',
      });
    }
    if (sessions && SESSION_TOKEN.test(key)) {
      const session = await this.auth.storeCall(() => this.sessions.authenticate(key));
      if (session) {
        req.heraldSessionToken = key;
        return TenantContext.forSession(session);
      }
    }
    let id: Awaited<ReturnType<ApiKeyVerifier['resolve']>>;
    try {
      id = await this.verifier.resolve(key);
    } catch (e) {
      if (e instanceof VerifierBusyError)
        throw new HeraldHttpError(429, { error: e.message, field: 'Authorization' });
      throw e;
    }
    if (!id) throw new HeraldHttpError(401, { error: 'unknown API key', field: 'Authorization' });
    return TenantContext.forApiKey(id.tenant, id.role);
  }
}
