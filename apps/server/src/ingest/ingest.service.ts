import { Inject, Injectable, Optional } from '@nestjs/common';
import type { HeraldMetrics } from '@herald/observability';
import { HERALD_CONFIG, type HeraldConfig, type TenantLimits } from '@herald/config';
import {
  groupAlerts,
  normalizePostableAlerts,
  normalizeWebhookAlerts,
  StoreCapacityError,
  TenantLimitError,
  type AlertError,
  type Clock,
  type EventLog,
  type GroupStore,
  type IngestContext,
  type NormalizeResult,
  type TenantIngestLimits,
  type WebhookEnvelope,
} from '@herald/domain';
import { CLOCK } from '../clock/clock.module';
import { GROUP_STORE } from '../store/group-store.module';
import { HeraldHttpError } from '../http/http-error';
import { HERALD_METRICS } from '../metrics/metrics.tokens';
import { DUE_WAKE, type DueWake } from '../flush/flush.tokens';
import { EVENT_LOG } from '../activity/activity.tokens';

/** What an ingest request did: alerts accepted and the rejected ones with index and field. */
export interface IngestOutcome {
  accepted: number;
  rejected: AlertError[];
}

/**
 * Ingest use case: normalize (domain) → route and group (domain) → one store write. The clock is read
 * once per request so every alert of a batch is judged at the same instant.
 */
@Injectable()
export class IngestService {
  /** Tenants with limits (the store enforces them, across nodes); others pass none and pay nothing. */
  private readonly limits = new Map<string, { spec: TenantIngestLimits; config: TenantLimits }>();

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Inject(GROUP_STORE) private readonly store: GroupStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(HERALD_METRICS) private readonly metrics?: HeraldMetrics, // observability (issue 7)
    @Optional() @Inject(DUE_WAKE) private readonly wake?: DueWake, // this node's scheduler, if it has one
    @Optional() @Inject(EVENT_LOG) private readonly events?: EventLog, // live events (issue 17)
  ) {
    for (const t of config.herald.tenants) {
      const { maxAlerts, maxGroups, ingestRate, ingestBurst } = t.limits;
      if (maxAlerts || maxGroups || ingestRate) {
        this.limits.set(t.id, { spec: { maxAlerts, maxGroups, ingestRate, ingestBurst }, config: t.limits });
      }
    }
  }

  private context(now: number): IngestContext {
    return {
      now,
      resolveTimeout: this.config.global.resolveTimeout,
      limits: this.config.herald.limits,
      labelNames: this.config.herald.labelNames,
    };
  }

  checkCount(n: number, field: string): void {
    const max = this.config.herald.limits.maxAlertsPerRequest;
    if (n > max) {
      throw new HeraldHttpError(413, {
        error: `${field}: ${n} alerts in one request, more than herald.limits.max_alerts_per_request (${max})`,
        field,
      });
    }
  }

  async ingestPostable(items: unknown[], tenant: string): Promise<IngestOutcome> {
    const now = this.clock.now();
    return this.write(normalizePostableAlerts(items, this.context(now)), tenant, now);
  }

  async ingestWebhook(env: WebhookEnvelope, tenant: string): Promise<IngestOutcome> {
    const now = this.clock.now();
    return this.write(normalizeWebhookAlerts(env, this.context(now)), tenant, now);
  }

  private async write(n: NormalizeResult, tenant: string, now: number): Promise<IngestOutcome> {
    if (n.alerts.length > 0) {
      try {
        const batch = groupAlerts(this.config.routeTree, tenant, now, n.alerts);
        const limits = this.limits.get(tenant);
        if (limits) {
          batch.limits = limits.spec;
          batch.received = n.alerts.length;
        }
        if (this.events) batch.reportChanges = true;
        const res = await this.store.upsert(batch);
        if (res.nextDueAt !== undefined) this.wake?.wakeAt(res.nextDueAt); // flush at once, not at the next poll
        // In memory only: the event log writes once per window for all requests, never on this path.
        // Only groups whose alerts changed state: Prometheus' steady re-sends (a later endsAt) are not
        // news, and would make every dashboard re-read once a second.
        const changed = res.changedGroups ?? batch.groups.map((g) => g.target.groupId);
        if (changed.length > 0)
          this.events?.publish(
            tenant,
            changed.map((groupId) => ({ kind: 'alert' as const, groupId, at: now })),
          );
      } catch (e) {
        if (e instanceof TenantLimitError) throw this.overLimit(e);
        if (e instanceof StoreCapacityError) {
          throw new HeraldHttpError(429, { error: e.message, field: 'alerts' });
        }
        throw e;
      }
    }
    // observability (issue 7): counted once stored (a 429 stores nothing)
    if (n.alerts.length) this.metrics?.ingestAlerts.inc({ tenant, outcome: 'accepted' }, n.alerts.length);
    if (n.errors.length) this.metrics?.ingestAlerts.inc({ tenant, outcome: 'rejected' }, n.errors.length);
    return { accepted: n.alerts.length, rejected: n.errors };
  }

  /**
   * 429 naming the limit by its config path, with `Retry-After` (seconds). Over a count limit the alerts
   * that fit were stored: the body says how many alert writes were stored and refused.
   */
  private overLimit(e: TenantLimitError): HeraldHttpError {
    const { tenant } = e;
    const paths = this.limits.get(tenant)?.config.paths;
    this.metrics?.tenantLimitHits.inc({ tenant, limit: e.limit });
    if (e.written) this.metrics?.ingestAlerts.inc({ tenant, outcome: 'accepted' }, e.written);
    this.metrics?.ingestAlerts.inc({ tenant, outcome: 'limited' }, e.refused);
    let field: string;
    let error: string;
    switch (e.limit) {
      case 'ingestion_rate':
        field = paths?.ingestRate ?? 'ingest_rate';
        error = `tenant ${tenant} over ${field} (${e.value} alerts/s): ${e.refused} alert(s) refused, nothing stored`;
        break;
      case 'alertmanager_max_alerts_count':
        field = paths?.maxAlerts ?? 'max_alerts';
        error =
          `tenant ${tenant} over ${field} (${e.value} alerts): ${e.refused} new alert(s) refused, ` +
          `${e.written} stored (updates of stored alerts are always accepted)`;
        break;
      case 'alertmanager_max_dispatcher_aggregation_groups':
        field = paths?.maxGroups ?? 'max_groups';
        error =
          `tenant ${tenant} over ${field} (${e.value} groups): ${e.refused} alert(s) of new groups refused, ` +
          `${e.written} stored`;
        break;
    }
    const retryAfter = String(Math.max(1, Math.ceil(e.retryAfterMs / 1000)));
    return new HeraldHttpError(
      429,
      { error, field, limit: e.limit, stored: e.written, refused: e.refused },
      { 'Retry-After': retryAfter },
    );
  }
}
