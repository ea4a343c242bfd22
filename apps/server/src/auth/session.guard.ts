import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
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
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly sessions: SessionManager,
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthedRequest>();
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
