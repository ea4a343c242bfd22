import { Controller, Get, Inject, Query, Res, StreamableFile, UseGuards } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import type { TenantContext } from '@herald/sessions';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { Tenant } from '../auth/decorators';
import {
  compileGoRegex,
  groupMayHoldMatch,
  isResolved,
  matchesAll,
  type StatusView,
  type Alert,
  type AlertStatus,
  type Clock,
  type GoRegex,
  type GroupStore,
  type LabelNameMode,
  type LabelSet,
  type ListGroupsOptions,
  type Matcher,
  type StoredGroup,
} from '@herald/domain';
import { CLOCK } from '../clock/clock.module';
import { GROUP_STORE } from '../store/group-store.module';
import { StatusViews } from './status-views';
import { badRequest } from '../http/http-error';
import { alertWire, type AlertWire } from './alert-wire';
import { filterMatchers, lastValue, type Query as Q } from '../http/query';
import { jsonArrayBody, yieldToLoop, type TypedReply } from '../http/json-array';
import { sortYielding } from '../http/sort-yielding';

/** Alerts looked at between two turns of the event loop while a listing is computed. */
const ALERTS_PER_TURN = 2_000;

/** Counts work and yields to the event loop every ALERTS_PER_TURN units. */
function turns(): (units: number) => Promise<void> | undefined {
  let done = 0;
  return (units) => {
    done += units;
    if (done < ALERTS_PER_TURN) return undefined;
    done = 0;
    return yieldToLoop();
  };
}

/** Alertmanager API v2 `gettableAlert`. */
export interface GettableAlert extends AlertWire {
  receivers: { name: string }[];
  status: AlertStatus;
}

/**
 * Read side of Alertmanager's API v2 (amtool, karma and Grafana use it): active alerts and alert groups,
 * with `filter` matchers, a `receiver` regex and the state filters (`active`, `inhibited`, `silenced`,
 * `unprocessed`; `muted` on groups). Each alert's status is computed at query time from the tenant's
 * alerts (inhibition: a firing source in any group) and, on groups, the route's time intervals now.
 */
@Controller('api/v2/alerts')
@UseGuards(ApiKeyGuard) // Alertmanager API clients present the tenant's API key, as senders do
export class AlertsController {
  constructor(
    @Inject(GROUP_STORE) private readonly store: GroupStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly views: StatusViews,
    @Inject(HERALD_CONFIG) config: HeraldConfig,
  ) {
    this.labelNames = config.herald.labelNames;
  }

  private readonly labelNames: LabelNameMode;

  /**
   * With `filter` matchers or `receiver`, the store reads only the groups whose group labels and receiver
   * can hold a wanted alert (`filter=alertname="X"` reads one group's alerts, not the tenant's). Not with
   * inhibition rules: the
   * status of a listed alert depends on sources in any group.
   */
  private readOnly(f: { matchers: readonly Matcher[]; receiver?: GoRegex }): ListGroupsOptions | undefined {
    const { matchers, receiver } = f;
    if ((matchers.length === 0 && !receiver) || this.views.needsAllGroups) return undefined;
    return {
      mayHold: (labels, r) => (!receiver || receiver.test(r)) && groupMayHoldMatch(matchers, labels),
    };
  }

  private view(tenant: string, groups: StoredGroup[], now: number): Promise<StatusView> {
    return this.views.of(tenant, groups, now);
  }

  /**
   * The answer is serialised element by element (`jsonArrayBody`): the same bytes as before, without one
   * string the size of the answer; computing and serialising it yield to the event loop every few thousand
   * alerts, so a big tenant's listing does not hold Redis replies (and their command timeouts) for long.
   */
  @Get()
  async list(
    @Query() q: Q,
    @Tenant() ctx: TenantContext,
    @Res({ passthrough: true }) reply: TypedReply,
  ): Promise<string | StreamableFile> {
    return jsonArrayBody(reply, await this.listAlerts(q, ctx));
  }

  private async listAlerts(q: Q, ctx: TenantContext): Promise<GettableAlert[]> {
    const f = parseFilters(q, this.labelNames);
    const now = this.clock.now();
    const groups = await this.store.listGroups(ctx.tenant, this.readOnly(f));
    const view = await this.view(ctx.tenant, groups, now);
    const byFp = new Map<string, GettableAlert>();
    const turn = turns();
    for (const g of groups) {
      await turn(g.firing.length + 1);
      if (f.receiver && !f.receiver.test(g.receiver)) continue;
      for (const a of g.firing) {
        if (isResolved(a, now) || !matchesAll(f.matchers, a.labels)) continue;
        const seen = byFp.get(a.fingerprint);
        if (seen) {
          if (!seen.receivers.some((r) => r.name === g.receiver)) seen.receivers.push({ name: g.receiver });
          continue;
        }
        const status = view.alert(a);
        if (wanted(f, status)) byFp.set(a.fingerprint, gettable(a, [g.receiver], status));
      }
    }
    return sortYielding([...byFp.values()], (x, y) =>
      x.fingerprint < y.fingerprint ? -1 : x.fingerprint > y.fingerprint ? 1 : 0,
    );
  }

