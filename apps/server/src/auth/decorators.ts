import {
  applyDecorators,
  createParamDecorator,
  Delete,
  HttpCode,
  SetMetadata,
  type ExecutionContext,
} from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { TenantContext } from '@herald/sessions';
import { ADMIN_ONLY } from './auth.tokens';
import type { AuthedRequest } from './credentials';

/**
 * The TenantContext the guard established for this request. Fails loudly when a handler uses it
 * without a guard: a missing guard must not silently become "no tenant" or "all tenants".
 */
export const Tenant = createParamDecorator((_: unknown, ctx: ExecutionContext): TenantContext =>
  tenantOf(ctx),
);

function tenantOf(ctx: ExecutionContext): TenantContext {
  const t = ctx.switchToHttp().getRequest<AuthedRequest>().heraldTenant;
  if (!TenantContext.isIssued(t)) throw new Error('@Tenant() used on a route without an auth guard');
  return t;
}

/** What an admin action on one resource needs: the caller's tenant, the `:id` and the client address. */
export interface AdminTarget {
  ctx: TenantContext;
  id: string;
  ip: string;
}

/** The `AdminTarget` of an `@AdminDelete` route (its tenant established by the guard, as `@Tenant()`). */
export const Target = createParamDecorator((_: unknown, ctx: ExecutionContext): AdminTarget => {
  const req = ctx.switchToHttp().getRequest<AuthedRequest & { params: Record<string, string> }>();
  return { ctx: tenantOf(ctx), id: req.params.id, ip: req.ip };
});

/** Marks a route as admin-only (viewers get 403). */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

/** `DELETE <base>/:id` for admins only, answering 204 (documented in OpenAPI with `summary`). */
export const AdminDelete = (summary: string) =>
  applyDecorators(
    Delete(':id'),
    HttpCode(204),
    AdminOnly(),
    ApiOperation({ summary }),
    ApiParam({ name: 'id', type: String }),
    ApiNoContentResponse(),
  );
