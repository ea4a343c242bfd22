import { Inject, Injectable, Optional } from '@nestjs/common';
import type { HeraldMetrics } from '@herald/observability';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import {
  groupAlerts,
  normalizePostableAlerts,
  normalizeWebhookAlerts,
  StoreCapacityError,
  type AlertError,
  type GroupStore,
  type IngestContext,
  type NormalizeResult,
  type WebhookEnvelope,
} from '@herald/domain';
import { GROUP_STORE } from '../store/group-store.module';
import { HeraldHttpError } from '../http/http-error';
import { HERALD_METRICS } from '../metrics/metrics.tokens';

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
  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Inject(GROUP_STORE) private readonly store: GroupStore,
    @Optional() @Inject(HERALD_METRICS) private readonly metrics?: HeraldMetrics, // observability (issue 7)
  ) {}

  private context(now: number): IngestContext {
    return { now, resolveTimeout: this.config.global.resolveTimeout, limits: this.config.herald.limits };
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
    const now = Date.now();
    return this.write(normalizePostableAlerts(items, this.context(now)), tenant, now);
  }

  async ingestWebhook(env: WebhookEnvelope, tenant: string): Promise<IngestOutcome> {
    const now = Date.now();
    return this.write(normalizeWebhookAlerts(env, this.context(now)), tenant, now);
  }

  private async write(n: NormalizeResult, tenant: string, now: number): Promise<IngestOutcome> {
    if (n.alerts.length > 0) {
      try {
        await this.store.upsert(groupAlerts(this.config.routeTree, tenant, now, n.alerts));
      } catch (e) {
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
}
