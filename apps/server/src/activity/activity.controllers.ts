import { Controller, Get, Headers, Inject, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { isStreamId, type Clock, type EventLog, type NotificationHistory } from '@herald/domain';
import type { TenantContext } from '@herald/sessions';
import { Tenant } from '../auth/decorators';
import { CLOCK } from '../clock/clock.module';
import { badRequest, HeraldHttpError } from '../http/http-error';
import { lastValue as one, type Query as Q } from '../http/query';
import { EVENT_LOG, NOTIFICATION_HISTORY } from './activity.tokens';
import { NotificationPageDto } from './activity.dto';
import { notificationWire, parseHistoryQuery } from './history-query';
import { SseClients } from './sse-clients';
import { SseSession } from './sse-session';
import { SessionGuard } from '../auth/session.guard';

/** `GET /api/v1/notifications`: the caller's tenant's notification history. */
@ApiTags('notifications')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('api/v1/notifications')
export class NotificationsController {
  constructor(@Inject(NOTIFICATION_HISTORY) private readonly history: NotificationHistory) {}

  @Get()
  @ApiOperation({ summary: "The caller's tenant's send attempts and their outcomes, newest first" })
  @ApiQuery({ name: 'group', required: false, description: 'a group id' })
  @ApiQuery({ name: 'receiver', required: false, description: 'exact receiver name' })
  @ApiQuery({ name: 'since', required: false, description: 'RFC 3339: attempts at or after it' })
  @ApiQuery({ name: 'limit', required: false, description: '1..1000, default 100' })
  @ApiOkResponse({ type: NotificationPageDto })
  async list(@Tenant() ctx: TenantContext, @Query() q: Q): Promise<NotificationPageDto> {
    const query = parseHistoryQuery(q);
    const rows = await this.history.list(ctx.tenant, query);
    return { notifications: rows.map(notificationWire) };
  }
}

/** `GET /api/v1/events`: Server-Sent Events of the caller's tenant. */
@ApiTags('events')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('api/v1/events')
export class EventsController {
  constructor(
    @Inject(EVENT_LOG) private readonly events: EventLog,
    private readonly clients: SseClients,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Server-Sent Events (text/event-stream): alert, group, silence and notification changes of the ' +
      "caller's tenant from every node; `Last-Event-ID` (or `?lastEventId=`) resumes",
  })
  @ApiQuery({ name: 'lastEventId', required: false, description: 'resume after this event id' })
  async stream(
    @Tenant() ctx: TenantContext,
    @Headers('last-event-id') lastHeader: string | undefined,
    @Query() q: Q,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const from = lastHeader ?? one(q, 'lastEventId');
    if (from !== undefined && from !== '' && !isStreamId(from))
      throw badRequest('Last-Event-ID', 'must be an event id this endpoint sent (<ms>-<seq>)');
    if (!this.clients.hasRoom())
      throw new HeraldHttpError(503, {
        error: `this node serves ${this.config.herald.events.maxClients} live-event clients already (herald.events.max_clients): try another node or later`,
        field: 'herald.events.max_clients',
      });
    void reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no', // nginx: pass events through as they come
      'X-Herald-Node': this.config.herald.nodeId,
      'X-Request-Id': String(req.id),
    });
    const session = new SseSession((chunk) => this.clients.write(res, chunk));
    const unsubscribe = this.events.subscribe(ctx.tenant, session.onEvents);
    this.clients.add(res, unsubscribe);
    this.clients.write(res, 'retry: 2000\n: connected\n\n');
    if (from) await session.resume(this.events, ctx.tenant, from, () => this.clock.now());
  }
}