  @Get('groups')
  async groups(
    @Query() q: Q,
    @Tenant() ctx: TenantContext,
    @Res({ passthrough: true }) reply: TypedReply,
  ): Promise<string | StreamableFile> {
    return jsonArrayBody(reply, await this.listGroups(q, ctx));
  }

  private async listGroups(
    q: Q,
    ctx: TenantContext,
  ): Promise<{ labels: LabelSet; receiver: { name: string }; alerts: GettableAlert[] }[]> {
    const f = parseFilters(q, this.labelNames);
    const now = this.clock.now();
    const out: { labels: LabelSet; receiver: { name: string }; alerts: GettableAlert[] }[] = [];
    const groups = await this.store.listGroups(ctx.tenant, this.readOnly(f));
    const view = await this.view(ctx.tenant, groups, now);
    await sortYielding(groups, alertmanagerGroupOrder);
    const turn = turns();
    for (const g of groups) {
      await turn(g.firing.length + 1);
      if (f.receiver && !f.receiver.test(g.receiver)) continue;
      const mutedBy = view.groupMutedBy(g);
      if (!f.muted && mutedBy.length > 0) continue;
      const alerts = g.firing
        .filter((a) => !isResolved(a, now) && matchesAll(f.matchers, a.labels))
        .map((a) => gettable(a, [g.receiver], view.alertInGroup(a, mutedBy)))
        .filter((a) => wanted(f, a.status))
        .sort((x, y) => (x.fingerprint < y.fingerprint ? -1 : 1));
      if (alerts.length) out.push({ labels: g.labels, receiver: { name: g.receiver }, alerts });
    }
    return out;
  }
}

/**
 * Go's string order (bytes of UTF-8), which differs from UTF-16 order above the BMP. Below it (no
 * surrogate at the first difference) both orders agree: compared without encoding.
 */
function goCompare(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  const x = a.charCodeAt(i);
  const y = b.charCodeAt(i);
  if ((x < 0xd800 || x > 0xdfff) && (y < 0xd800 || y > 0xdfff)) return x - y;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Prometheus' `LabelSet.Before`: fewer labels first; otherwise over the sorted union of names, the set
 * missing a name first, then the smaller value.
 */
export function labelSetBefore(a: LabelSet, b: LabelSet): boolean {
  const an = Object.keys(a);
  const bn = Object.keys(b);
  if (an.length !== bn.length) return an.length < bn.length;
  const names = [...new Set([...an, ...bn])].sort(goCompare);
  for (const n of names) {
    if (!Object.hasOwn(a, n)) return true;
    if (!Object.hasOwn(b, n)) return false;
    const c = goCompare(a[n], b[n]);
    if (c !== 0) return c < 0;
  }
  return false;
}

/**
 * Alertmanager's `AlertGroups` order for `/alerts/groups`: by labels (`LabelSet.Before`), equal labels by
 * receiver name; then by group key so groups of sibling routes keep a stable order.
 */
export function alertmanagerGroupOrder(x: StoredGroup, y: StoredGroup): number {
  if (labelSetBefore(x.labels, y.labels)) return -1;
  if (labelSetBefore(y.labels, x.labels)) return 1;
  const r = goCompare(x.receiver, y.receiver);
  if (r !== 0) return r;
  return goCompare(x.groupKey, y.groupKey);
}

function gettable(a: Alert, receivers: string[], status: AlertStatus): GettableAlert {
  return { ...alertWire(a), receivers: receivers.map((name) => ({ name })), status };
}

/** Alertmanager's alertFilter on the status: each `false` flag drops the alerts in that state. */
function wanted(f: Filters, s: AlertStatus): boolean {
  if (!f.active && s.state === 'active') return false;
  if (!f.unprocessed && s.state === 'unprocessed') return false;
  if (!f.silenced && s.silencedBy.length > 0) return false;
  if (!f.inhibited && s.inhibitedBy.length > 0) return false;
  return true;
}

interface Filters {
  matchers: Matcher[];
  receiver?: GoRegex;
  active: boolean;
  silenced: boolean;
  inhibited: boolean;
  unprocessed: boolean;
  /** Groups only (Alertmanager 0.28): false drops groups a time interval mutes now. */
  muted: boolean;
}

function parseBool(q: Q, name: string, def: boolean): boolean {
  const s = lastValue(q, name);
  if (s === undefined) return def;
  if (s === 'true') return true;
  if (s === 'false') return false;
  throw badRequest(name, `must be true or false, got ${JSON.stringify(s)}`);
}

function parseFilters(q: Q, labelNames: LabelNameMode): Filters {
  const matchers = filterMatchers(q, labelNames);
  let receiver: GoRegex | undefined;
  const r = Array.isArray(q.receiver) ? q.receiver[0] : q.receiver;
  if (r) {
    try {
      receiver = compileGoRegex(r);
    } catch (e) {
      throw badRequest('receiver', `invalid regular expression: ${(e as Error).message}`);
    }
  }
  return {
    matchers,
    receiver,
    active: parseBool(q, 'active', true),
    silenced: parseBool(q, 'silenced', true),
    inhibited: parseBool(q, 'inhibited', true),
    unprocessed: parseBool(q, 'unprocessed', true),
    muted: parseBool(q, 'muted', true),
  };
}
