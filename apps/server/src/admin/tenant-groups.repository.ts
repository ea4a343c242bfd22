import { Inject, Injectable } from '@nestjs/common';
import { matchesAll, type Alert, type GroupStore, type Matcher, type StoredGroup } from '@herald/domain';
import { TenantContext } from '@herald/sessions';
import { GROUP_STORE } from '../store/group-store.module';

/** Group listing criteria of the admin API. */
export interface GroupQuery {
  state?: 'firing' | 'recovery';
  receiver?: string;
  matchers: Matcher[];
  limit: number;
  /** Exclusive lower bound on the group id (pagination cursor). */
  after?: string;
}

/**
 * Tenant-scoped read/write access to groups for the admin API. Every method takes the TenantContext
 * the auth guard produced and uses only its tenant: there is no method that takes a tenant id or lists
 * across tenants, so a handler cannot address another tenant's groups even by mistake.
 */
@Injectable()
export class TenantGroupsRepository {
  constructor(@Inject(GROUP_STORE) private readonly store: GroupStore) {}

  /** A page of the tenant's groups ordered by id, and whether more follow. */
  async list(ctx: TenantContext, q: GroupQuery): Promise<{ groups: StoredGroup[]; more: boolean }> {
    const all = await this.store.listGroups(tenantOf(ctx));
    const hit = all
      .filter((g) => (q.after === undefined || g.groupId > q.after) && matchesQuery(g, q))
      .sort((a, b) => (a.groupId < b.groupId ? -1 : 1));
    return { groups: hit.slice(0, q.limit), more: hit.length > q.limit };
  }

  get(ctx: TenantContext, groupId: string): Promise<StoredGroup | null> {
    return this.store.getGroup(tenantOf(ctx), groupId);
  }

  delete(ctx: TenantContext, groupId: string): Promise<boolean> {
    return this.store.deleteGroup(tenantOf(ctx), groupId);
  }

  /** The tenant's alerts (each with the groups holding it) matching every matcher. */
  async alerts(ctx: TenantContext, matchers: Matcher[]): Promise<{ alert: Alert; groups: string[] }[]> {
    const byFp = new Map<string, { alert: Alert; groups: string[] }>();
    for (const g of await this.store.listGroups(tenantOf(ctx))) {
      for (const a of [...g.firing, ...g.recovery]) {
        if (!matchesAll(matchers, a.labels)) continue;
        const seen = byFp.get(a.fingerprint);
        if (seen) seen.groups.push(g.groupId);
        else byFp.set(a.fingerprint, { alert: a, groups: [g.groupId] });
      }
    }
    return [...byFp.values()].sort((x, y) => (x.alert.fingerprint < y.alert.fingerprint ? -1 : 1));
  }
}

function tenantOf(ctx: TenantContext): string {
  // Defence in depth: only contexts made by the auth factories are accepted.
  if (!TenantContext.isIssued(ctx))
    throw new Error('TenantGroupsRepository needs a TenantContext from the auth guard');
  return ctx.tenant;
}

function matchesQuery(g: StoredGroup, q: GroupQuery): boolean {
  if (q.receiver !== undefined && g.receiver !== q.receiver) return false;
  const alerts =
    q.state === 'firing' ? g.firing : q.state === 'recovery' ? g.recovery : [...g.firing, ...g.recovery];
  if (q.state !== undefined && alerts.length === 0) return false;
  return q.matchers.length === 0 || alerts.some((a) => matchesAll(q.matchers, a.labels));
}
