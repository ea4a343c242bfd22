import { Inject, Injectable } from '@nestjs/common';
import {
  matchesAll,
  type Alert,
  type GroupStore,
  type Matcher,
  type StatusView,
  type StoredGroup,
} from '@herald/domain';
import { StatusViews } from '../alerts/status-views';
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
  constructor(
    @Inject(GROUP_STORE) private readonly store: GroupStore,
    private readonly views: StatusViews,
  ) {}

  /**
   * A page of the tenant's groups ordered by id, whether more follow, and the status view at `now`
   * (why alerts are quiet: inhibition needs every alert of the tenant, which the listing reads anyway).
   */
  async list(
    ctx: TenantContext,
    q: GroupQuery,
    now: number,
  ): Promise<{ groups: StoredGroup[]; more: boolean; view: StatusView }> {
    const tenant = tenantOf(ctx);
    const all = await this.store.listGroups(tenant);
    const hit = all
      .filter((g) => (q.after === undefined || g.groupId > q.after) && matchesQuery(g, q))
      .sort((a, b) => (a.groupId < b.groupId ? -1 : 1));
    return {
      groups: hit.slice(0, q.limit),
      more: hit.length > q.limit,
      view: await this.views.of(tenant, all, now),
    };
  }

  /** One group and the status view at `now` (read from the tenant's groups: sources may sit in any). */
  async get(
    ctx: TenantContext,
    groupId: string,
    now: number,
  ): Promise<{ group: StoredGroup; view: StatusView } | null> {
    const tenant = tenantOf(ctx);
    const group = await this.store.getGroup(tenant, groupId);
    if (!group) return null;
    // Without inhibit rules the group alone decides its alerts' status: no listing of the tenant.
    const all = this.views.needsAllGroups ? await this.store.listGroups(tenant) : [group];
    return { group, view: await this.views.of(tenant, all, now) };
  }

  delete(ctx: TenantContext, groupId: string): Promise<boolean> {
    return this.store.deleteGroup(tenantOf(ctx), groupId);
  }

  /**
   * The tenant's alerts matching every matcher, each with the groups holding it and the time intervals
   * muting any of those groups now, and the status view at `now`.
   */
  async alerts(
    ctx: TenantContext,
    matchers: Matcher[],
    now: number,
  ): Promise<{ rows: { alert: Alert; groups: string[]; mutedBy: string[] }[]; view: StatusView }> {
    const tenant = tenantOf(ctx);
    const all = await this.store.listGroups(tenant);
    const view = await this.views.of(tenant, all, now);
    const byFp = new Map<string, { alert: Alert; groups: string[]; mutedBy: string[] }>();
    for (const g of all) {
      const muted = view.groupMutedBy(g);
      for (const a of [...g.firing, ...g.recovery]) {
        if (!matchesAll(matchers, a.labels)) continue;
        let row = byFp.get(a.fingerprint);
        if (!row) byFp.set(a.fingerprint, (row = { alert: a, groups: [], mutedBy: [] }));
        row.groups.push(g.groupId);
        for (const m of muted) if (!row.mutedBy.includes(m)) row.mutedBy.push(m);
      }
    }
    const rows = [...byFp.values()].sort((x, y) => (x.alert.fingerprint < y.alert.fingerprint ? -1 : 1));
    return { rows, view };
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
