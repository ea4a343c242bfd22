import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { Controller, Get, Inject, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  isResolved,
  type Alert,
  type Clock,
  type EventLog,
  type NotificationHistory,
  type StatusView,
  type StoredGroup,
} from '@herald/domain';
import { EVENT_LOG, NOTIFICATION_HISTORY } from '../activity/activity.tokens';
import type { TenantContext } from '@herald/sessions';
import { AuthService } from '../auth/auth.service';
import { AdminDelete, Target, Tenant, type AdminTarget } from '../auth/decorators';
import { alertWire } from '../alerts/alert-wire';
import { SessionGuard } from '../auth/session.guard';
import { CLOCK } from '../clock/clock.module';
import { badRequest, HeraldHttpError } from '../http/http-error';
import { filterMatchers, lastValue as one, type Query as Q } from '../http/query';
import {
  AdminAlertDto,
  AdminAlertWithGroupsDto,
  GroupDetailDto,
  GroupPageDto,
  GroupSummaryDto,
} from './admin.dto';
import { TenantGroupsRepository } from './tenant-groups.repository';

const GROUP_ID = /^[0-9a-f]{16}$/;

/** Admin API over the caller's tenant's groups: viewers read, admins also delete. */
@ApiTags('groups')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('api/v1/groups')
export class GroupsController {
  constructor(
    private readonly groups: TenantGroupsRepository,
    private readonly auth: AuthService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Inject(NOTIFICATION_HISTORY) private readonly history: NotificationHistory,
    @Inject(EVENT_LOG) private readonly events: EventLog,
  ) {}

  @Get()
  @ApiOperation({ summary: "The caller's tenant's groups, ordered by id, paginated" })
  @ApiQuery({ name: 'state', required: false, enum: ['firing', 'recovery'] })
  @ApiQuery({ name: 'receiver', required: false, description: 'exact receiver name' })
  @ApiQuery({ name: 'filter', required: false, isArray: true, description: 'matchers, e.g. severity="page"' })
  @ApiQuery({ name: 'limit', required: false, description: '1..1000, default 100' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiOkResponse({ type: GroupPageDto })
  async list(@Tenant() ctx: TenantContext, @Query() q: Q): Promise<GroupPageDto> {
    const state = one(q, 'state');
    if (state !== undefined && state !== 'firing' && state !== 'recovery') {
      throw badRequest('state', 'must be firing or recovery');
    }
    const limitRaw = one(q, 'limit');
    const limit = limitRaw === undefined ? 100 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw badRequest('limit', 'must be an integer 1..1000');
    const cursor = one(q, 'cursor');
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const { groups, more, view } = await this.groups.list(
      ctx,
      {
        state,
        receiver: one(q, 'receiver'),
        matchers: filterMatchers(q, this.config.herald.labelNames),
        limit,
        after,
      },
      this.clock.now(),
    );
    return {
      groups: groups.map((g) => summary(g, view)),
      nextCursor: more ? encodeCursor(groups[groups.length - 1].groupId) : null,
    };
  }

  @Get(':id')
  @ApiOperation({ summary: "One group of the caller's tenant: alerts, timers, last notification" })
  @ApiOkResponse({ type: GroupDetailDto })
  async get(@Tenant() ctx: TenantContext, @Param('id') id: string): Promise<GroupDetailDto> {
    const now = this.clock.now();
    const found = GROUP_ID.test(id) ? await this.groups.get(ctx, id, now) : null;
    if (!found) throw notFound();
    const { group: g, view } = found;
    const mutedBy = view.groupMutedBy(g);
    // The history is a record for people: when it cannot be read the group is still answered.
    const last = await this.history.last(ctx.tenant, g.groupId).catch(() => null);
    return {
      id: g.groupId,
      groupKey: g.groupKey,
      receiver: g.receiver,
      routeId: g.routeId,
      labels: g.labels,
      createdAt: new Date(g.createdAt).toISOString(),
      timers: { groupWait: g.groupWait, groupInterval: g.groupInterval, repeatInterval: g.repeatInterval },
      mutedBy,
      firing: g.firing.map((a) => alertView(a, now, view, mutedBy)),
      recovery: g.recovery.map((a) => alertView(a, now, view, mutedBy)),
      lastNotification: last && {
        at: new Date(last.at).toISOString(),
        reason: last.reason,
        receiver: last.receiver,
        outcome: last.outcome,
        attempt: last.attempt,
        ...(last.statusCode !== undefined ? { statusCode: last.statusCode } : {}),
        ...(last.error !== undefined ? { error: last.error } : {}),
      },
    };
  }

  @AdminDelete("Delete a group of the caller's tenant (admin); 404 for any other id")
  async delete(@Target() { ctx, id, ip }: AdminTarget): Promise<void> {
    if (!GROUP_ID.test(id) || !(await this.groups.delete(ctx, id))) throw notFound();
    this.auth.recordAction('group deleted', ctx, ip, { group: id });
    this.events.publish(ctx.tenant, [{ kind: 'group', groupId: id, at: this.clock.now() }]);
  }
}

/** GET /api/v1/alerts: the caller's tenant's alerts. */
@ApiTags('alerts')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('api/v1/alerts')
export class AdminAlertsController {
  constructor(
    private readonly groups: TenantGroupsRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: "The caller's tenant's alerts (firing and resolved), with their groups" })
  @ApiQuery({
    name: 'filter',
    required: false,
    isArray: true,
    description: 'matchers, e.g. alertname=~"Disk.*"',
  })
  @ApiOkResponse({ type: [AdminAlertWithGroupsDto] })
  async list(@Tenant() ctx: TenantContext, @Query() q: Q): Promise<AdminAlertWithGroupsDto[]> {
    const now = this.clock.now();
    const { rows, view } = await this.groups.alerts(
      ctx,
      filterMatchers(q, this.config.herald.labelNames),
      now,
    );
    return rows.map(({ alert, groups, mutedBy }) => ({ ...alertView(alert, now, view, mutedBy), groups }));
  }
}

// The same answer for "not yours" and "does not exist": another tenant's id tells the caller nothing.
function notFound(): HeraldHttpError {
  return new HeraldHttpError(404, { error: 'no such group', field: 'id' });
}

function encodeCursor(groupId: string): string {
  return Buffer.from(`g:${groupId}`).toString('base64url');
}

function decodeCursor(c: string): string {
  const s = Buffer.from(c, 'base64url').toString('utf8');
  if (!/^g:[0-9a-f]{16}$/.test(s)) throw badRequest('cursor', 'not a cursor returned by this endpoint');
  return s.slice(2);
}

function summary(g: StoredGroup, view: StatusView): GroupSummaryDto {
  return {
    mutedBy: view.groupMutedBy(g),
    id: g.groupId,
    groupKey: g.groupKey,
    receiver: g.receiver,
    labels: g.labels,
    firing: g.firing.length,
    recovery: g.recovery.length,
    createdAt: new Date(g.createdAt).toISOString(),
    timers: { groupWait: g.groupWait, groupInterval: g.groupInterval, repeatInterval: g.repeatInterval },
  };
}

function alertView(a: Alert, now: number, view: StatusView, mutedBy: readonly string[]): AdminAlertDto {
  return {
    ...alertWire(a),
    state: isResolved(a, now) ? 'resolved' : 'firing',
    quiet: view.reasons(a, mutedBy),
  };
}
