import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import type { TenantContext } from '@herald/sessions';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { Tenant } from '../auth/decorators';
import {
  compileGoRegex,
  isResolved,
  matchesAll,
  type Alert,
  type Clock,
  type GoRegex,
  type GroupStore,
  type LabelSet,
  type Matcher,
  type StoredGroup,
} from '@herald/domain';
import { CLOCK } from '../clock/clock.module';
import { GROUP_STORE } from '../store/group-store.module';
import { badRequest } from '../http/http-error';
import { alertWire, type AlertWire } from './alert-wire';
import { filterMatchers, lastValue, type Query as Q } from '../http/query';

/** Alertmanager API v2 `gettableAlert`. */
export interface GettableAlert extends AlertWire {
  receivers: { name: string }[];
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] };
}

/**
 * Read side of Alertmanager's API v2 (amtool, karma and Grafana use it): active alerts and alert groups,
 * with `filter` matchers and a `receiver` regex. Silences and inhibitions arrive with a later issue, so
 * every alert is `active` and `silenced=false`/`inhibited=false` filters keep everything.
 */
@Controller('api/v2/alerts')
@UseGuards(ApiKeyGuard) // Alertmanager API clients present the tenant's API key, as senders do
export class AlertsController {
  constructor(
    @Inject(GROUP_STORE) private readonly store: GroupStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  async list(@Query() q: Q, @Tenant() ctx: TenantContext): Promise<GettableAlert[]> {
    const f = parseFilters(q);
    const now = this.clock.now();
    const groups = await this.store.listGroups(ctx.tenant);
    const byFp = new Map<string, GettableAlert>();
    for (const g of groups) {
      if (f.receiver && !f.receiver.test(g.receiver)) continue;
      for (const a of g.firing) {
        if (!f.wantActive || isResolved(a, now) || !matchesAll(f.matchers, a.labels)) continue;
        const seen = byFp.get(a.fingerprint);
        if (seen) {
          if (!seen.receivers.some((r) => r.name === g.receiver)) seen.receivers.push({ name: g.receiver });
        } else {
          byFp.set(a.fingerprint, gettable(a, [g.receiver]));
        }
      }
    }
    return [...byFp.values()].sort((x, y) =>
      x.fingerprint < y.fingerprint ? -1 : x.fingerprint > y.fingerprint ? 1 : 0,
    );
  }

  @Get('groups')
  async groups(
    @Query() q: Q,
    @Tenant() ctx: TenantContext,
  ): Promise<{ labels: LabelSet; receiver: { name: string }; alerts: GettableAlert[] }[]> {
    const f = parseFilters(q);
    const now = this.clock.now();
    const out: { labels: LabelSet; receiver: { name: string }; alerts: GettableAlert[] }[] = [];
    const groups = await this.store.listGroups(ctx.tenant);
    groups.sort(byGroupKey);
    for (const g of groups) {
      if (f.receiver && !f.receiver.test(g.receiver)) continue;
      const alerts = g.firing
        .filter((a) => f.wantActive && !isResolved(a, now) && matchesAll(f.matchers, a.labels))
        .map((a) => gettable(a, [g.receiver]))
        .sort((x, y) => (x.fingerprint < y.fingerprint ? -1 : 1));
      if (alerts.length) out.push({ labels: g.labels, receiver: { name: g.receiver }, alerts });
    }
    return out;
  }
}

function byGroupKey(a: StoredGroup, b: StoredGroup): number {
  return a.groupKey < b.groupKey ? -1 : a.groupKey > b.groupKey ? 1 : 0;
}

function gettable(a: Alert, receivers: string[]): GettableAlert {
  return {
    ...alertWire(a),
    receivers: receivers.map((name) => ({ name })),
    status: { state: 'active', silencedBy: [], inhibitedBy: [] },
  };
}

function parseBool(q: Q, name: string, def: boolean): boolean {
  const s = lastValue(q, name);
  if (s === undefined) return def;
  if (s === 'true') return true;
  if (s === 'false') return false;
  throw badRequest(name, `must be true or false, got ${JSON.stringify(s)}`);
}

function parseFilters(q: Q): { matchers: Matcher[]; receiver?: GoRegex; wantActive: boolean } {
  const matchers = filterMatchers(q);
  let receiver: GoRegex | undefined;
  const r = Array.isArray(q.receiver) ? q.receiver[0] : q.receiver;
  if (r) {
    try {
      receiver = compileGoRegex(r);
    } catch (e) {
      throw badRequest('receiver', `invalid regular expression: ${(e as Error).message}`);
    }
  }
  // Without silences and inhibitions every alert is active: `active=false` selects none.
  for (const b of ['silenced', 'inhibited', 'unprocessed']) parseBool(q, b, true);
  return { matchers, receiver, wantActive: parseBool(q, 'active', true) };
}
