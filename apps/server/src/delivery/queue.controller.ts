import { Controller, Get, HttpCode, Inject, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { DeadLetter, DeliveryQueue } from '@herald/delivery';
import type { TenantContext } from '@herald/sessions';
import { AuthService } from '../auth/auth.service';
import type { AuthedRequest } from '../auth/credentials';
import { AdminOnly, Tenant } from '../auth/decorators';
import { SessionGuard } from '../auth/session.guard';
import { HeraldHttpError } from '../http/http-error';

import { DELIVERY_QUEUE } from './delivery.tokens';

const PAGE = 1000;

/** What a tenant sees of a dead letter: its own notification, never another tenant's. */
interface DeadLetterView {
  id: string;
  receiver: string;
  groupKey: string;
  state: string;
  attempts: number;
  failedAt: string;
  lastError: DeadLetter['lastError'];
}

/**
 * The caller tenant's dead letters and their retry (the dashboard's queue view). The queue is shared by
 * all tenants, so only the tenant's own dead letters and their count are shown — queue-wide gauges are
 * for operators (`/metrics`, `heraldctl queue`).
 */
@ApiTags('queue')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('api/v1/queue')
export class QueueController {
  constructor(
    @Inject(DELIVERY_QUEUE) private readonly queue: DeliveryQueue,
    private readonly auth: AuthService,
  ) {}

  /** The tenant's newest dead letters, from its own index (another tenant's volume never hides them). */
  private own(ctx: TenantContext, limit = PAGE): Promise<DeadLetter[]> {
    return this.queue.deadLetters(limit, ctx.tenant);
  }

  @Get()
  @ApiOperation({
    summary: "The caller tenant's dead letters (newest first, at most 1 000; counts.dead is all)",
  })
  async list(
    @Tenant() ctx: TenantContext,
  ): Promise<{ counts: { dead: number }; deadLetters: DeadLetterView[] }> {
    const [mine, dead] = await Promise.all([this.own(ctx), this.queue.deadLetterCount(ctx.tenant)]);
    return {
      counts: { dead },
      deadLetters: mine.map((d) => ({
        id: d.id,
        receiver: d.notification.receiver,
        groupKey: d.notification.groupKey,
        state: d.notification.state,
        attempts: d.attempts,
        failedAt: new Date(d.failedAt).toISOString(),
        lastError: d.lastError,
      })),
    };
  }

  @Post('dead-letters/:id/retry')
  @HttpCode(202)
  @AdminOnly()
  @ApiOperation({ summary: 'Retry one dead letter of the caller tenant (admin); 404 for any other id' })
  async retryOne(
    @Tenant() ctx: TenantContext,
    @Param('id') id: string,
    @Req() req: AuthedRequest,
  ): Promise<{ retried: number }> {
    if (!(await this.queue.retryDeadLetter(id, ctx.tenant))) {
      throw new HeraldHttpError(404, { error: 'id: no such dead letter', field: 'id' });
    }
    this.auth.record(
      `dead letter retried tenant=${ctx.tenant} id=${id} by=${JSON.stringify(ctx.principal)} ip=${req.ip}`,
    );
    return { retried: 1 };
  }

  @Post('dead-letters/retry-all')
  @HttpCode(202)
  @AdminOnly()
  @ApiOperation({ summary: 'Retry every dead letter of the caller tenant (admin)' })
  async retryAll(@Tenant() ctx: TenantContext, @Req() req: AuthedRequest): Promise<{ retried: number }> {
    let retried = 0;
    // Page through the tenant's index: each retry takes its dead letter out of it. Bounded by the count
    // at the start, as a retried notification may fail again and come back meanwhile.
    const total = await this.queue.deadLetterCount(ctx.tenant);
    while (retried < total) {
      const page = await this.own(ctx);
      let n = 0;
      for (const d of page) if (await this.queue.retryDeadLetter(d.id, ctx.tenant)) n++;
      retried += n;
      if (n === 0 || page.length < PAGE) break;
    }
    this.auth.record(
      `dead letters retried tenant=${ctx.tenant} count=${retried} by=${JSON.stringify(ctx.principal)} ip=${req.ip}`,
    );
    return { retried };
  }
}
