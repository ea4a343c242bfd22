import { Body, Controller, HttpCode, HttpException, Inject, Optional, Post, UseGuards } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import type { HeraldMetrics } from '@herald/observability';
import { parseWebhookEnvelope } from '@herald/domain';
import type { TenantContext } from '@herald/sessions';
import { ApiKeyGuard, ApiNeeds } from '../auth/api-key.guard';
import { Tenant } from '../auth/decorators';
import { badRequest, HeraldHttpError } from '../http/http-error';
import { HERALD_METRICS } from '../metrics/metrics.tokens';
import { IngestService, type IngestOutcome } from './ingest.service';

/**
 * Alert ingest: Prometheus' `POST /api/v2/alerts` (Alertmanager's own API, so Prometheus can point at
 * Herald unchanged) and Alertmanager's webhook (version 4). Valid alerts of a batch are stored even
 * when others are invalid; the invalid ones are reported in a 400 body naming index and field.
 */
@Controller()
@UseGuards(ApiKeyGuard) // the tenant comes from the API key (or is the default one without tenants)
@ApiNeeds('ingest') // a viewer key reads only
export class IngestController {
  constructor(
    private readonly ingest: IngestService,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Optional() @Inject(HERALD_METRICS) private readonly metrics?: HeraldMetrics, // observability (issue 7)
  ) {}

  /** observability (issue 7): herald_ingest_requests_total{tenant,endpoint,outcome}. */
  private async counted(tenant: string, endpoint: string, fn: () => Promise<unknown>): Promise<unknown> {
    let outcome = 'ok';
    try {
      return await fn();
    } catch (e) {
      const status = e instanceof HttpException ? e.getStatus() : 500;
      outcome = isLimitError(e)
        ? 'limited'
        : (INGEST_OUTCOMES[status] ?? (status < 500 ? 'client_error' : 'error'));
      throw e;
    } finally {
      this.metrics?.ingestRequests.inc({ tenant, endpoint, outcome });
    }
  }

  @Post('api/v2/alerts')
  @HttpCode(200)
  async postAlerts(@Body() body: unknown, @Tenant() ctx: TenantContext): Promise<unknown> {
    return this.counted(ctx.tenant, 'api_v2_alerts', async () => {
      if (!Array.isArray(body)) throw badRequest('body', 'must be a JSON array of alerts');
      this.ingest.checkCount(body.length, 'body');
      return respond(await this.ingest.ingestPostable(body, ctx.tenant), '');
    });
  }

  @Post('api/v1/webhooks/alertmanager')
  @HttpCode(200)
  async postWebhook(@Body() body: unknown, @Tenant() ctx: TenantContext): Promise<unknown> {
    return this.counted(ctx.tenant, 'webhook', async () => {
      const env = parseWebhookEnvelope(body, this.config.herald.limits);
      if ('field' in env) throw badRequest(env.field, env.message);
      this.ingest.checkCount(env.alerts.length, 'alerts');
      const out = await this.ingest.ingestWebhook(env, ctx.tenant);
      return respond(out, 'alerts');
    });
  }
}

const INGEST_OUTCOMES: Record<number, string> = { 400: 'invalid', 413: 'too_large', 429: 'store_full' };

/** A 429 of a tenant limit (its body names the limit), not of a full memory store. */
function isLimitError(e: unknown): boolean {
  if (!(e instanceof HeraldHttpError)) return false;
  const body = e.getResponse();
  return typeof body === 'object' && body !== null && 'limit' in body;
}

function respond(out: IngestOutcome, arrayField: string): unknown {
  if (out.rejected.length === 0) return undefined; // Alertmanager answers 200 with an empty body
  const at = (i: number) => (arrayField ? `${arrayField}[${i}]` : `[${i}]`);
  const rejected = out.rejected.map((r) => ({
    ...r,
    field: r.field ? `${at(r.index)}.${r.field}` : at(r.index),
  }));
  const first = rejected[0];
  throw new HeraldHttpError(400, {
    error: `${out.rejected.length} invalid alert(s), ${out.accepted} accepted; first: ${first.field}: ${first.message}`,
    field: first.field,
    accepted: out.accepted,
    rejected,
  });
}
