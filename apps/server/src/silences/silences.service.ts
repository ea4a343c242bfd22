import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import {
  DEFAULT_SILENCE_LIMITS,
  expireSilenceIn,
  setSilenceIn,
  silenceMatchesFilter,
  sortSilences,
  type Clock,
  type EventLog,
  type Matcher,
  type Silence,
  type SilenceCache,
  type SilenceInput,
  type SilenceLimits,
  type SilenceMatcherSpec,
  type SilenceStore,
} from '@herald/domain';
import type { TenantContext } from '@herald/sessions';
import { CLOCK } from '../clock/clock.module';
import { SILENCE_CACHE, SILENCE_STORE } from './silences.tokens';
import { EVENT_LOG } from '../activity/activity.tokens';

/** `matcher` text as an audit line shows it (`name="value"`, `!=`, `=~`, `!~`). */
function showMatchers(ms: readonly SilenceMatcherSpec[]): string {
  const op = (m: SilenceMatcherSpec) => (m.isEqual ? '' : '!') + (m.isRegex ? '~' : '=');
  const fix = (o: string) => (o === '!=' || o === '!~' ? o : o === '~' ? '=~' : '=');
  return `{${ms.map((m) => `${JSON.stringify(m.name)}${fix(op(m))}${JSON.stringify(m.value)}`).join(',')}}`;
}

/**
 * Silences use cases, tenant-scoped by the caller's TenantContext: create/update (Alertmanager's rules,
 * planned by the domain and applied atomically by the store, re-planned on a concurrent change:
 * `setSilenceIn`/`expireSilenceIn`), expire,
 * list (filtered, Alertmanager's order) and get. Every change is one audit line (who, tenant, id,
 * matchers) and invalidates this node's cache; other nodes see the store's version move.
 */
@Injectable()
export class SilencesService {
  private readonly audit = new Logger('Audit');
  private readonly retention: number;

  constructor(
    @Inject(SILENCE_STORE) private readonly store: SilenceStore,
    @Inject(SILENCE_CACHE) private readonly cache: SilenceCache,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Optional() @Inject(EVENT_LOG) private readonly events?: EventLog, // live events (issue 17)
  ) {
    this.retention = config.herald.silences.retention;
  }

  /** The tenant's `max_silences` (its own limit, else `herald.silences.max_silences`; 0 none). */
  private maxSilences(tenant: string): number {
    const t = this.config.herald.tenants.find((x) => x.id === tenant);
    return t?.limits.maxSilences ?? this.config.herald.silences.maxSilences;
  }

  private limits(tenant: string): SilenceLimits {
    const t = this.config.herald.tenants.find((x) => x.id === tenant);
    return {
      ...DEFAULT_SILENCE_LIMITS,
      maxSilenceSizeBytes: t?.limits.maxSilenceSizeBytes ?? this.config.herald.silences.maxSilenceSizeBytes,
      labelNames: this.config.herald.labelNames,
    };
  }

  async list(ctx: TenantContext, filter: readonly Matcher[]): Promise<{ now: number; silences: Silence[] }> {
    const now = this.clock.now();
    const snap = await this.store.snapshot(ctx.tenant, now);
    const matching = filter.length
      ? snap.silences.filter((s) => silenceMatchesFilter(s, filter))
      : snap.silences;
    return { now, silences: sortSilences(matching, now) };
  }

  async get(ctx: TenantContext, id: string): Promise<{ now: number; silence: Silence | null }> {
    const now = this.clock.now();
    return { now, silence: await this.store.get(ctx.tenant, id, now) };
  }

  /** Creates or updates; returns the id answered (a new one when the update had to replace). */
  async upsert(ctx: TenantContext, input: SilenceInput): Promise<string> {
    const tenant = ctx.tenant;
    try {
      const plan = await setSilenceIn(this.store, tenant, input, () => this.clock.now(), randomUUID, {
        maxSilences: this.maxSilences(tenant),
        retention: this.retention,
        limits: this.limits(tenant),
      });
      const who = `${ctx.principal} tenant=${tenant}`;
      if (plan.kind === 'update') {
        this.audit.log(
          `silence updated by ${who} id=${plan.id} matchers=${showMatchers(plan.silence.matchers)}`,
        );
      } else {
        if (plan.expired)
          this.audit.log(
            `silence expired by ${who} id=${plan.expired.id} (replaced by ${plan.id}) matchers=${showMatchers(plan.expired.matchers)}`,
          );
        this.audit.log(
          `silence created by ${who} id=${plan.id} matchers=${showMatchers(plan.silence.matchers)} ends=${new Date(plan.silence.endsAt).toISOString()}`,
        );
      }
      const at = this.clock.now();
      this.events?.publish(tenant, [
        ...(plan.kind !== 'update' && plan.expired
          ? [{ kind: 'silence' as const, silenceId: plan.expired.id, at }]
          : []),
        { kind: 'silence', silenceId: plan.id, at },
      ]);
      return plan.id;
    } finally {
      this.cache.invalidate(tenant); // a refused write may still follow a concurrent change
    }
  }

  /** Expires a silence now (Alertmanager's DELETE); already expired: nothing to do. */
  async expire(ctx: TenantContext, id: string): Promise<void> {
    const tenant = ctx.tenant;
    try {
      const done = await expireSilenceIn(this.store, tenant, id, () => this.clock.now(), {
        retention: this.retention,
      });
      if (done) {
        this.audit.log(
          `silence expired by ${ctx.principal} tenant=${tenant} id=${id} matchers=${showMatchers(done.silence.matchers)}`,
        );
        this.events?.publish(tenant, [{ kind: 'silence', silenceId: id, at: this.clock.now() }]);
      }
    } finally {
      this.cache.invalidate(tenant);
    }
  }
}
