import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { SessionManager, TenantContext } from '@herald/sessions';
import { HeraldHttpError } from '../http/http-error';
import { ADMIN_ONLY } from './auth.tokens';
import { AuthService } from './auth.service';
import { presentedSecret, type AuthedRequest } from './credentials';

/**
 * Admin API authentication: a live session token (`Authorization: Bearer <token>`) becomes the
 * request's TenantContext; the session is renewed (sliding expiry) on the way. Nothing is cached on
 * the node, so a revoke is effective on every node at the next request. `@AdminOnly()` routes
 * refuse viewers with 403.
 *
 * Zero-config (no `herald.tenants`): there are no users to log in, so every request is the default
 * tenant's with every right — the exposure of the v2 API (ApiKeyGuard) and of Alertmanager's own UI,
 * which the dashboard then mirrors without a login.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  private readonly zeroConfig: TenantContext | null;

  constructor(
    private readonly sessions: SessionManager,
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
    @Inject(HERALD_CONFIG) config: HeraldConfig,
  ) {
    this.zeroConfig =
      config.herald.tenants.length === 0 ? TenantContext.anonymous(config.herald.defaultTenant) : null;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    if (this.zeroConfig) {
      req.heraldTenant = this.zeroConfig;
      return true;
    }
    const token = presentedSecret(req.headers.authorization);
    const session = token ? await this.auth.storeCall(() => this.sessions.authenticate(token)) : null;
    if (!token || !session) {
      throw new HeraldHttpError(401, { error: 'a valid session is required', field: 'Authorization' });
    }
    const ctx = TenantContext.forSession(session);
    req.heraldTenant = ctx;
    req.heraldSessionToken = token;
    const adminOnly = this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (adminOnly && !ctx.isAdmin)
      throw new HeraldHttpError(403, { error: 'this action needs the admin role' });
    return true;
  }
}
